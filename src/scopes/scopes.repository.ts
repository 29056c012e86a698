import { aliasedTable, and, eq, ne, notExists, sql } from 'drizzle-orm';
import type { Database } from '../db';
import { scopes, scopeTransients } from '../db/schema';
import {
  assertLinkPrecondition,
  assertPrecondition,
  byTenantAndId,
  deleteVersioned,
  parentGuard,
  probeVersion,
  rowExists,
  versionCondition,
} from '../db/versioning';
import type { CursorPosition } from '../lib/cursor';
import { ApiError, notFound } from '../lib/errors';
import type { Precondition } from '../lib/etag';
import { budgetedListQuery, budgetedPage, type BudgetedRow } from '../lib/pagination';
import { escalationRefused, isPrivilege } from '../auth/privileges';
import { aroundWrite, type AuditContext } from '../audit/audit-trail';
import { closureAllows, closureOf, closureReport, isLackedPrivilege, MAX_CLOSURE, readClosureReport } from './closure';
import type { Scope, ScopeOptions } from './scopes.schemas';
import { guardedAll, guardedRead, type TokenGuard } from '../auth/token-liveness';

/** The most transient scopes one scope may have. */
export const MAX_TRANSIENT_SCOPES = 100;

// The Scope with its transient scope ids, as one JSON value (one query per
// read). Raw SQL for the reason given in clients.repository.ts.
const scopeFields = sql`
  'id', scopes.id,
  'label', scopes.label,
  'metadata', json(scopes.metadata),
  'transient', json((SELECT json_group_array(transient_scope_id) FROM (
    SELECT st.transient_scope_id FROM scope_transients st
    WHERE st.tenant_id = scopes.tenant_id AND st.scope_id = scopes.id
    ORDER BY st.created_at, st.transient_scope_id)))`;

const scopeJson = sql<string>`json_object(${scopeFields})`;

/** A scope as its audit events record it (src/audit/audit-trail.ts): its JSON and its version. NULL when absent. */
const scopeSnapshot = (tenantId: string, scopeId: string) => sql`(SELECT json_object(${scopeFields}, 'version', scopes.version)
  FROM scopes WHERE scopes.tenant_id = ${tenantId} AND scopes.id = ${scopeId})`;

/** The audit statements of a write to a scope or its transient links. */
const auditScope = (db: Database, audit: AuditContext, action: string, tenantId: string, scopeId: string) =>
  aroundWrite(db, audit, { action, targetType: 'scope', targetId: scopeId, snapshot: scopeSnapshot(tenantId, scopeId) });

/** What a scope's JSON weighs, about, without building it: for the page budget. */
const scopeBytes = sql<number>`(100 + octet_length(scopes.label) + octet_length(scopes.metadata)
  + 40 * (SELECT count(*) FROM scope_transients st WHERE st.tenant_id = scopes.tenant_id AND st.scope_id = scopes.id))`;

const scopeRow = { scope: scopeJson, version: scopes.version, createdAt: scopes.createdAt, id: scopes.id };

export interface VersionedScope {
  scope: Scope;
  version: number;
}

const parseScope = (row: { scope: string }) => JSON.parse(row.scope) as Scope;

const byId = (tenantId: string, scopeId: string) => byTenantAndId(scopes, tenantId, scopeId);

const labelTaken = (label: string) => new ApiError('CONFLICT', `a scope labelled "${label}" already exists`);

function selectScope(db: Database, tenantId: string, scopeId: string) {
  return db.select(scopeRow).from(scopes).where(byId(tenantId, scopeId));
}

export async function listScopes(db: Database, tenantId: string, page: { limit: number; after?: CursorPosition }, guard?: TokenGuard) {
  const rows = await guardedAll<BudgetedRow>(
    db,
    guard,
    budgetedListQuery(scopes, sql`${scopes.tenantId} = ${tenantId}`, page, scopeBytes, scopeJson),
  );
  return budgetedPage(rows, (row) => ({ scope: parseScope({ scope: row.json }), version: row.version, createdAt: row.created_at, id: row.id }));
}

export async function readScope(db: Database, tenantId: string, scopeId: string, guard?: TokenGuard): Promise<VersionedScope> {
  const [row] = await guardedRead(db, guard, selectScope(db, tenantId, scopeId));
  if (!row) throw notFound('scope', scopeId);
  return { scope: parseScope(row), version: row.version };
}

export async function createScope(db: Database, tenantId: string, options: ScopeOptions, audit: AuditContext): Promise<VersionedScope> {
  const scope: Scope = { id: crypto.randomUUID(), label: options.label, metadata: options.metadata ?? {}, transient: [] };
  const trail = auditScope(db, audit, 'createScope', tenantId, scope.id);
  const [, inserted] = await db.batch([
    ...trail.before,
    db
      .insert(scopes)
      .values({ id: scope.id, tenantId, label: scope.label, metadata: scope.metadata, createdAt: Date.now() })
      .onConflictDoNothing()
      .returning({ version: scopes.version }),
    ...trail.after,
  ]);
  if (!inserted[0]) throw labelTaken(options.label);
  return { scope, version: inserted[0].version };
}

export async function updateScope(
  db: Database,
  tenantId: string,
  scopeId: string,
  options: ScopeOptions,
  held: readonly string[],
  audit: AuditContext,
  precondition?: Precondition,
): Promise<VersionedScope> {
  const other = aliasedTable(scopes, 'other');
  // A label is a grant: one naming a privilege the caller lacks is not theirs to rename away either.
  const ownLabelLacked = isLackedPrivilege(scopes.label, held);
  const sameLabelElsewhere = db
    .select({ id: other.id })
    .from(other)
    .where(and(eq(other.tenantId, tenantId), eq(other.label, options.label), ne(other.id, scopeId)));
  // One batch: the update only happens if no other scope holds the label and If-Match holds.
  const trail = auditScope(db, audit, 'updateScope', tenantId, scopeId);
  const [, taken, updated, rows] = await db.batch([
    ...trail.before,
    sameLabelElsewhere,
    db
      .update(scopes)
      .set({ label: options.label, metadata: options.metadata ?? {}, version: sql`${scopes.version} + 1` })
      .where(and(byId(tenantId, scopeId), notExists(sameLabelElsewhere), versionCondition(scopes, precondition), sql`NOT ${ownLabelLacked}`))
      .returning({ id: scopes.id }),
    selectScope(db, tenantId, scopeId),
    ...trail.after,
  ]);
  const [row] = rows;
  if (!row) throw notFound('scope', scopeId);
  if (!updated.length) {
    const label = parseScope(row).label;
    if (isPrivilege(label) && !held.includes(label)) throw escalationRefused(`relabelling scope "${label}"`, [label]);
    assertPrecondition([{ version: row.version }], precondition, 'scope', scopeId);
    if (taken.length) throw labelTaken(options.label);
  }
  return { scope: parseScope(row), version: row.version };
}

/** Its links to clients and other scopes go with it: ON DELETE CASCADE. */
export const deleteScope = (db: Database, tenantId: string, scopeId: string, audit: AuditContext, precondition?: Precondition) =>
  deleteVersioned(db, scopes, 'scope', tenantId, scopeId, auditScope(db, audit, 'deleteScope', tenantId, scopeId), precondition);

/**
 * Idempotent. Cycles (a → b → a) are allowed; whoever walks the graph must stop
 * at visited scopes. Refused when the scope would then reach a privilege the
 * caller lacks, more than MAX_CLOSURE scopes, or more than MAX_TRANSIENT_SCOPES
 * direct transient scopes. All checks and the insert are one batch.
 */
export async function addTransientScope(
  db: Database,
  tenantId: string,
  scopeId: string,
  transientScopeId: string,
  held: readonly string[],
  audit: AuditContext,
  precondition?: Precondition,
) {
  const transient = aliasedTable(scopes, 'transient');
  const closure = closureOf(tenantId, sql`SELECT ${scopeId} UNION SELECT ${transientScopeId}`);
  const linkCount = sql<number>`(SELECT count(*) FROM scope_transients WHERE tenant_id = ${tenantId} AND scope_id = ${scopeId})`;
  const linked = sql<number>`EXISTS (SELECT 1 FROM scope_transients
    WHERE tenant_id = ${tenantId} AND scope_id = ${scopeId} AND transient_scope_id = ${transientScopeId})`;
  const trail = auditScope(db, audit, 'addTransientScope', tenantId, scopeId);
  const [, probe, found, report, links] = await db.batch([
    ...trail.before,
    probeVersion(db, scopes, tenantId, scopeId),
    rowExists(db, scopes, tenantId, transientScopeId),
    closureReport(db, tenantId, closure, held),
    db.select({ count: linkCount, linked }).from(sql`(SELECT 1)`),
    db
      .insert(scopeTransients)
      .select(
        db
          .select({
            tenantId: scopes.tenantId,
            scopeId: scopes.id,
            transientScopeId: transient.id,
            createdAt: sql`${Date.now()}`.as('created_at'),
          })
          .from(scopes)
          .innerJoin(transient, eq(transient.tenantId, scopes.tenantId))
          .where(
            and(
              byId(tenantId, scopeId),
              eq(transient.id, transientScopeId),
              versionCondition(scopes, precondition),
              closureAllows(tenantId, closure, held),
              sql`${linkCount} < ${MAX_TRANSIENT_SCOPES}`,
            ),
          ),
      )
      .onConflictDoNothing(),
    ...trail.after,
  ]);
  assertLinkPrecondition({ kind: 'scope', id: scopeId, probe }, { kind: 'scope', id: transientScopeId, found }, undefined);
  const { size, lacked } = readClosureReport(report);
  if (lacked.length) {
    throw escalationRefused(`making scope "${transientScopeId}" transient to scope "${scopeId}"`, lacked);
  }
  assertPrecondition(probe, precondition, 'scope', scopeId);
  if (links[0]?.linked) return;
  if ((links[0]?.count ?? 0) >= MAX_TRANSIENT_SCOPES) {
    throw new ApiError('VALIDATION', `transient: a scope may have at most ${MAX_TRANSIENT_SCOPES} transient scopes`);
  }
  if (size > MAX_CLOSURE) {
    throw new ApiError('VALIDATION', `transient: a scope may reach at most ${MAX_CLOSURE} scopes, itself and transient scopes included`);
  }
}

/** Idempotent. */
export async function deleteTransientScope(
  db: Database,
  tenantId: string,
  scopeId: string,
  transientScopeId: string,
  audit: AuditContext,
  precondition?: Precondition,
) {
  const trail = auditScope(db, audit, 'deleteTransientScope', tenantId, scopeId);
  const [, probe, found] = await db.batch([
    ...trail.before,
    probeVersion(db, scopes, tenantId, scopeId),
    rowExists(db, scopes, tenantId, transientScopeId),
    db
      .delete(scopeTransients)
      .where(
        and(
          eq(scopeTransients.tenantId, tenantId),
          eq(scopeTransients.scopeId, scopeId),
          eq(scopeTransients.transientScopeId, transientScopeId),
          parentGuard(db, scopes, tenantId, scopeId, precondition),
        ),
      ),
    ...trail.after,
  ]);
  assertLinkPrecondition(
    { kind: 'scope', id: scopeId, probe },
    { kind: 'scope', id: transientScopeId, found },
    precondition,
  );
}
