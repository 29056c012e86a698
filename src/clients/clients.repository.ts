import { and, eq, exists, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db';
import { clients, clientScopes, clientSecrets, scopes } from '../db/schema';
import {
  assertLinkPrecondition,
  assertPrecondition,
  byTenantAndId,
  parentGuard,
  probeVersion,
  rowExists,
  versionCondition,
} from '../db/versioning';
import { ApiError, notFound } from '../lib/errors';
import type { Precondition } from '../lib/etag';
import { afterPosition, budgetedListQuery, budgetedPage, FILTERED_SCAN_BUDGET, scannedPage, withinPageBudget, type BoundedScan, type BudgetedRow, type ScannedRow } from '../lib/pagination';
import type { CursorPosition } from '../lib/cursor';
import { escalationRefused } from '../auth/privileges';
import { aroundWrite, type AuditContext } from '../audit/audit-trail';
import { closureAllows, closureOf, closureReport, MAX_CLOSURE, noLackedPrivilege, readClosureReport, startFrom } from '../scopes/closure';
import type { Client, ClientOptions } from './clients.schemas';
import { DEFAULT_AUTH_METHOD, givesAuthOptions, normalizeJwks, type AuthOptions } from './client-keys';
import { isPrivilege } from '../auth/privileges';
import { guardedAll, guardedRead, type TokenGuard } from '../auth/token-liveness';

/** The most secrets a client may hold that have not expired. */
export const MAX_LIVE_SECRETS = 20;
/** The most scopes that may be attached to one client. */
export const MAX_CLIENT_SCOPES = 100;

/** The scopes a client holds now, transient ones included. */
const heldBy = (tenantId: string, clientId: string) => closureOf(tenantId, startFrom.clientScopes(tenantId, clientId));

// The whole Client, scopes and secrets included, built by SQLite as one JSON
// value: a read costs one query whatever the number of secrets and scopes.
// Written as raw SQL because drizzle drops table qualifiers inside select
// fields, which would make the correlated subqueries compare columns with
// themselves. Subqueries drop JSON subtypes, hence the json() wrappers.
// Secret timestamps stay epoch ms here; toClient() formats them.
const clientFields = sql`
  'id', clients.id,
  'name', clients.name,
  'description', clients.description,
  'redirectUris', json(clients.redirect_uris),
  'postLogoutRedirectUris', json(clients.post_logout_redirect_uris),
  'public', json(CASE WHEN clients.public THEN 'true' ELSE 'false' END),
  'trusted', json(CASE WHEN clients.trusted THEN 'true' ELSE 'false' END),
  'metadata', json(clients.metadata),
  'tokenEndpointAuthMethod', clients.token_endpoint_auth_method,
  'jwks', json(clients.jwks),
  'jwksUri', clients.jwks_uri,
  'scopes', json((SELECT json_group_array(scope_id) FROM (
    SELECT cs.scope_id FROM client_scopes cs
    WHERE cs.tenant_id = clients.tenant_id AND cs.client_id = clients.id
    ORDER BY cs.created_at, cs.scope_id)))`;

/** The client's secrets as a JSON array, each one `secret` (an expression over `s`), in creation order. */
const secretsOf = (secret: SQL) => sql`json((SELECT json_group_array(json(secret)) FROM (
    SELECT ${secret} AS secret
    FROM client_secrets s
    WHERE s.tenant_id = clients.tenant_id AND s.client_id = clients.id
    ORDER BY s.created_at, s.id)))`;

const clientJson = sql<string>`json_object(${clientFields},
  'secrets', ${secretsOf(sql`json_object('id', s.id, 'name', s.name, 'lastDigits', s.last_digits, 'metadata', json(s.metadata),
      'createdAt', s.created_at, 'expiresAt', s.expires_at, 'lastUsedAt', s.last_used_at)`)}
)`;

/**
 * A client as its audit events record it (see src/audit/audit-trail.ts): its
 * options and scopes, its secrets by id, name and last digits only (never a
 * digest), and its version, which every write to it bumps. NULL when absent.
 */
const clientSnapshot = (tenantId: string, clientId: string) => sql`(SELECT json_object(${clientFields},
  'secrets', ${secretsOf(sql`json_object('id', s.id, 'name', s.name, 'lastDigits', s.last_digits)`)},
  'version', clients.version)
  FROM clients WHERE clients.tenant_id = ${tenantId} AND clients.id = ${clientId})`;

/** The audit statements of a write to a client, its secrets or its scope links. */
const auditClient = (db: Database, audit: AuditContext, action: string, tenantId: string, clientId: string) =>
  aroundWrite(db, audit, { action, targetType: 'client', targetId: clientId, snapshot: clientSnapshot(tenantId, clientId) });

/** What a client's JSON weighs, about, without building it: for the page budget. */
const clientBytes = sql<number>`(200
  + octet_length(clients.name) + octet_length(clients.description) + octet_length(clients.metadata)
  + octet_length(clients.redirect_uris) + octet_length(clients.post_logout_redirect_uris)
  + coalesce(octet_length(clients.jwks), 0) + coalesce(octet_length(clients.jwks_uri), 0)
  + (SELECT coalesce(sum(200 + octet_length(s.name) + octet_length(s.metadata)), 0) FROM client_secrets s
      WHERE s.tenant_id = clients.tenant_id AND s.client_id = clients.id)
  + 40 * (SELECT count(*) FROM client_scopes cs WHERE cs.tenant_id = clients.tenant_id AND cs.client_id = clients.id))`;

const clientRow = { client: clientJson, version: clients.version, createdAt: clients.createdAt, id: clients.id };

export interface VersionedClient {
  client: Client;
  version: number;
}

const isoOrNull = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

type StoredSecret = Omit<Client['secrets'][number], 'createdAt' | 'expiresAt' | 'lastUsedAt'> & {
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
};

function toClient(row: { client: string }): Client {
  const client = JSON.parse(row.client) as Omit<Client, 'secrets'> & { secrets: StoredSecret[] };
  return {
    ...client,
    secrets: client.secrets.map((s) => ({
      ...s,
      createdAt: new Date(s.createdAt).toISOString(),
      expiresAt: isoOrNull(s.expiresAt),
      lastUsedAt: isoOrNull(s.lastUsedAt),
    })),
  };
}

const byId = (tenantId: string, clientId: string) => byTenantAndId(clients, tenantId, clientId);

/**
 * The authentication options as stored: keys normalized to their public members, and the
 * privileges of the caller setting them, the most the keys' tokens may ever carry.
 */
function storedAuthOptions(options: AuthOptions, held: readonly string[]) {
  const method = options.tokenEndpointAuthMethod ?? DEFAULT_AUTH_METHOD;
  return {
    tokenEndpointAuthMethod: method,
    jwks: options.jwks ? normalizeJwks(options.jwks) : null,
    jwksUri: options.jwksUri ?? null,
    keyPrivileges: method === 'private_key_jwt' ? held.filter(isPrivilege) : null,
  };
}

/**
 * The client's token generation after its authentication options become `next`: bumped (every
 * token it holds revoked) when the method or the jwksUri changes or a key is removed or altered,
 * so a key taken away takes its tokens with it; kept when keys are only added (rotation).
 */
function generationAfter(next: ReturnType<typeof storedAuthOptions>) {
  const nextKeys = next.jwks ? JSON.stringify(next.jwks) : null;
  return sql`CASE WHEN ${clients.tokenEndpointAuthMethod} IS NOT ${next.tokenEndpointAuthMethod}
      OR ${clients.jwksUri} IS NOT ${next.jwksUri}
      OR EXISTS (SELECT 1 FROM json_each(${clients.jwks}, '$.keys') AS old_key
        WHERE old_key.value NOT IN (SELECT new_key.value FROM json_each(${nextKeys}, '$.keys') AS new_key))
    THEN ${clients.tokenGeneration} + 1 ELSE ${clients.tokenGeneration} END`;
}

/**
 * The keys' privileges after an update that sets the authentication options to `next`. They are
 * those of whoever brought the keys, never raised by someone who merely saved the client:
 *  - nothing changed (an edit of the name that re-sends the same keys): kept;
 *  - a key or the jwksUri stays (a key added, another removed): what was recorded AND what the
 *    caller holds, so a key already there never gains a privilege through someone else's edit;
 *  - all new keys, or a new jwksUri: what the caller holds (storedAuthOptions).
 */
function keyPrivilegesAfter(next: ReturnType<typeof storedAuthOptions>) {
  if (next.keyPrivileges === null) return null;
  const nextKeys = next.jwks ? JSON.stringify(next.jwks) : null;
  const held = JSON.stringify(next.keyPrivileges);
  const sameSource = sql`${clients.tokenEndpointAuthMethod} = 'private_key_jwt'`;
  const unchanged = sql`${sameSource} AND ${clients.jwksUri} IS ${next.jwksUri}
    AND json(coalesce(${clients.jwks}, 'null')) = json(coalesce(${nextKeys}, 'null'))`;
  const kept = sql`${sameSource} AND (
    (${clients.jwksUri} IS NOT NULL AND ${clients.jwksUri} = ${next.jwksUri})
    OR EXISTS (SELECT 1 FROM json_each(${clients.jwks}, '$.keys') AS old_key
      WHERE old_key.value IN (SELECT new_key.value FROM json_each(${nextKeys}, '$.keys') AS new_key)))`;
  return sql`CASE
    WHEN ${unchanged} THEN ${clients.keyPrivileges}
    WHEN ${kept} THEN (SELECT json_group_array(recorded.value) FROM json_each(coalesce(${clients.keyPrivileges}, '[]')) AS recorded
      WHERE recorded.value IN (SELECT value FROM json_each(${held})))
    ELSE ${held} END`;
}

/** Full replacement: an option left out goes back to its default. */
function storedOptions(options: ClientOptions) {
  return {
    name: options.name,
    description: options.description ?? '',
    redirectUris: options.redirectUris ?? [],
    postLogoutRedirectUris: options.postLogoutRedirectUris ?? [],
    public: options.public ?? false,
    trusted: options.trusted ?? false,
    metadata: options.metadata ?? {},
  };
}

export interface ClientFilters {
  namePrefix?: string;
  metadata: [string, string][];
}

const hasFilters = (filters: ClientFilters) => Boolean(filters.namePrefix) || filters.metadata.length > 0;

function filterConditions(filters: ClientFilters): (SQL | undefined)[] {
  const conditions: (SQL | undefined)[] = [];
  if (filters.namePrefix) {
    // substr comparison: case-sensitive and free of LIKE wildcards. SQLite counts characters
    // (code points) where a JS string's length counts UTF-16 units: an emoji is 1, not 2.
    conditions.push(sql`substr(${clients.name}, 1, ${[...filters.namePrefix].length}) = ${filters.namePrefix}`);
  }
  for (const [key, value] of filters.metadata) {
    // json_each matches any key, dots and quotes included, which a JSON path would not.
    conditions.push(
      sql`EXISTS (SELECT 1 FROM json_each(${clients.metadata}) m WHERE m.key = ${key} AND m.value = ${value})`,
    );
  }
  return conditions;
}

type ClientPageRow = { client: Client; version: number; createdAt: number; id: string };

/**
 * One page, one indexed query: (tenant_id, created_at, id) serves both the range and the order.
 * Unfiltered, the page is the next `limit` rows. Filtered, see listFilteredClients.
 */
export async function listClients(
  db: Database,
  tenantId: string,
  page: { limit: number; after?: CursorPosition; filters: ClientFilters },
  guard?: TokenGuard,
): Promise<ClientPageRow[] | BoundedScan<ClientPageRow>> {
  if (hasFilters(page.filters)) return listFilteredClients(db, tenantId, page, guard);
  const rows = await guardedAll<BudgetedRow>(
    db,
    guard,
    budgetedListQuery(clients, sql`${clients.tenantId} = ${tenantId}`, page, clientBytes, clientJson),
  );
  return budgetedPage(rows, toPageRow);
}

const toPageRow = (row: { json: string; version: number; created_at: number; id: string }): ClientPageRow => ({
  client: toClient({ client: row.json }),
  version: row.version,
  createdAt: row.created_at,
  id: row.id,
});

/**
 * A filtered page scans at most FILTERED_SCAN_BUDGET rows of the tenant, in
 * (created_at, id) order after the cursor, and keeps those matching the
 * filters (at most `limit`). One statement:
 *   scan    the next budget + 1 positions, from the (tenant_id, created_at, id)
 *           index alone (the extra one only says whether rows remain);
 *   budget  the first FILTERED_SCAN_BUDGET of them: the rows the filters see,
 *           each fetched by rowid;
 *   hits    the matching ones, in order, at most `limit`;
 * and a marker row (stop = 1) with the last budgeted position when rows
 * remained beyond the budget: the next page resumes the scan after it, even
 * when this one came back short or empty.
 */
async function listFilteredClients(
  db: Database,
  tenantId: string,
  page: { limit: number; after?: CursorPosition; filters: ClientFilters },
  guard?: TokenGuard,
): Promise<BoundedScan<ClientPageRow>> {
  const after = afterPosition(clients, page.after);
  const rows = await guardedAll<ScannedRow>(db, guard, sql`
    WITH
      scan AS (
        SELECT ${clients}.rowid AS rid, ${clients.createdAt} AS created_at, ${clients.id} AS id FROM ${clients}
        WHERE ${clients.tenantId} = ${tenantId}${after ? sql` AND ${after}` : sql``}
        ORDER BY ${clients.createdAt}, ${clients.id}
        LIMIT ${FILTERED_SCAN_BUDGET + 1}
      ),
      budget AS (SELECT rid, created_at, id FROM scan ORDER BY created_at, id LIMIT ${FILTERED_SCAN_BUDGET}),
      hits AS (
        SELECT budget.rid, budget.created_at, budget.id FROM budget JOIN ${clients} ON ${clients}.rowid = budget.rid
        WHERE ${and(...filterConditions(page.filters))}
        ORDER BY budget.created_at, budget.id
        LIMIT ${page.limit}
      ),
      page AS (${withinPageBudget(
        sql`SELECT hits.rid AS rid, hits.created_at AS created_at, hits.id AS id, ${clientBytes} AS bytes
          FROM hits JOIN ${clients} ON ${clients}.rowid = hits.rid`,
        clients,
        clientJson,
        sql`clients.version`,
      )})
    SELECT 0 AS stop, json, version, created_at, id, fetched FROM page
    UNION ALL
    SELECT 1, NULL, NULL, created_at, id, NULL
      FROM (SELECT created_at, id FROM budget ORDER BY created_at DESC, id DESC LIMIT 1)
      WHERE (SELECT count(*) FROM scan) > ${FILTERED_SCAN_BUDGET}
    ORDER BY 1, 4, 5`);
  return scannedPage(rows, toPageRow);
}

export async function readClient(db: Database, tenantId: string, clientId: string, guard?: TokenGuard): Promise<VersionedClient> {
  const [row] = await guardedRead(db, guard, db.select(clientRow).from(clients).where(byId(tenantId, clientId)));
  if (!row) throw notFound('client', clientId);
  return { client: toClient(row), version: row.version };
}

export async function createClient(
  db: Database,
  tenantId: string,
  input: ClientOptions & { id?: string },
  held: readonly string[],
  audit: AuditContext,
): Promise<VersionedClient> {
  const id = input.id ?? crypto.randomUUID();
  const options = storedOptions(input);
  const { keyPrivileges, ...auth } = storedAuthOptions(input, held);
  const trail = auditClient(db, audit, 'createClient', tenantId, id);
  // Ids are unique across tenants (the token endpoint finds clients by id alone).
  const [, inserted] = await db.batch([
    ...trail.before,
    db
      .insert(clients)
      .values({ id, tenantId, ...options, ...auth, keyPrivileges, createdAt: Date.now() })
      .onConflictDoNothing()
      .returning({ version: clients.version }),
    ...trail.after,
  ]);
  if (!inserted[0]) throw new ApiError('CONFLICT', `client "${id}" already exists`);
  return { client: { id, ...options, ...auth, scopes: [], secrets: [] }, version: inserted[0].version };
}

/** Refused (403) when the client holds a privilege the caller lacks: it would be a way to change a stronger client. */
/** The authentication options an update sets: none when its body names none of them (Formance SDKs). */
function authUpdate(options: AuthOptions, held: readonly string[]) {
  if (!givesAuthOptions(options)) return {};
  const next = storedAuthOptions(options, held);
  return { ...next, keyPrivileges: keyPrivilegesAfter(next), tokenGeneration: generationAfter(next) };
}

export async function updateClient(
  db: Database,
  tenantId: string,
  clientId: string,
  options: ClientOptions,
  held: readonly string[],
  audit: AuditContext,
  precondition?: Precondition,
): Promise<VersionedClient> {
  const closure = heldBy(tenantId, clientId);
  const trail = auditClient(db, audit, 'updateClient', tenantId, clientId);
  const [, report, updated, rows] = await db.batch([
    ...trail.before,
    closureReport(db, tenantId, closure, held),
    db
      .update(clients)
      .set({ ...storedOptions(options), ...authUpdate(options, held), version: sql`${clients.version} + 1` })
      .where(and(byId(tenantId, clientId), versionCondition(clients, precondition), closureAllows(tenantId, closure, held)))
      .returning({ id: clients.id }),
    db.select(clientRow).from(clients).where(byId(tenantId, clientId)),
    ...trail.after,
  ]);
  const [row] = rows;
  if (!row) throw notFound('client', clientId);
  if (!updated.length) {
    const { lacked, size } = readClosureReport(report);
    if (lacked.length) throw escalationRefused(`changing client "${clientId}"`, lacked);
    if (size > MAX_CLOSURE) throw closureUncheckable(clientId);
    assertPrecondition([{ version: row.version }], precondition, 'client', clientId);
  }
  return { client: toClient(row), version: row.version };
}

/** Its secrets and scope links go with it: ON DELETE CASCADE. */
/**
 * Refused (403) when the client holds a privilege the caller lacks: a lesser
 * caller neither removes a stronger client nor frees its id to re-import it.
 */
export async function deleteClient(
  db: Database,
  tenantId: string,
  clientId: string,
  held: readonly string[],
  audit: AuditContext,
  precondition?: Precondition,
) {
  const closure = heldBy(tenantId, clientId);
  const trail = auditClient(db, audit, 'deleteClient', tenantId, clientId);
  const [, probe, report] = await db.batch([
    ...trail.before,
    probeVersion(db, clients, tenantId, clientId),
    closureReport(db, tenantId, closure, held),
    db
      .delete(clients)
      .where(and(byId(tenantId, clientId), versionCondition(clients, precondition), noLackedPrivilege(tenantId, closure, held))),
    ...trail.after,
  ]);
  if (!probe.length) throw notFound('client', clientId);
  const { lacked } = readClosureReport(report);
  if (lacked.length) throw escalationRefused(`deleting client "${clientId}"`, lacked);
  assertPrecondition(probe, precondition, 'client', clientId);
}

export interface NewSecret {
  id: string;
  name: string;
  lastDigits: string;
  digest: string;
  metadata: Record<string, string>;
  createdAt: number;
  expiresAt: number | null;
}

/**
 * INSERT ... SELECT FROM clients: the row only exists if the client does. A
 * secret is the power to act as the client, so it is refused (403) when the
 * client holds a privilege the caller lacks, or holds more than MAX_CLOSURE
 * scopes (its privileges could not all be checked), and (400) past
 * MAX_LIVE_SECRETS. It records the caller's privileges: the most it can ever
 * obtain, whatever the client is granted later. The client's expired secrets
 * go in the same batch, so expired ones cannot pile up past the cap.
 */
export async function insertSecret(
  db: Database,
  tenantId: string,
  clientId: string,
  secret: NewSecret,
  held: readonly string[],
  audit: AuditContext,
) {
  const value = <T>(v: T, name: string) => sql<T>`${v}`.as(name);
  const closure = heldBy(tenantId, clientId);
  const allowed = closureAllows(tenantId, closure, held);
  const ofClient = sql`tenant_id = ${tenantId} AND client_id = ${clientId}`;
  const liveSecrets = sql<number>`(SELECT count(*) FROM client_secrets
    WHERE ${ofClient} AND (expires_at IS NULL OR expires_at > ${secret.createdAt}))`;
  const underCap = sql`${liveSecrets} < ${MAX_LIVE_SECRETS}`;
  const trail = auditClient(db, audit, 'createSecret', tenantId, clientId);
  const [, found, report, live, , inserted] = await db.batch([
    ...trail.before,
    rowExists(db, clients, tenantId, clientId),
    closureReport(db, tenantId, closure, held),
    db.select({ count: liveSecrets }).from(sql`(SELECT 1)`),
    db
      .delete(clientSecrets)
      .where(
        and(
          sql`${clientSecrets.tenantId} = ${tenantId} AND ${clientSecrets.clientId} = ${clientId}`,
          sql`${clientSecrets.expiresAt} <= ${secret.createdAt}`,
          // Only with the insert: a refused secret (403, 400) changes nothing, expired ones included.
          exists(db.select({ one: sql`1` }).from(clients).where(and(byId(tenantId, clientId), allowed, underCap))),
        ),
      ),
    db
      .insert(clientSecrets)
      .select(
        db
          .select({
            id: value(secret.id, 'id'),
            tenantId: clients.tenantId,
            clientId: clients.id,
            name: value(secret.name, 'name'),
            lastDigits: value(secret.lastDigits, 'last_digits'),
            digest: value(secret.digest, 'digest'),
            metadata: value(JSON.stringify(secret.metadata), 'metadata'),
            createdAt: value(secret.createdAt, 'created_at'),
            expiresAt: value(secret.expiresAt, 'expires_at'),
            lastUsedAt: value(null, 'last_used_at'),
            grantedPrivileges: value(JSON.stringify([...held].sort()), 'granted_privileges'),
          })
          .from(clients)
          .where(and(byId(tenantId, clientId), allowed, underCap)),
      )
      .returning({ id: clientSecrets.id }),
    ...trail.after,
  ]);
  if (inserted.length) return;
  if (!found.length) throw notFound('client', clientId);
  const { lacked, size } = readClosureReport(report);
  if (lacked.length) throw escalationRefused(`a secret for client "${clientId}"`, lacked);
  if (size > MAX_CLOSURE) throw closureUncheckable(clientId);
  if ((live[0]?.count ?? 0) >= MAX_LIVE_SECRETS) {
    throw new ApiError('VALIDATION', `secrets: a client may hold at most ${MAX_LIVE_SECRETS} secrets that have not expired`);
  }
  throw new Error('the secret was not inserted, for no known reason');
}

/** A client beyond MAX_CLOSURE (written before the cap): what it could grant cannot be checked, so nothing is handed on. */
const closureUncheckable = (clientId: string) =>
  new ApiError('FORBIDDEN', `client "${clientId}" reaches more than ${MAX_CLOSURE} scopes: detach some before changing it`);

export async function deleteSecret(
  db: Database,
  tenantId: string,
  clientId: string,
  secretId: string,
  audit: AuditContext,
  precondition?: Precondition,
) {
  const trail = auditClient(db, audit, 'deleteSecret', tenantId, clientId);
  const [, probe, deleted] = await db.batch([
    ...trail.before,
    probeVersion(db, clients, tenantId, clientId),
    db
      .delete(clientSecrets)
      .where(
        and(
          eq(clientSecrets.tenantId, tenantId),
          eq(clientSecrets.clientId, clientId),
          eq(clientSecrets.id, secretId),
          parentGuard(db, clients, tenantId, clientId, precondition),
        ),
      )
      .returning({ id: clientSecrets.id }),
    ...trail.after,
  ]);
  assertPrecondition(probe, precondition, 'client', clientId);
  if (!deleted.length) throw notFound('secret', secretId);
}

/**
 * Idempotent: attaching an attached scope changes nothing. Refused when the
 * client would then hold a privilege the caller lacks (403), more than
 * MAX_CLIENT_SCOPES scopes or a closure beyond MAX_CLOSURE (400). One batch.
 */
export async function attachScope(
  db: Database,
  tenantId: string,
  clientId: string,
  scopeId: string,
  held: readonly string[],
  audit: AuditContext,
  precondition?: Precondition,
) {
  const closure = closureOf(tenantId, sql`${startFrom.clientScopes(tenantId, clientId)} UNION SELECT ${scopeId}`);
  const attachedCount = sql<number>`(SELECT count(*) FROM client_scopes WHERE tenant_id = ${tenantId} AND client_id = ${clientId})`;
  const attached = sql<number>`EXISTS (SELECT 1 FROM client_scopes
    WHERE tenant_id = ${tenantId} AND client_id = ${clientId} AND scope_id = ${scopeId})`;
  const trail = auditClient(db, audit, 'addScopeToClient', tenantId, clientId);
  const [, probe, scope, report, links] = await db.batch([
    ...trail.before,
    probeVersion(db, clients, tenantId, clientId),
    rowExists(db, scopes, tenantId, scopeId),
    closureReport(db, tenantId, closure, held),
    db.select({ count: attachedCount, attached }).from(sql`(SELECT 1)`),
    db
      .insert(clientScopes)
      .select(
        db
          .select({
            tenantId: clients.tenantId,
            clientId: clients.id,
            scopeId: scopes.id,
            createdAt: sql`${Date.now()}`.as('created_at'),
          })
          .from(clients)
          .innerJoin(scopes, eq(scopes.tenantId, clients.tenantId))
          .where(
            and(
              byId(tenantId, clientId),
              eq(scopes.id, scopeId),
              versionCondition(clients, precondition),
              closureAllows(tenantId, closure, held),
              sql`${attachedCount} < ${MAX_CLIENT_SCOPES}`,
            ),
          ),
      )
      .onConflictDoNothing(),
    ...trail.after,
  ]);
  assertLinkPrecondition({ kind: 'client', id: clientId, probe }, { kind: 'scope', id: scopeId, found: scope }, undefined);
  const { size, lacked } = readClosureReport(report);
  if (lacked.length) throw escalationRefused(`attaching scope "${scopeId}" to client "${clientId}"`, lacked);
  assertPrecondition(probe, precondition, 'client', clientId);
  if (links[0]?.attached) return;
  if ((links[0]?.count ?? 0) >= MAX_CLIENT_SCOPES) {
    throw new ApiError('VALIDATION', `scopes: a client may hold at most ${MAX_CLIENT_SCOPES} scopes`);
  }
  if (size > MAX_CLOSURE) {
    throw new ApiError('VALIDATION', `scopes: a client may be granted at most ${MAX_CLOSURE} scopes, transient scopes included`);
  }
}

/** Idempotent: detaching a scope that is not attached changes nothing. */
export async function detachScope(
  db: Database,
  tenantId: string,
  clientId: string,
  scopeId: string,
  audit: AuditContext,
  precondition?: Precondition,
) {
  const trail = auditClient(db, audit, 'deleteScopeFromClient', tenantId, clientId);
  const [, probe, scope] = await db.batch([
    ...trail.before,
    probeVersion(db, clients, tenantId, clientId),
    rowExists(db, scopes, tenantId, scopeId),
    db
      .delete(clientScopes)
      .where(
        and(
          eq(clientScopes.tenantId, tenantId),
          eq(clientScopes.clientId, clientId),
          eq(clientScopes.scopeId, scopeId),
          parentGuard(db, clients, tenantId, clientId, precondition),
        ),
      ),
    ...trail.after,
  ]);
  assertLinkPrecondition({ kind: 'client', id: clientId, probe }, { kind: 'scope', id: scopeId, found: scope }, precondition);
}
