import { sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Database } from '../db';
import { PRIVILEGE_PREFIX } from '../auth/privileges';

/** The most scopes one client may be granted, transient scopes included. */
export const MAX_CLOSURE = 256;

/**
 * Ids of the scopes reachable from `start` (a query yielding scope ids) through
 * transient links, within one tenant. Each step searches scope_transients by
 * its whole key (tenant_id, scope_id): CROSS JOIN keeps SQLite from putting
 * scope_transients in the outer loop, which made the walk quadratic (it then
 * searched by tenant alone and scanned the closure for every link). The walk stops after MAX_CLOSURE + 1
 * rows: whatever the graph holds, one closure costs at most that many lookups,
 * and a count above MAX_CLOSURE says "too many" without computing the rest.
 * UNION (not UNION ALL) drops scopes already reached, so cycles terminate.
 */
export const closureOf = (tenant: string | SQL, start: SQL) => sql`
  WITH RECURSIVE closure(scope_id) AS (
    ${start}
    UNION
    SELECT st.transient_scope_id FROM closure
    CROSS JOIN scope_transients st ON st.tenant_id = ${tenant} AND st.scope_id = closure.scope_id
    LIMIT ${MAX_CLOSURE + 1}
  ) SELECT scope_id FROM closure`;

/** Start sets for closureOf. */
export const startFrom = {
  clientScopes: (tenantId: string, clientId: string) =>
    sql`SELECT scope_id FROM client_scopes WHERE tenant_id = ${tenantId} AND client_id = ${clientId}`,
};

/** SQL true when a label column names a privilege that is not in `held`. */
export const isLackedPrivilege = (label: SQL | SQLiteColumn, held: readonly string[]) => sql`(
  substr(${label}, 1, ${PRIVILEGE_PREFIX.length}) = ${PRIVILEGE_PREFIX}
  ${held.length ? sql`AND ${label} NOT IN (${sql.join(held.map((h) => sql`${h}`), sql`, `)})` : sql``})`;

/** Privilege labels in a closure that are not in `held`. */
const lackedIn = (tenantId: string, closure: SQL, held: readonly string[]) => sql`
  SELECT DISTINCT label FROM scopes
  WHERE tenant_id = ${tenantId} AND id IN (${closure}) AND ${isLackedPrivilege(sql`label`, held)}`;

/**
 * A condition for a guarded write: the closure holds no privilege outside
 * `held`, and no more than MAX_CLOSURE scopes (beyond that, the walk stops
 * early, so what it could grant cannot all be checked).
 */
export function closureAllows(tenantId: string, closure: SQL, held: readonly string[]): SQL {
  return sql`(${noLackedPrivilege(tenantId, closure, held)} AND (SELECT count(*) FROM (${closure})) <= ${MAX_CLOSURE})`;
}

/** The closure holds no privilege outside `held` (as far as the walk goes: for removals, which hand on nothing). */
export const noLackedPrivilege = (tenantId: string, closure: SQL, held: readonly string[]) =>
  sql`NOT EXISTS (${lackedIn(tenantId, closure, held)})`;

/** The same checks as a report, read in the write's batch to say why it did nothing. */
export function closureReport(db: Database, tenantId: string, closure: SQL, held: readonly string[]) {
  return db
    .select({
      size: sql<number>`(SELECT count(*) FROM (${closure}))`,
      lacked: sql<string>`(SELECT json_group_array(label) FROM (${lackedIn(tenantId, closure, held)}))`,
    })
    .from(sql`(SELECT 1)`);
}

export interface ClosureFindings {
  size: number;
  lacked: string[];
}

export const readClosureReport = (rows: { size: number; lacked: string }[]): ClosureFindings => ({
  size: rows[0]?.size ?? 0,
  lacked: JSON.parse(rows[0]?.lacked ?? '[]') as string[],
});
