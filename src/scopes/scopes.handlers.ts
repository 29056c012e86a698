import { getDb } from '../db';
import type { AppRouteHandler as Handler } from '../lib/create-router';
import { ApiError } from '../lib/errors';
import * as repository from './scopes.repository';
import type * as routes from './scopes.routes';

export const listScopes: Handler<typeof routes.listScopes> = async (c) => {
  const data = await repository.listScopes(getDb(c.env.DB), c.var.tenantId);
  return c.json({ data }, 200);
};

export const createScope: Handler<typeof routes.createScope> = async (c) => {
  const data = await repository.createScope(getDb(c.env.DB), c.var.tenantId, c.req.valid('json'));
  return c.json({ data }, 201);
};

export const readScope: Handler<typeof routes.readScope> = async (c) => {
  const data = await repository.readScope(getDb(c.env.DB), c.var.tenantId, c.req.valid('param').scopeId);
  return c.json({ data }, 200);
};

export const updateScope: Handler<typeof routes.updateScope> = async (c) => {
  const { scopeId } = c.req.valid('param');
  const data = await repository.updateScope(getDb(c.env.DB), c.var.tenantId, scopeId, c.req.valid('json'));
  return c.json({ data }, 200);
};

export const deleteScope: Handler<typeof routes.deleteScope> = async (c) => {
  await repository.deleteScope(getDb(c.env.DB), c.var.tenantId, c.req.valid('param').scopeId);
  return c.body(null, 204);
};

export const addTransientScope: Handler<typeof routes.addTransientScope> = async (c) => {
  const { scopeId, transientScopeId } = c.req.valid('param');
  if (scopeId === transientScopeId) {
    throw new ApiError('VALIDATION', 'transientScopeId: must differ from scopeId (a scope cannot be its own transient scope)');
  }
  await repository.addTransientScope(getDb(c.env.DB), c.var.tenantId, scopeId, transientScopeId);
  return c.body(null, 204);
};

export const deleteTransientScope: Handler<typeof routes.deleteTransientScope> = async (c) => {
  const { scopeId, transientScopeId } = c.req.valid('param');
  await repository.deleteTransientScope(getDb(c.env.DB), c.var.tenantId, scopeId, transientScopeId);
  return c.body(null, 204);
};
