import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../db';
import { clientSecrets } from '../db/schema';
import { closureOf, MAX_CLOSURE } from '../scopes/closure';

export const LAST_USED_RESOLUTION_MS = 60 * 60 * 1000;

export interface LiveSecret {
  id: string;
  digest: string;
  lastUsedAt: number | null;
  /** The auth:* privileges its creator held; null for secrets made before they were recorded. */
  privileges: string[] | null;
}

export interface ClientCredentialsRecord {
  id: string;
  tenantId: string;
  public: boolean;
  /** Carried by its tokens as claim `gen`: bumped when all its tokens are revoked. */
  tokenGeneration: number;
  /** Secrets that have not expired. */
  secrets: LiveSecret[];
  /** Labels of the attached scopes and, transitively, of their transient scopes. */
  scopeLabels: string[];
  /** The closure holds more than MAX_CLOSURE scopes: nothing is granted (scopeLabels is partial). */
  closureTooLarge: boolean;
}

/**
 * Everything the token endpoint needs, in one query: the client, its live
 * secrets and its scope closure (bounded: see closureOf), with the closure's
 * size so that one beyond MAX_CLOSURE is refused rather than granted in part.
 * Exported for its EXPLAIN QUERY PLAN test.
 */
export function clientForTokenQuery(clientId: string, now: number) {
  const closure = closureOf(
    sql`(SELECT tenant_id FROM client)`,
    sql`SELECT cs.scope_id FROM client_scopes cs JOIN client ON cs.tenant_id = client.tenant_id AND cs.client_id = client.id`,
  );
  // One walk: every scope the walk reaches exists (foreign keys), so its size is the number of labels.
  return sql`
    WITH client AS (SELECT id, tenant_id, public, token_generation FROM clients WHERE id = ${clientId})
    SELECT *, json_array_length(labels) AS closure_size FROM (
      SELECT client.id, client.tenant_id, client.public, client.token_generation,
        (SELECT json_group_array(json_object('id', s.id, 'digest', s.digest, 'lastUsedAt', s.last_used_at,
            'privileges', json(s.granted_privileges)))
          FROM client_secrets s
          WHERE s.tenant_id = client.tenant_id AND s.client_id = client.id
            AND (s.expires_at IS NULL OR s.expires_at > ${now})) AS secrets,
        (SELECT json_group_array(sc.label) FROM scopes sc
          WHERE sc.tenant_id = client.tenant_id AND sc.id IN (${closure})) AS labels
      FROM client)`;
}

export async function findClientForToken(db: Database, clientId: string, now: number) {
  const [row] = await db.all<{
    id: string;
    tenant_id: string;
    public: number;
    token_generation: number;
    secrets: string;
    labels: string;
    closure_size: number;
  }>(clientForTokenQuery(clientId, now));
  if (!row) return null;
  const record: ClientCredentialsRecord = {
    id: row.id,
    tenantId: row.tenant_id,
    public: Boolean(row.public),
    tokenGeneration: row.token_generation,
    secrets: JSON.parse(row.secrets),
    scopeLabels: JSON.parse(row.labels),
    closureTooLarge: row.closure_size > MAX_CLOSURE,
  };
  return record;
}

/** Records use at most about once an hour per secret; a no-op when another request got there first. */
export function recordSecretUse(db: Database, secretId: string, now: number) {
  const stale = now - LAST_USED_RESOLUTION_MS;
  return db
    .update(clientSecrets)
    .set({ lastUsedAt: now })
    .where(and(eq(clientSecrets.id, secretId), or(isNull(clientSecrets.lastUsedAt), lt(clientSecrets.lastUsedAt, stale))));
}

export const needsUseRecorded = (secret: LiveSecret, now: number) =>
  secret.lastUsedAt === null || secret.lastUsedAt < now - LAST_USED_RESOLUTION_MS;
