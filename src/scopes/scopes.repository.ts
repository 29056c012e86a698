import { aliasedTable, and, asc, eq, ne, notExists, sql } from 'drizzle-orm';
import type { Database } from '../db';
import { scopes, scopeTransients } from '../db/schema';
import { ApiError, notFound } from '../lib/errors';
import type { Scope, ScopeOptions } from './scopes.schemas';

// The Scope with its transient scope ids, as one JSON value (one query per
// read). Raw SQL for the reason given in clients.repository.ts.
const scopeJson = sql<string>`json_object(
  'id', scopes.id,
  'label', scopes.label,
  'metadata', json(scopes.metadata),
  'transient', json((SELECT json_group_array(transient_scope_id) FROM (
    SELECT st.transient_scope_id FROM scope_transients st
    WHERE st.tenant_id = scopes.tenant_id AND st.scope_id = scopes.id
    ORDER BY st.created_at, st.transient_scope_id)))
)`;

const parseScope = (row: { scope: string }) => JSON.parse(row.scope) as Scope;

const byId = (tenantId: string, scopeId: string) => and(eq(scopes.tenantId, tenantId), eq(scopes.id, scopeId));

const labelTaken = (label: string) => new ApiError('CONFLICT', `a scope labelled "${label}" already exists`);

function selectScope(db: Database, tenantId: string, scopeId: string) {
  return db.select({ scope: scopeJson }).from(scopes).where(byId(tenantId, scopeId));
}

export async function listScopes(db: Database, tenantId: string): Promise<Scope[]> {
  const rows = await db
    .select({ scope: scopeJson })
    .from(scopes)
    .where(eq(scopes.tenantId, tenantId))
    .orderBy(asc(scopes.createdAt), asc(scopes.id));
  return rows.map(parseScope);
}

export async function readScope(db: Database, tenantId: string, scopeId: string): Promise<Scope> {
  const [row] = await selectScope(db, tenantId, scopeId);
  if (!row) throw notFound('scope', scopeId);
  return parseScope(row);
}

export async function createScope(db: Database, tenantId: string, options: ScopeOptions): Promise<Scope> {
  const scope: Scope = { id: crypto.randomUUID(), label: options.label, metadata: options.metadata ?? {}, transient: [] };
  const inserted = await db
    .insert(scopes)
    .values({ id: scope.id, tenantId, label: scope.label, metadata: scope.metadata, createdAt: Date.now() })
    .onConflictDoNothing()
    .returning({ id: scopes.id });
  if (!inserted.length) throw labelTaken(options.label);
  return scope;
}

export async function updateScope(
  db: Database,
  tenantId: string,
  scopeId: string,
  options: ScopeOptions,
): Promise<Scope> {
  const other = aliasedTable(scopes, 'other');
  const sameLabelElsewhere = db
    .select({ id: other.id })
    .from(other)
    .where(and(eq(other.tenantId, tenantId), eq(other.label, options.label), ne(other.id, scopeId)));
  // One batch: the update only happens if no other scope holds the label.
  const [taken, , rows] = await db.batch([
    sameLabelElsewhere,
    db
      .update(scopes)
      .set({ label: options.label, metadata: options.metadata ?? {} })
      .where(and(byId(tenantId, scopeId), notExists(sameLabelElsewhere))),
    selectScope(db, tenantId, scopeId),
  ]);
  const [row] = rows;
  if (!row) throw notFound('scope', scopeId);
  if (taken.length) throw labelTaken(options.label);
  return parseScope(row);
}

export async function deleteScope(db: Database, tenantId: string, scopeId: string): Promise<void> {
  // Links to clients and other scopes go with it: ON DELETE CASCADE.
  const deleted = await db.delete(scopes).where(byId(tenantId, scopeId)).returning({ id: scopes.id });
  if (!deleted.length) throw notFound('scope', scopeId);
}

function bothScopesExist(db: Database, tenantId: string, scopeId: string, transientScopeId: string) {
  return db
    .select({ id: scopes.id })
    .from(scopes)
    .where(and(eq(scopes.tenantId, tenantId), sql`${scopes.id} IN (${scopeId}, ${transientScopeId})`));
}

function assertBothFound(found: { id: string }[], scopeId: string, transientScopeId: string) {
  for (const id of [scopeId, transientScopeId]) {
    if (!found.some((row) => row.id === id)) throw notFound('scope', id);
  }
}

/** Idempotent. Cycles (a → b → a) are allowed; whoever walks the graph must stop at visited scopes. */
export async function addTransientScope(db: Database, tenantId: string, scopeId: string, transientScopeId: string) {
  const transient = aliasedTable(scopes, 'transient');
  const [found] = await db.batch([
    bothScopesExist(db, tenantId, scopeId, transientScopeId),
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
          .where(and(byId(tenantId, scopeId), eq(transient.id, transientScopeId))),
      )
      .onConflictDoNothing(),
  ]);
  assertBothFound(found, scopeId, transientScopeId);
}

/** Idempotent. */
export async function deleteTransientScope(
  db: Database,
  tenantId: string,
  scopeId: string,
  transientScopeId: string,
) {
  const [found] = await db.batch([
    bothScopesExist(db, tenantId, scopeId, transientScopeId),
    db
      .delete(scopeTransients)
      .where(
        and(
          eq(scopeTransients.tenantId, tenantId),
          eq(scopeTransients.scopeId, scopeId),
          eq(scopeTransients.transientScopeId, transientScopeId),
        ),
      ),
  ]);
  assertBothFound(found, scopeId, transientScopeId);
}
