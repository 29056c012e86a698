import { sql } from 'drizzle-orm';
import { rawBatch, type Database } from '../db';

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
  /** The token's exp (epoch seconds): the entry is useless after it. */
  expiresAt: number;
}

/**
 * One batch: the client's expired entries go, the token is listed unless the
 * client is at the cap, and at the cap a stored client's generation moves on.
 * Returns false when nothing could revoke it (the static admin at the cap).
 */
export async function revokeToken(db: Database, token: RevokedToken): Promise<boolean> {
  const { jti, tenantId, clientId, expiresAt } = token;
  const listed = sql`EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = ${jti})`;
  const [, , , outcome] = await rawBatch(db, [
    sql`DELETE FROM revoked_tokens WHERE client_id = ${clientId} AND expires_at < unixepoch()`,
    sql`INSERT OR IGNORE INTO revoked_tokens (jti, tenant_id, client_id, expires_at)
      SELECT ${jti}, ${tenantId}, ${clientId}, ${expiresAt}
      WHERE (SELECT count(*) FROM revoked_tokens WHERE client_id = ${clientId}) < ${MAX_REVOKED_TOKENS_PER_CLIENT}`,
    sql`UPDATE clients SET token_generation = token_generation + 1
      WHERE tenant_id = ${tenantId} AND id = ${clientId} AND NOT ${listed}`,
    sql`SELECT ${listed} AS listed, EXISTS (SELECT 1 FROM clients WHERE tenant_id = ${tenantId} AND id = ${clientId}) AS stored`,
  ]);
  const [row] = outcome!.results as { listed: number; stored: number }[];
  return Boolean(row?.listed || row?.stored);
}
