import { z } from '@hono/zod-openapi';
import { adminRoute } from '../lib/admin-route';
import { pageContent, PageQuerySchema } from '../lib/pagination';
import {
  IdSchema,
  IfMatchHeaderSchema as headers,
  envelope,
  errorResponses,
  jsonBody,
  linksTo,
  versionedContent,
} from '../lib/schemas';
import { requireJson } from '../middleware/require-json';
import { ScopeOptionsSchema, ScopeSchema } from './scopes.schemas';

const tags = ['Scopes'];

const ScopeIdParam = z.object({
  scopeId: IdSchema.openapi({ param: { name: 'scopeId', in: 'path' } }),
});
const TransientParams = ScopeIdParam.extend({
  transientScopeId: IdSchema.openapi({ param: { name: 'transientScopeId', in: 'path' } }),
});

const noContent = { description: 'Done' };

export const listScopes = adminRoute({
  operationId: 'listScopes',
  method: 'get',
  path: '/scopes',
  tags,
  summary: 'List scopes, ordered by creation then id, a page at a time',
  description: 'A page carries at most 1 MiB of JSON: past it, the page ends early with hasMore true.',
  request: { query: PageQuerySchema },
  responses: {
    200: pageContent(ScopeSchema, 'ListScopesResponse', 'A page of scopes'),
    ...errorResponses(),
  },
});

export const createScope = adminRoute({
  operationId: 'createScope',
  method: 'post',
  path: '/scopes',
  tags,
  summary: 'Create a scope (labels are unique within a tenant)',
  description:
    'A label under auth: is a privilege: only a token holding it may create it (403), and auth:tenants exists ' +
    'only in the operator tenant.',
  middleware: [requireJson] as const,
  request: { body: jsonBody(ScopeOptionsSchema) },
  responses: {
    201: {
      ...versionedContent(envelope(ScopeSchema).openapi('CreateScopeResponse'), 'The created scope'),
      links: linksTo({ scopeId: '$response.body#/data/id' }, [
        'readScope',
        'updateScope',
        'deleteScope',
        'addTransientScope',
        'deleteTransientScope',
        'addScopeToClient',
        'deleteScopeFromClient',
      ]),
    },
    ...errorResponses(409, 413, 415),
  },
});

export const readScope = adminRoute({
  operationId: 'readScope',
  method: 'get',
  path: '/scopes/{scopeId}',
  tags,
  summary: 'Read a scope',
  request: { params: ScopeIdParam },
  responses: {
    200: versionedContent(envelope(ScopeSchema).openapi('ReadScopeResponse'), 'The scope'),
    ...errorResponses(404),
  },
});

export const updateScope = adminRoute({
  operationId: 'updateScope',
  method: 'put',
  path: '/scopes/{scopeId}',
  tags,
  summary: 'Replace a scope’s label and metadata',
  description: 'The same label rules as createScope: relabelling to a privilege the token lacks is a 403.',
  middleware: [requireJson] as const,
  request: { params: ScopeIdParam, headers, body: jsonBody(ScopeOptionsSchema) },
  responses: {
    200: versionedContent(envelope(ScopeSchema).openapi('UpdateScopeResponse'), 'The updated scope'),
    ...errorResponses(404, 409, 412, 413, 415),
  },
});

export const deleteScope = adminRoute({
  operationId: 'deleteScope',
  method: 'delete',
  path: '/scopes/{scopeId}',
  tags,
  summary: 'Delete a scope; it is detached from every client and scope',
  request: { params: ScopeIdParam, headers },
  responses: { 204: noContent, ...errorResponses(404, 412) },
});

export const addTransientScope = adminRoute({
  operationId: 'addTransientScope',
  method: 'put',
  path: '/scopes/{scopeId}/transient/{transientScopeId}',
  tags,
  summary: 'Make a scope grant another one too (idempotent; not the scope itself)',
  description:
    'A scope has at most 100 transient scopes and reaches at most 256 scopes, itself included (else 400). ' +
    '403 when the transient scope reaches an auth:* privilege the caller’s token lacks.',
  request: { params: TransientParams, headers },
  responses: { 204: noContent, ...errorResponses(404, 412) },
});

export const deleteTransientScope = adminRoute({
  operationId: 'deleteTransientScope',
  method: 'delete',
  path: '/scopes/{scopeId}/transient/{transientScopeId}',
  tags,
  summary: 'Remove a transient scope (idempotent)',
  request: { params: TransientParams, headers },
  responses: { 204: noContent, ...errorResponses(404, 412) },
});
