import { and, eq, sql } from 'drizzle-orm';
import { aroundWrite, type AuditContext } from '../audit/audit-trail';
import type { Database } from '../db';
import { clients, revokedTokens } from '../db/schema';
import { notFound } from '../lib/errors';

/**
 * The most tokens of one client that may stand revoked one by one (until they
 * expire). Past it, revoking one more revokes all the client's tokens instead
 * (its token generation moves on): the state stays bounded, and the token
 * asked about is revoked either way.
 */
export const MAX_REVOKED_TOKENS_PER_CLIENT = 1000;

export interface RevokedToken {
  jti: string;
  tenantId: string;
  clientId: string;
  /** Epoch seconds after which the token is refused anyway (its exp plus the clock tolerance, and more). */
  expiresAt: number;
}

const ofClient = (tenantId: string, clientId: string) => and(eq(clients.tenantId, tenantId), eq(clients.id, clientId));

/** What a revocation changes, for its audit event: the token's entry and the client's generation. */
const revocationSnapshot = (tenantId: string, clientId: string, jti: string | null) => sql`json_object(
  'revoked', (SELECT json_object('jti', jti, 'clientId', client_id, 'expiresAt', expires_at)
    FROM revoked_tokens WHERE jti = ${jti} AND tenant_id = ${tenantId}),
  'tokenGeneration', (SELECT token_generation FROM clients WHERE tenant_id = ${tenantId} AND id = ${clientId}))`;

/**
 * One batch, with its audit event (action revokeToken): the client's expired
 * entries go, the token is listed unless the client is at the cap, and at the
 * cap a stored client's generation moves on. Returns false when nothing could
 * revoke it (the static admin, stored nowhere, at the cap).
 */
export async function revokeToken(db: Database, token: RevokedToken, audit: AuditContext): Promise<boolean> {
  const { jti, tenantId, clientId, expiresAt } = token;
  const listed = sql`EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = ${jti})`;
  const clientEntries = sql`(SELECT count(*) FROM revoked_tokens WHERE client_id = ${clientId})`;
  const trail = aroundWrite(db, audit, {
    action: 'revokeToken',
    targetType: 'token',
    targetId: jti,
    snapshot: revocationSnapshot(tenantId, clientId, jti),
  });
  const [, , , , outcome] = await db.batch([
    ...trail.before,
    db.delete(revokedTokens).where(and(eq(revokedTokens.clientId, clientId), sql`${revokedTokens.expiresAt} < unixepoch()`)),
    db
      .insert(revokedTokens)
      .select(
        db
          .select({
            jti: sql`${jti}`.as('jti'),
            tenantId: sql`${tenantId}`.as('tenant_id'),
            clientId: sql`${clientId}`.as('client_id'),
            expiresAt: sql`${expiresAt}`.as('expires_at'),
          })
          .from(sql`(SELECT 1)`)
          .where(sql`${clientEntries} < ${MAX_REVOKED_TOKENS_PER_CLIENT}`),
      )
      .onConflictDoNothing(),
    db
      .update(clients)
      .set({ tokenGeneration: sql`${clients.tokenGeneration} + 1` })
      .where(and(ofClient(tenantId, clientId), sql`NOT ${listed}`)),
    db
      .select({ listed: sql<number>`${listed}`, stored: sql<number>`EXISTS (SELECT 1 FROM clients WHERE tenant_id = ${tenantId} AND id = ${clientId})` })
      .from(sql`(SELECT 1)`),
    ...trail.after,
  ]);
  const [row] = outcome;
  return Boolean(row?.listed || row?.stored);
}

/**
 * DELETE /clients/{clientId}/tokens: moves the client's token generation on,
 * so every token carrying the old one is refused (see auth/token-liveness.ts).
 * One batch with its audit event (action revokeClientTokens).
 */
export async function revokeAllTokens(db: Database, tenantId: string, clientId: string, audit: AuditContext) {
  const trail = aroundWrite(db, audit, {
    action: 'revokeClientTokens',
    targetType: 'client',
    targetId: clientId,
    snapshot: revocationSnapshot(tenantId, clientId, null),
  });
  const [, revoked] = await db.batch([
    ...trail.before,
    db
      .update(clients)
      .set({ tokenGeneration: sql`${clients.tokenGeneration} + 1` })
      .where(ofClient(tenantId, clientId))
      .returning({ id: clients.id }),
    ...trail.after,
  ]);
  if (!revoked.length) throw notFound('client', clientId);
}
