import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { rawBatch, type Database } from '../db';
import { clientSecrets } from '../db/schema';
import type { StoredJwks, TokenEndpointAuthMethod } from '../clients/client-keys';
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
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  /** Epoch ms: with the id, names this incarnation of the client (claim client_created). */
  createdAt: number;
  jwks: StoredJwks | null;
  jwksUri: string | null;
  /** The auth:* privileges of whoever set its keys: the most a token got with them may carry. */
  keyPrivileges: string[] | null;
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
    WITH client AS (SELECT id, tenant_id, public, token_generation, created_at, token_endpoint_auth_method, jwks, jwks_uri, key_privileges
      FROM clients WHERE id = ${clientId})
    SELECT *, json_array_length(labels) AS closure_size FROM (
      SELECT client.id, client.tenant_id, client.public, client.token_generation,
        client.created_at, client.token_endpoint_auth_method, client.jwks, client.jwks_uri, client.key_privileges,
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
    token_endpoint_auth_method: TokenEndpointAuthMethod;
    created_at: number;
    jwks: string | null;
    jwks_uri: string | null;
    key_privileges: string | null;
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
    tokenEndpointAuthMethod: row.token_endpoint_auth_method,
    createdAt: row.created_at,
    jwks: row.jwks === null ? null : JSON.parse(row.jwks),
    jwksUri: row.jwks_uri,
    keyPrivileges: row.key_privileges === null ? null : JSON.parse(row.key_privileges),
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

/** The most assertions of one client whose jti is remembered at once (they live 5 minutes at most). */
export const MAX_LIVE_ASSERTIONS = 10_000;

export type AssertionRecord = 'recorded' | 'replayed' | 'too many';

/**
 * Remembers an assertion's jti until it expires, in one batch (the token endpoint's second and
 * last round trip): the client's expired entries go first (100 at most), then the jti goes in
 * unless it is already there and live (a replay) or the client has MAX_LIVE_ASSERTIONS live ones.
 */
export async function recordAssertion(db: Database, clientId: string, jti: string, expiresAtSeconds: number, nowSeconds: number) {
  const [, inserted, present] = await rawBatch(db, assertionStatements(clientId, jti, expiresAtSeconds, nowSeconds));
  const outcome: AssertionRecord = inserted!.results.length ? 'recorded' : present!.results.length ? 'replayed' : 'too many';
  return outcome;
}

/** recordAssertion's statements: exported for their EXPLAIN QUERY PLAN test. */
export function assertionStatements(clientId: string, jti: string, expiresAtSeconds: number, nowSeconds: number) {
  return [
    sql`DELETE FROM client_assertion_jtis WHERE rowid IN (
      SELECT rowid FROM client_assertion_jtis WHERE client_id = ${clientId} AND expires_at <= ${nowSeconds} LIMIT 100)`,
    sql`INSERT INTO client_assertion_jtis (client_id, jti, expires_at)
      SELECT ${clientId}, ${jti}, ${expiresAtSeconds}
      WHERE (SELECT count(*) FROM (SELECT 1 FROM client_assertion_jtis
        WHERE client_id = ${clientId} AND expires_at > ${nowSeconds} LIMIT ${MAX_LIVE_ASSERTIONS})) < ${MAX_LIVE_ASSERTIONS}
      ON CONFLICT (client_id, jti) DO UPDATE SET expires_at = excluded.expires_at
        WHERE client_assertion_jtis.expires_at <= ${nowSeconds}
      RETURNING 1 AS recorded`,
    sql`SELECT 1 AS present FROM client_assertion_jtis WHERE client_id = ${clientId} AND jti = ${jti}`,
  ];
}
