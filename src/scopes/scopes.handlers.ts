import type { Context } from 'hono';
import { auditContextOf as audit } from '../audit/audit-trail';
import { refuseEscalation, refuseReservedLabel } from '../auth/privileges';
import { signingKeysOf } from '../auth/signing-keys';
import { operatorTenantOf, publicUrlOf } from '../config';
import type { AppEnv } from '../lib/create-router';
import type { AppRouteHandler as Handler } from '../lib/create-router';
import { ApiError } from '../lib/errors';
import { etagHeader as etag, preconditionOf as ifMatch } from '../lib/etag';
import { readPage } from '../lib/pagination';
import * as repository from './scopes.repository';
import type * as routes from './scopes.routes';


export const listScopes: Handler<typeof routes.listScopes> = async (c) => {
  const { pageSize, cursor } = c.req.valid('query');
  const { cursorKey } = await signingKeysOf(c.env.SIGNING_KEYS!);
  const scope = { list: 'scopes', tenantId: c.var.tenantId, filters: '' };
  const { page, headers } = await readPage(
    { cursorKey, scope, url: publicUrlOf(c.env, c.req.url), pageSize, cursor },
    (window) => repository.listScopes(c.var.db, c.var.tenantId, window, c.var.tokenGuard),
    (row) => row.scope,
  );
  return c.json(page, 200, headers);
};

/** A label is a grant to every client holding the scope: only a holder may write a privilege's label. */
function checkLabel(c: Context<AppEnv>, label: string) {
  refuseReservedLabel(label, c.var.tenantId, operatorTenantOf(c.env));
  refuseEscalation(`labelling a scope "${label}"`, [label], c.var.privileges);
}

export const createScope: Handler<typeof routes.createScope> = async (c) => {
  const options = c.req.valid('json');
  checkLabel(c, options.label);
  const { scope, version } = await repository.createScope(c.var.db, c.var.tenantId, options, audit(c));
  return c.json({ data: scope }, 201, etag(version));
};

export const readScope: Handler<typeof routes.readScope> = async (c) => {
  const { scope, version } = await repository.readScope(c.var.db, c.var.tenantId, c.req.valid('param').scopeId, c.var.tokenGuard);
  return c.json({ data: scope }, 200, etag(version));
};

export const updateScope: Handler<typeof routes.updateScope> = async (c) => {
  const { scopeId } = c.req.valid('param');
  const options = c.req.valid('json');
  checkLabel(c, options.label);
  const { scope, version } = await repository.updateScope(c.var.db, c.var.tenantId, scopeId, options, [...c.var.privileges], audit(c), ifMatch(c));
  return c.json({ data: scope }, 200, etag(version));
};

export const deleteScope: Handler<typeof routes.deleteScope> = async (c) => {
  await repository.deleteScope(c.var.db, c.var.tenantId, c.req.valid('param').scopeId, audit(c), ifMatch(c));
  return c.body(null, 204);
};

export const addTransientScope: Handler<typeof routes.addTransientScope> = async (c) => {
  const { scopeId, transientScopeId } = c.req.valid('param');
  if (scopeId === transientScopeId) {
    throw new ApiError('VALIDATION', 'transientScopeId: must differ from scopeId (a scope cannot be its own transient scope)');
  }
  const held = [...c.var.privileges];
  await repository.addTransientScope(c.var.db, c.var.tenantId, scopeId, transientScopeId, held, audit(c), ifMatch(c));
  return c.body(null, 204);
};

export const deleteTransientScope: Handler<typeof routes.deleteTransientScope> = async (c) => {
  const { scopeId, transientScopeId } = c.req.valid('param');
  await repository.deleteTransientScope(c.var.db, c.var.tenantId, scopeId, transientScopeId, audit(c), ifMatch(c));
  return c.body(null, 204);
};
