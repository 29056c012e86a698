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
    /**
     * Carried by every token the client is issued (claim `gen`): revoking all
     * of the client's tokens bumps it, and a token whose `gen` differs is refused.
     */
    tokenGeneration: integer('token_generation').notNull().default(0),
    /** How it authenticates at the token endpoint: client_secret_basic (also accepts post), client_secret_post, private_key_jwt. */
    tokenEndpointAuthMethod: text('token_endpoint_auth_method').notNull().default('client_secret_basic'),
    /** private_key_jwt: its public keys, inline (a normalized JWK set), or where to fetch them. */
    jwks: text('jwks', { mode: 'json' }).$type<{ keys: Record<string, string>[] }>(),
    jwksUri: text('jwks_uri'),
    /**
     * The auth:* privileges held by whoever last set its keys (or its method), as a JSON array: the
     * most a token obtained with those keys can carry, whatever the client is granted later (as
     * client_secrets.granted_privileges for a secret).
     */
    keyPrivileges: text('key_privileges', { mode: 'json' }).$type<string[]>(),
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

/**
 * Access tokens revoked one by one (RFC 7009), by `jti`, kept until the token
 * would have expired anyway (`expires_at`, epoch seconds) and purged after.
 */
export const revokedTokens = sqliteTable(
  'revoked_tokens',
  {
    jti: text('jti').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    clientId: text('client_id').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('revoked_tokens_client_idx').on(t.clientId, t.expiresAt), index('revoked_tokens_expiry_idx').on(t.expiresAt)],
);

/**
 * Secrets deleted (on their own, or with their client): the tokens they minted
 * (claim `secret_id`) are refused. Written by a trigger on client_secrets, kept
 * until the longest-lived token could have expired, and purged after.
 */
export const revokedSecrets = sqliteTable(
  'revoked_secrets',
  {
    secretId: text('secret_id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    clientId: text('client_id').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('revoked_secrets_expiry_idx').on(t.expiresAt)],
);

/**
 * Clients deleted, by a trigger on clients: tokens minted before secrets were
 * recorded in them (no `secret_id` claim) are refused once their client is
 * deleted. Kept for the longest a token can live, and purged after.
 */
export const revokedClients = sqliteTable(
  'revoked_clients',
  {
    clientId: text('client_id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('revoked_clients_expiry_idx').on(t.expiresAt)],
);

/**
 * One row per successful admin write, written in the same D1 batch as the
 * write. `before`/`after` are JSON snapshots of the target (never a secret's
 * clear value or digest). `pending` is 1 until the event reached AUDIT_QUEUE
 * (the outbox); 0 when no queue is configured.
 */
export const auditEvents = sqliteTable(
  'audit_events',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    /** Epoch ms: the time of the write. */
    createdAt: integer('created_at').notNull(),
    actorSub: text('actor_sub').notNull(),
    actorClientId: text('actor_client_id'),
    actorIssuer: text('actor_issuer').notNull(),
    actorJti: text('actor_jti'),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id').notNull(),
    requestId: text('request_id').notNull(),
    before: text('before', { mode: 'json' }),
    after: text('after', { mode: 'json' }),
    pending: integer('pending').notNull().default(0),
  },
  (t) => [
    index('audit_events_tenant_idx').on(t.tenantId, t.createdAt, t.id),
    index('audit_events_target_idx').on(t.tenantId, t.targetId, t.createdAt, t.id),
    index('audit_events_actor_idx').on(t.tenantId, t.actorSub, t.createdAt, t.id),
    index('audit_events_action_idx').on(t.tenantId, t.action, t.createdAt, t.id),
    index('audit_events_age_idx').on(t.createdAt),
    index('audit_events_pending_idx').on(t.createdAt).where(sql`${t.pending} = 1`),
  ],
);

/**
 * The jti of every private_key_jwt assertion accepted (RFC 7523 §3: no replay), per client, until
 * the assertion expires (at most 5 minutes ahead, plus the clock skew allowed); then
 * purged, by the client's next assertion and by the Cron Trigger.
 */
export const clientAssertionJtis = sqliteTable(
  'client_assertion_jtis',
  {
    clientId: text('client_id').notNull(),
    jti: text('jti').notNull(),
    /** Epoch seconds after which the assertion is refused anyway (its exp plus the clock skew). */
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.clientId, t.jti] }), index('client_assertion_jtis_expiry_idx').on(t.clientId, t.expiresAt), index('client_assertion_jtis_purge_idx').on(t.expiresAt)],
);
