import { and, asc, eq, sql } from 'drizzle-orm';
import type { Database } from '../db';
import { clients, clientScopes, clientSecrets, scopes } from '../db/schema';
import { ApiError, notFound } from '../lib/errors';
import type { Client, ClientOptions, ClientSecret } from './clients.schemas';

// The whole Client, scopes and secrets included, built by SQLite as one JSON
// value: a read costs one query whatever the number of secrets and scopes.
// Written as raw SQL because drizzle drops table qualifiers inside select
// fields, which would make the correlated subqueries compare columns with
// themselves. Subqueries drop JSON subtypes, hence the json() wrappers.
const clientJson = sql<string>`json_object(
  'id', clients.id,
  'name', clients.name,
  'description', clients.description,
  'redirectUris', json(clients.redirect_uris),
  'postLogoutRedirectUris', json(clients.post_logout_redirect_uris),
  'public', json(CASE WHEN clients.public THEN 'true' ELSE 'false' END),
  'trusted', json(CASE WHEN clients.trusted THEN 'true' ELSE 'false' END),
  'metadata', json(clients.metadata),
  'scopes', json((SELECT json_group_array(scope_id) FROM (
    SELECT cs.scope_id FROM client_scopes cs
    WHERE cs.tenant_id = clients.tenant_id AND cs.client_id = clients.id
    ORDER BY cs.created_at, cs.scope_id))),
  'secrets', json((SELECT json_group_array(json(secret)) FROM (
    SELECT json_object('id', s.id, 'name', s.name, 'lastDigits', s.last_digits, 'metadata', json(s.metadata)) AS secret
    FROM client_secrets s
    WHERE s.tenant_id = clients.tenant_id AND s.client_id = clients.id
    ORDER BY s.created_at, s.id)))
)`;

const parseClient = (row: { client: string }) => JSON.parse(row.client) as Client;

const byId = (tenantId: string, clientId: string) => and(eq(clients.tenantId, tenantId), eq(clients.id, clientId));

function clientExists(db: Database, tenantId: string, clientId: string) {
  return db.select({ id: clients.id }).from(clients).where(byId(tenantId, clientId));
}

function scopeExists(db: Database, tenantId: string, scopeId: string) {
  return db
    .select({ id: scopes.id })
    .from(scopes)
    .where(and(eq(scopes.tenantId, tenantId), eq(scopes.id, scopeId)));
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

export async function listClients(db: Database, tenantId: string): Promise<Client[]> {
  const rows = await db
    .select({ client: clientJson })
    .from(clients)
    .where(eq(clients.tenantId, tenantId))
    .orderBy(asc(clients.createdAt), asc(clients.id));
  return rows.map(parseClient);
}

export async function readClient(db: Database, tenantId: string, clientId: string): Promise<Client> {
  const [row] = await db.select({ client: clientJson }).from(clients).where(byId(tenantId, clientId));
  if (!row) throw notFound('client', clientId);
  return parseClient(row);
}

export async function createClient(
  db: Database,
  tenantId: string,
  input: ClientOptions & { id?: string },
): Promise<Client> {
  const id = input.id ?? crypto.randomUUID();
  const options = storedOptions(input);
  const inserted = await db
    .insert(clients)
    .values({ id, tenantId, ...options, createdAt: Date.now() })
    .onConflictDoNothing()
    .returning({ id: clients.id });
  if (!inserted.length) throw new ApiError('CONFLICT', `client "${id}" already exists`);
  return { id, ...options, scopes: [], secrets: [] };
}

export async function updateClient(
  db: Database,
  tenantId: string,
  clientId: string,
  options: ClientOptions,
): Promise<Client> {
  const [, rows] = await db.batch([
    db.update(clients).set(storedOptions(options)).where(byId(tenantId, clientId)),
    db.select({ client: clientJson }).from(clients).where(byId(tenantId, clientId)),
  ]);
  const [row] = rows;
  if (!row) throw notFound('client', clientId);
  return parseClient(row);
}

export async function deleteClient(db: Database, tenantId: string, clientId: string): Promise<void> {
  // Secrets and scope links go with it: ON DELETE CASCADE.
  const deleted = await db.delete(clients).where(byId(tenantId, clientId)).returning({ id: clients.id });
  if (!deleted.length) throw notFound('client', clientId);
}

export async function insertSecret(
  db: Database,
  tenantId: string,
  clientId: string,
  secret: ClientSecret & { digest: string },
): Promise<void> {
  // INSERT ... SELECT FROM clients: the row only exists if the client does, in one statement.
  const inserted = await db
    .insert(clientSecrets)
    .select(
      db
        .select({
          id: sql`${secret.id}`.as('id'),
          tenantId: clients.tenantId,
          clientId: clients.id,
          name: sql`${secret.name}`.as('name'),
          lastDigits: sql`${secret.lastDigits}`.as('last_digits'),
          digest: sql`${secret.digest}`.as('digest'),
          metadata: sql`${JSON.stringify(secret.metadata)}`.as('metadata'),
          createdAt: sql`${Date.now()}`.as('created_at'),
        })
        .from(clients)
        .where(byId(tenantId, clientId)),
    )
    .returning({ id: clientSecrets.id });
  if (!inserted.length) throw notFound('client', clientId);
}

export async function deleteSecret(db: Database, tenantId: string, clientId: string, secretId: string) {
  const [client, deleted] = await db.batch([
    clientExists(db, tenantId, clientId),
    db
      .delete(clientSecrets)
      .where(
        and(
          eq(clientSecrets.tenantId, tenantId),
          eq(clientSecrets.clientId, clientId),
          eq(clientSecrets.id, secretId),
        ),
      )
      .returning({ id: clientSecrets.id }),
  ]);
  if (!client.length) throw notFound('client', clientId);
  if (!deleted.length) throw notFound('secret', secretId);
}

/** Idempotent: attaching an attached scope changes nothing. */
export async function attachScope(db: Database, tenantId: string, clientId: string, scopeId: string) {
  const [client, scope] = await db.batch([
    clientExists(db, tenantId, clientId),
    scopeExists(db, tenantId, scopeId),
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
          .where(and(byId(tenantId, clientId), eq(scopes.id, scopeId))),
      )
      .onConflictDoNothing(),
  ]);
  if (!client.length) throw notFound('client', clientId);
  if (!scope.length) throw notFound('scope', scopeId);
}

/** Idempotent: detaching a scope that is not attached changes nothing. */
export async function detachScope(db: Database, tenantId: string, clientId: string, scopeId: string) {
  const [client, scope] = await db.batch([
    clientExists(db, tenantId, clientId),
    scopeExists(db, tenantId, scopeId),
    db
      .delete(clientScopes)
      .where(
        and(
          eq(clientScopes.tenantId, tenantId),
          eq(clientScopes.clientId, clientId),
          eq(clientScopes.scopeId, scopeId),
        ),
      ),
  ]);
  if (!client.length) throw notFound('client', clientId);
  if (!scope.length) throw notFound('scope', scopeId);
}

