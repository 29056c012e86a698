import { sql } from 'drizzle-orm';
import {
  check,
  foreignKey,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';

// Every table carries tenant_id, and every link references its parents by
// (tenant_id, id): a row can never point at another tenant's client or scope.

export const clients = sqliteTable(
  'clients',
  {
    // Client ids are unique across tenants: the token endpoint finds a client by id alone.
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    redirectUris: text('redirect_uris', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    postLogoutRedirectUris: text('post_logout_redirect_uris', { mode: 'json' })
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'`),
    public: integer('public', { mode: 'boolean' }).notNull().default(false),
    trusted: integer('trusted', { mode: 'boolean' }).notNull().default(false),
    metadata: text('metadata', { mode: 'json' }).$type<Record<string, string>>().notNull().default(sql`'{}'`),
    createdAt: integer('created_at').notNull(),
    // Version of the client's representation (its ETag). Triggers bump it when secrets or scope links change.
    version: integer('version').notNull().default(1),
  },
  (t) => [
    uniqueIndex('clients_tenant_id_uq').on(t.tenantId, t.id),
    index('clients_tenant_created_idx').on(t.tenantId, t.createdAt, t.id),
  ],
);

export const clientSecrets = sqliteTable(
  'client_secrets',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    clientId: text('client_id').notNull(),
    name: text('name').notNull(),
    lastDigits: text('last_digits').notNull(),
    // SHA-256 of the clear secret, hex. Never selected by a read endpoint.
    digest: text('digest').notNull(),
    metadata: text('metadata', { mode: 'json' }).$type<Record<string, string>>().notNull().default(sql`'{}'`),
    createdAt: integer('created_at').notNull(),
    /** Epoch ms; NULL never expires. */
    expiresAt: integer('expires_at'),
    /** Epoch ms, refreshed at most about once an hour. */
    lastUsedAt: integer('last_used_at'),
    /**
     * The auth:* privileges its creator's token held, as a JSON array: the most
     * this secret can ever obtain, whatever the client is granted later. NULL
     * (secrets made before this column): auth:read and auth:write, never auth:tenants.
     */
    grantedPrivileges: text('granted_privileges', { mode: 'json' }).$type<string[]>(),
  },
  (t) => [
    foreignKey({ columns: [t.tenantId, t.clientId], foreignColumns: [clients.tenantId, clients.id] }).onDelete(
      'cascade',
    ),
    index('client_secrets_client_idx').on(t.tenantId, t.clientId, t.createdAt, t.id),
  ],
);

export const scopes = sqliteTable(
  'scopes',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    label: text('label').notNull(),
    metadata: text('metadata', { mode: 'json' }).$type<Record<string, string>>().notNull().default(sql`'{}'`),
    createdAt: integer('created_at').notNull(),
    // Bumped by triggers when transient scopes change.
    version: integer('version').notNull().default(1),
  },
  (t) => [
    uniqueIndex('scopes_tenant_id_uq').on(t.tenantId, t.id),
    uniqueIndex('scopes_tenant_label_uq').on(t.tenantId, t.label),
    index('scopes_tenant_created_idx').on(t.tenantId, t.createdAt, t.id),
  ],
);

export const clientScopes = sqliteTable(
  'client_scopes',
  {
    tenantId: text('tenant_id').notNull(),
    clientId: text('client_id').notNull(),
    scopeId: text('scope_id').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.clientId, t.scopeId] }),
    foreignKey({ columns: [t.tenantId, t.clientId], foreignColumns: [clients.tenantId, clients.id] }).onDelete(
      'cascade',
    ),
    foreignKey({ columns: [t.tenantId, t.scopeId], foreignColumns: [scopes.tenantId, scopes.id] }).onDelete(
      'cascade',
    ),
    // Serves the cascade when a scope is deleted.
    index('client_scopes_scope_idx').on(t.tenantId, t.scopeId),
  ],
);

export const scopeTransients = sqliteTable(
  'scope_transients',
  {
    tenantId: text('tenant_id').notNull(),
    scopeId: text('scope_id').notNull(),
    transientScopeId: text('transient_scope_id').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.scopeId, t.transientScopeId] }),
    foreignKey({ columns: [t.tenantId, t.scopeId], foreignColumns: [scopes.tenantId, scopes.id] }).onDelete(
      'cascade',
    ),
    foreignKey({
      columns: [t.tenantId, t.transientScopeId],
      foreignColumns: [scopes.tenantId, scopes.id],
    }).onDelete('cascade'),
    index('scope_transients_transient_idx').on(t.tenantId, t.transientScopeId),
    check('scope_transients_not_self', sql`${t.scopeId} <> ${t.transientScopeId}`),
  ],
);
