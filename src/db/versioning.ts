import { and, eq, exists, inArray, sql, type SQL } from 'drizzle-orm';
import { ApiError, notFound } from '../lib/errors';
import type { Precondition } from '../lib/etag';
import type { AuditItems } from '../audit/audit-trail';
import type { Database } from '.';
import { clients, scopes } from './schema';

type VersionedTable = typeof clients | typeof scopes;

/** SQL that holds when the row's version satisfies If-Match (undefined: no condition). */
export function versionCondition(table: VersionedTable, precondition: Precondition | undefined): SQL | undefined {
  if (!precondition || 'any' in precondition) return undefined;
  if (precondition.versions.length === 0) return sql`0`;
  return inArray(table.version, precondition.versions);
}

export function satisfies(version: number, precondition: Precondition | undefined): boolean {
  if (!precondition || 'any' in precondition) return true;
  return precondition.versions.includes(version);
}

export const byTenantAndId = (table: VersionedTable, tenantId: string, id: string) =>
  and(eq(table.tenantId, tenantId), eq(table.id, id));

/** Whether a row exists, read in the same batch as a write that needs it. */
export function rowExists(db: Database, table: VersionedTable, tenantId: string, id: string) {
  return db.select({ id: table.id }).from(table).where(byTenantAndId(table, tenantId, id));
}

/** The parent's current version, read in the same batch as a guarded write. */
export function probeVersion(db: Database, table: VersionedTable, tenantId: string, id: string) {
  return db.select({ version: table.version }).from(table).where(byTenantAndId(table, tenantId, id));
}

/** A write to a child row only happens while the parent satisfies If-Match. */
export function parentGuard(
  db: Database,
  table: VersionedTable,
  tenantId: string,
  id: string,
  precondition: Precondition | undefined,
): SQL | undefined {
  const condition = versionCondition(table, precondition);
  if (!condition) return undefined;
  return exists(
    db
      .select({ one: sql`1` })
      .from(table)
      .where(and(byTenantAndId(table, tenantId, id), condition)),
  );
}

/**
 * Reads the probe of a guarded batch: 404 when the parent is missing, 412 when
 * it failed If-Match (the guarded write then did nothing).
 */
export function assertPrecondition(
  probe: { version: number }[],
  precondition: Precondition | undefined,
  kind: string,
  id: string,
): number {
  const [row] = probe;
  if (!row) throw notFound(kind, id);
  if (!satisfies(row.version, precondition)) {
    throw new ApiError('PRECONDITION_FAILED', `${kind} "${id}" has changed: its ETag is "${row.version}"`);
  }
  return row.version;
}

/**
 * Reads the probes of a guarded link write (client→scope, scope→transient):
 * 404 naming whichever end is missing, then 412 if the parent failed If-Match.
 */
export function assertLinkPrecondition(
  parent: { kind: string; id: string; probe: { version: number }[] },
  child: { kind: string; id: string; found: unknown[] },
  precondition: Precondition | undefined,
) {
  if (!parent.probe.length) throw notFound(parent.kind, parent.id);
  if (!child.found.length) throw notFound(child.kind, child.id);
  assertPrecondition(parent.probe, precondition, parent.kind, parent.id);
}

/**
 * Deletes a versioned row (its links cascade) in one batch: 404 if missing, 412 if it failed If-Match.
 * `trail` (aroundWrite in src/audit/audit-trail.ts) records it in the same batch.
 */
export async function deleteVersioned(
  db: Database,
  table: VersionedTable,
  kind: string,
  tenantId: string,
  id: string,
  trail: AuditItems,
  precondition: Precondition | undefined,
) {
  const [, probe] = await db.batch([
    ...trail.before,
    probeVersion(db, table, tenantId, id),
    db.delete(table).where(and(byTenantAndId(table, tenantId, id), versionCondition(table, precondition))),
    ...trail.after,
  ]);
  assertPrecondition(probe, precondition, kind, id);
}
