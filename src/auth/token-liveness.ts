import { sql, type SQL } from 'drizzle-orm';
import { createDb, prepareSql, rawBatch, type Database } from '../db';

import { closureOf, startFrom } from '../scopes/closure';
import type { AdminIdentity } from './admin-identity';
import { InvalidTokenError, type VerifiedToken } from './access-tokens';

/**
 * Whether one of this service's tokens still stands, as one SQL expression
 * (1 or 0), so that it can ride in the batch of the read or write it guards:
 *  - it was not revoked on its own (RFC 7009: revoked_tokens, by jti);
 *  - the static admin's (claim `adm`): its proof is the current configuration's;
 *  - a client's: the secret that minted it (claim `secret_id`) was not deleted,
 *    alone or with its client (revoked_secrets, written by a trigger), and its
 *    client exists, with the token's generation (revoking all its tokens bumps
 *    it), and still holds every scope the token carries (detaching, deleting or
 *    relabelling a scope, or removing a transient link, takes it away);
 *  - a client's got with a private_key_jwt assertion (claim `client_created`): that client, created
 *    then, exists, with the token's generation and every scope (no secret to name; a client deleted
 *    and another made under its id, in any tenant, never brings the token back);
 *  - a token minted before tokens named their secret (no `secret_id`): its
 *    client was not deleted (revoked_clients) and, while it exists, the same.
 * The external provider's tokens are not judged here: null.
 */
export function livenessOf(token: VerifiedToken, admin: AdminIdentity): SQL | null {
  if (token.external) return null;
  const notRevoked = token.jti ? sql`NOT EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = ${token.jti})` : sql`1`;
  const claimsAdmin = token.adminProof !== undefined || (token.clientId === admin.id && token.secretId === undefined);
  if (claimsAdmin) {
    // Minted under another configuration (or before proofs): its powers came from a configuration that is gone.
    const current = token.adminProof === admin.proof && token.clientId === admin.id;
    return current ? sql`(${notRevoked})` : sql`0`;
  }
  const tenant = typeof token.tenant === 'string' ? token.tenant : '';
  const client = sql`tenant_id = ${tenant} AND id = ${token.clientId}`;
  const labels = [...token.scopes];
  // One lookup per label (scopes_tenant_label_uq), each tested against the client's closure, walked once.
  const holdsEveryScope = labels.length
    ? sql`(SELECT count(*) FROM scopes sc
        WHERE sc.tenant_id = ${tenant} AND sc.label IN (SELECT value FROM json_each(${JSON.stringify(labels)}))
          AND sc.id IN (${closureOf(tenant, startFrom.clientScopes(tenant, token.clientId))})) = ${labels.length}`
    : sql`1`;
  const clientHolds = sql`EXISTS (SELECT 1 FROM clients WHERE ${client} AND token_generation = ${token.generation} AND ${holdsEveryScope})`;
  if (token.clientCreatedAt !== undefined) {
    // Got with a client assertion: this very client (not one made since under its id) still holds it.
    return sql`(${notRevoked} AND EXISTS (SELECT 1 FROM clients WHERE ${client} AND created_at = ${token.clientCreatedAt}
      AND token_generation = ${token.generation} AND ${holdsEveryScope}))`;
  }
  if (token.secretId !== undefined) {
    return sql`(${notRevoked} AND NOT EXISTS (SELECT 1 FROM revoked_secrets WHERE secret_id = ${token.secretId}) AND ${clientHolds})`;
  }
  return sql`(${notRevoked} AND NOT EXISTS (SELECT 1 FROM revoked_clients WHERE client_id = ${token.clientId} AND tenant_id = ${tenant})
    AND (NOT EXISTS (SELECT 1 FROM clients WHERE ${client}) OR ${clientHolds}))`;
}

export const revokedTokenError = () => new InvalidTokenError('the token has been revoked');

const GATE_PATH = 'token revoked';
// SQLite's words vary by version ("JSON path error near '…'", "bad JSON path: '…'"); the path does not.
const GATE_FAILED = new RegExp(`JSON path.*'${GATE_PATH}'`);
const rootMessage = (error: unknown): string =>
  error instanceof Error ? (error.cause instanceof Error ? rootMessage(error.cause) : error.message) : String(error);

/**
 * The liveness check of one request's token. A read folds it into its own
 * batch (`guardedRead`); a write's first batch starts with it as a gate that
 * fails the whole batch for a revoked token (`gatedDatabase`): either way,
 * checking costs no round trip. Anything else runs it on its own (`check`).
 * It runs once.
 */
export class TokenGuard {
  private settled = false;

  constructor(private readonly live: SQL) {}

  get done() {
    return this.settled;
  }

  statement(db: Database) {
    return db.select({ live: sql<number>`${this.live}` }).from(sql`(SELECT 1)`);
  }

  get sql() {
    return sql`SELECT ${this.live} AS live`;
  }

  /**
   * The same check as a statement that fails when the token is revoked, so it
   * aborts (and rolls back) the batch it leads: SQLite raises a JSON path error
   * naming 'token revoked' for that path, and only then.
   */
  get gate() {
    return sql`SELECT CASE WHEN ${this.live} THEN 1 ELSE json_extract('{}', ${sql.raw(`'${GATE_PATH}'`)}) END AS live`;
  }

  settle(rows: { live: number }[]) {
    this.settled = true;
    if (rows[0]?.live !== 1) throw revokedTokenError();
  }

  async check(db: Database) {
    if (!this.settled) this.settle(await this.statement(db));
  }
}

type Batchable = Parameters<Database['batch']>[0][number];

/** Runs a drizzle query in one batch with the token's liveness check: one round trip for both. */
export async function guardedRead<Q extends Batchable>(db: Database, guard: TokenGuard | undefined, query: Q): Promise<Awaited<Q>> {
  if (!guard || guard.done) return (await query) as Awaited<Q>;
  const [check, result] = await db.batch([guard.statement(db), query]);
  guard.settle(check as { live: number }[]);
  return result as Awaited<Q>;
}

/**
 * guardedRead for a raw SQL query (what `db.all` runs): drizzle cannot batch
 * those, so both statements go to D1 as one batch directly.
 */
export async function guardedAll<Row>(db: Database, guard: TokenGuard | undefined, query: SQL): Promise<Row[]> {
  if (!guard || guard.done) return db.all<Row>(query);
  const [check, result] = await rawBatch(db, [guard.sql, query]);
  guard.settle(check!.results as { live: number }[]);
  return result!.results as Row[];
}

/**
 * A write's database: its first batch is led by the token's gate (one round
 * trip for the check and the write, in one transaction, so no revocation can
 * commit between them); a revoked token fails the batch, which writes nothing,
 * and answers 401. A statement run outside a batch before that checks first.
 */
export function gatedDatabase(db: Database, guard: TokenGuard): Database {
  const d1 = db.$client;
  const gate = () => prepareSql(d1, guard.gate);
  // Proxy → the real statement: D1's batch takes only its own statements.
  const real = new WeakMap<object, D1PreparedStatement>();
  const checkedFirst = (statement: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target) as unknown;
        if (prop === 'bind') return (...values: unknown[]) => checkedFirst(target.bind(...values));
        if (typeof value !== 'function' || !['run', 'all', 'raw', 'first'].includes(prop as string)) return value;
        return async (...args: unknown[]) => {
          await guard.check(db);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    real.set(proxy, statement);
    return proxy;
  };
  const gated = {
    prepare: (query: string) => checkedFirst(d1.prepare(query)),
    batch: async (proxies: D1PreparedStatement[]) => {
      const statements = proxies.map((statement) => real.get(statement) ?? statement);
      if (guard.done) return d1.batch(statements);
      let results: D1Result[];
      try {
        results = await d1.batch([gate(), ...statements]);
      } catch (error) {
        if (GATE_FAILED.test(rootMessage(error))) guard.settle([{ live: 0 }]);
        throw error;
      }
      guard.settle(results[0]!.results as { live: number }[]);
      return results.slice(1);
    },
  };
  return createDb(gated as unknown as D1Database);
}
