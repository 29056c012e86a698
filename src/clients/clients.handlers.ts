import { getDb } from '../db';
import type { AppRouteHandler as Handler } from '../lib/create-router';
import { digestSecret, generateClearSecret, lastDigitsOf } from '../lib/secrets';
import * as repository from './clients.repository';
import type * as routes from './clients.routes';
import type { Secret } from './clients.schemas';

export const listClients: Handler<typeof routes.listClients> = async (c) => {
  const data = await repository.listClients(getDb(c.env.DB), c.var.tenantId);
  return c.json({ data }, 200);
};

export const createClient: Handler<typeof routes.createClient> = async (c) => {
  const data = await repository.createClient(getDb(c.env.DB), c.var.tenantId, c.req.valid('json'));
  return c.json({ data }, 201);
};

export const readClient: Handler<typeof routes.readClient> = async (c) => {
  const data = await repository.readClient(getDb(c.env.DB), c.var.tenantId, c.req.valid('param').clientId);
  return c.json({ data }, 200);
};

export const updateClient: Handler<typeof routes.updateClient> = async (c) => {
  const { clientId } = c.req.valid('param');
  const data = await repository.updateClient(getDb(c.env.DB), c.var.tenantId, clientId, c.req.valid('json'));
  return c.json({ data }, 200);
};

export const deleteClient: Handler<typeof routes.deleteClient> = async (c) => {
  await repository.deleteClient(getDb(c.env.DB), c.var.tenantId, c.req.valid('param').clientId);
  return c.body(null, 204);
};

export const createSecret: Handler<typeof routes.createSecret> = async (c) => {
  const { clientId } = c.req.valid('param');
  const { name, metadata = {} } = c.req.valid('json');
  const clear = generateClearSecret();
  const secret: Secret = { id: crypto.randomUUID(), name, lastDigits: lastDigitsOf(clear), metadata, clear };
  await repository.insertSecret(getDb(c.env.DB), c.var.tenantId, clientId, {
    id: secret.id,
    name,
    lastDigits: secret.lastDigits,
    metadata,
    digest: await digestSecret(clear),
  });
  return c.json({ data: secret }, 200);
};

export const deleteSecret: Handler<typeof routes.deleteSecret> = async (c) => {
  const { clientId, secretId } = c.req.valid('param');
  await repository.deleteSecret(getDb(c.env.DB), c.var.tenantId, clientId, secretId);
  return c.body(null, 204);
};

export const addScopeToClient: Handler<typeof routes.addScopeToClient> = async (c) => {
  const { clientId, scopeId } = c.req.valid('param');
  await repository.attachScope(getDb(c.env.DB), c.var.tenantId, clientId, scopeId);
  return c.body(null, 204);
};

export const deleteScopeFromClient: Handler<typeof routes.deleteScopeFromClient> = async (c) => {
  const { clientId, scopeId } = c.req.valid('param');
  await repository.detachScope(getDb(c.env.DB), c.var.tenantId, clientId, scopeId);
  return c.body(null, 204);
};
