import type { Context } from 'hono';
import { auditContextOf as audit } from '../audit/audit-trail';
import { signingKeysOf } from '../auth/signing-keys';
import { publicUrlOf } from '../config';
import type { AppRouteHandler as Handler } from '../lib/create-router';
import { ApiError } from '../lib/errors';
import { etagHeader as etag, preconditionOf as ifMatch } from '../lib/etag';
import { readPage } from '../lib/pagination';
import { digestSecret, generateClearSecret, lastDigitsOf } from '../lib/secrets';
import { assertImportableKeys } from './client-keys';
import * as repository from './clients.repository';
import { revokeAllTokens } from '../oauth/revocation.repository';
import type * as routes from './clients.routes';
import type { Secret } from './clients.schemas';

const MAX_METADATA_FILTERS = 16;
const METADATA_FILTER = /^metadata\[(.+)\]$/;


function metadataFilters(c: Context): [string, string][] {
  const filters: [string, string][] = [];
  for (const [param, values] of Object.entries(c.req.queries())) {
    const key = METADATA_FILTER.exec(param)?.[1];
    if (key === undefined) continue;
    if (values.length > 1) throw new ApiError('VALIDATION', `${param}: must be given once`);
    filters.push([key, values[0]!]);
  }
  if (filters.length > MAX_METADATA_FILTERS) {
    throw new ApiError('VALIDATION', `metadata: at most ${MAX_METADATA_FILTERS} filters`);
  }
  return filters.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export const listClients: Handler<typeof routes.listClients> = async (c) => {
  const { pageSize, cursor, name } = c.req.valid('query');
  const filters = { namePrefix: name, metadata: metadataFilters(c) };
  const { cursorKey } = await signingKeysOf(c.env.SIGNING_KEYS!);
  const scope = { list: 'clients', tenantId: c.var.tenantId, filters: JSON.stringify(filters) };
  const { page, headers } = await readPage(
    { cursorKey, scope, url: publicUrlOf(c.env, c.req.url), pageSize, cursor },
    (window) => repository.listClients(c.var.db, c.var.tenantId, { ...window, filters }, c.var.tokenGuard),
    (row) => row.client,
  );
  return c.json(page, 200, headers);
};

export const createClient: Handler<typeof routes.createClient> = async (c) => {
  const input = c.req.valid('json');
  // The token endpoint answers the static admin client first: a stored client under its id could never sign in.
  if (input.id !== undefined && input.id === c.env.ADMIN_CLIENT_ID) {
    throw new ApiError('CONFLICT', `client "${input.id}" already exists`);
  }
  await assertImportableKeys(input.jwks);
  const { client, version } = await repository.createClient(c.var.db, c.var.tenantId, input, [...c.var.privileges], audit(c));
  return c.json({ data: client }, 201, etag(version));
};

export const readClient: Handler<typeof routes.readClient> = async (c) => {
  const { client, version } = await repository.readClient(c.var.db, c.var.tenantId, c.req.valid('param').clientId, c.var.tokenGuard);
  return c.json({ data: client }, 200, etag(version));
};

export const updateClient: Handler<typeof routes.updateClient> = async (c) => {
  const { clientId } = c.req.valid('param');
  const options = c.req.valid('json');
  await assertImportableKeys(options.jwks);
  const held = [...c.var.privileges];
  const { client, version } = await repository.updateClient(c.var.db, c.var.tenantId, clientId, options, held, audit(c), ifMatch(c));
  return c.json({ data: client }, 200, etag(version));
};

export const deleteClient: Handler<typeof routes.deleteClient> = async (c) => {
  await repository.deleteClient(c.var.db, c.var.tenantId, c.req.valid('param').clientId, [...c.var.privileges], audit(c), ifMatch(c));
  return c.body(null, 204);
};

export const createSecret: Handler<typeof routes.createSecret> = async (c) => {
  const { clientId } = c.req.valid('param');
  const { name, metadata = {}, expiresAt } = c.req.valid('json');
  const clear = generateClearSecret();
  const createdAt = Date.now();
  const expiresAtMs = expiresAt === undefined ? null : Date.parse(expiresAt);
  const secret: Secret = {
    id: crypto.randomUUID(),
    name,
    lastDigits: lastDigitsOf(clear),
    metadata,
    createdAt: new Date(createdAt).toISOString(),
    expiresAt: expiresAtMs === null ? null : new Date(expiresAtMs).toISOString(),
    lastUsedAt: null,
    clear,
  };
  await repository.insertSecret(c.var.db, c.var.tenantId, clientId, {
    id: secret.id,
    name,
    lastDigits: secret.lastDigits,
    digest: await digestSecret(clear),
    metadata,
    createdAt,
    expiresAt: expiresAtMs,
  }, [...c.var.privileges], audit(c));
  return c.json({ data: secret }, 200);
};

export const deleteSecret: Handler<typeof routes.deleteSecret> = async (c) => {
  const { clientId, secretId } = c.req.valid('param');
  await repository.deleteSecret(c.var.db, c.var.tenantId, clientId, secretId, audit(c), ifMatch(c));
  return c.body(null, 204);
};

export const addScopeToClient: Handler<typeof routes.addScopeToClient> = async (c) => {
  const { clientId, scopeId } = c.req.valid('param');
  await repository.attachScope(c.var.db, c.var.tenantId, clientId, scopeId, [...c.var.privileges], audit(c), ifMatch(c));
  return c.body(null, 204);
};

export const deleteScopeFromClient: Handler<typeof routes.deleteScopeFromClient> = async (c) => {
  const { clientId, scopeId } = c.req.valid('param');
  await repository.detachScope(c.var.db, c.var.tenantId, clientId, scopeId, audit(c), ifMatch(c));
  return c.body(null, 204);
};

export const revokeClientTokens: Handler<typeof routes.revokeClientTokens> = async (c) => {
  await revokeAllTokens(c.var.db, c.var.tenantId, c.req.valid('param').clientId, audit(c));
  return c.body(null, 204);
};
