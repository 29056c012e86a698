import { z } from '@hono/zod-openapi';
import { adminRoute } from '../lib/admin-route';
import { FILTERED_SCAN_BUDGET, pageContent, PageQuerySchema } from '../lib/pagination';
import {
  IdSchema,
  IfMatchHeaderSchema as headers,
  envelope,
  errorResponses,
  jsonBody,
  jsonContent,
  linksTo,
  versionedContent,
} from '../lib/schemas';
import { requireJson } from '../middleware/require-json';
import {
  ClientOptionsSchema,
  ClientSchema,
  CreateClientRequestSchema,
  SecretOptionsSchema,
  SecretSchema,
} from './clients.schemas';

const tags = ['Clients'];

const ClientIdParam = z.object({
  clientId: IdSchema.openapi({ param: { name: 'clientId', in: 'path' }, example: 'billing-service' }),
});
const SecretIdParam = ClientIdParam.extend({
  secretId: IdSchema.openapi({ param: { name: 'secretId', in: 'path' } }),
});
const ClientScopeParams = ClientIdParam.extend({
  scopeId: IdSchema.openapi({ param: { name: 'scopeId', in: 'path' } }),
});

const noContent = { description: 'Done' };

export const ListClientsQuerySchema = PageQuerySchema.extend({
  name: z
    .string()
    .min(1)
    .max(256)
    .optional()
    .openapi({ param: { name: 'name', in: 'query' }, description: 'Only clients whose name starts with this (case-sensitive)' }),
  metadata: z
    .record(z.string(), z.string())
    .optional()
    .openapi({
      param: { name: 'metadata', in: 'query', style: 'deepObject', explode: true },
      description: 'metadata[key]=value, repeatable: only clients whose metadata holds every pair',
    }),
});

export const listClients = adminRoute({
  operationId: 'listClients',
  method: 'get',
  path: '/clients',
  tags,
  summary: 'List clients, ordered by creation then id, a page at a time',
  description:
    'A page is one query on the tenant’s (creation time, id) index, whatever the number of clients. ' +
    `With \`name\` or \`metadata[…]\` filters, one page looks at no more than ${FILTERED_SCAN_BUDGET} clients ` +
    'after the cursor: when that budget runs out with clients left, the page (possibly short, or empty) comes ' +
    'back with `hasMore: true` and a `cursor.next` that resumes the scan after the last client looked at. ' +
    'Follow `next` until `hasMore` is false to see every match; a short page does not mean the end. ' +
    'A page also carries at most 1 MiB of JSON: past it, the page ends early the same way.',
  request: { query: ListClientsQuerySchema },
  responses: {
    200: pageContent(ClientSchema, 'ListClientsResponse', 'A page of clients'),
    ...errorResponses(),
  },
});

export const createClient = adminRoute({
  operationId: 'createClient',
  method: 'post',
  path: '/clients',
  tags,
  summary: 'Create a client',
  middleware: [requireJson] as const,
  request: { body: jsonBody(CreateClientRequestSchema) },
  responses: {
    201: {
      ...versionedContent(envelope(ClientSchema).openapi('CreateClientResponse'), 'The created client'),
      links: linksTo({ clientId: '$response.body#/data/id' }, [
        'readClient',
        'updateClient',
        'deleteClient',
        'createSecret',
        'revokeClientTokens',
        'addScopeToClient',
        'deleteScopeFromClient',
      ]),
    },
    ...errorResponses(409, 413, 415),
  },
});

export const readClient = adminRoute({
  operationId: 'readClient',
  method: 'get',
  path: '/clients/{clientId}',
  tags,
  summary: 'Read a client',
  request: { params: ClientIdParam },
  responses: {
    200: versionedContent(envelope(ClientSchema).openapi('ReadClientResponse'), 'The client'),
    ...errorResponses(404),
  },
});

export const updateClient = adminRoute({
  operationId: 'updateClient',
  method: 'put',
  path: '/clients/{clientId}',
  tags,
  summary: 'Replace a client’s options (options left out return to their defaults)',
  description: '403 when the client holds, directly or through transient scopes, an auth:* privilege the caller’s token lacks.',
  middleware: [requireJson] as const,
  request: { params: ClientIdParam, headers, body: jsonBody(ClientOptionsSchema) },
  responses: {
    200: versionedContent(envelope(ClientSchema).openapi('UpdateClientResponse'), 'The updated client'),
    ...errorResponses(404, 412, 413, 415),
  },
});

export const deleteClient = adminRoute({
  operationId: 'deleteClient',
  method: 'delete',
  path: '/clients/{clientId}',
  tags,
  summary: 'Delete a client with its secrets and scope links',
  request: { params: ClientIdParam, headers },
  responses: { 204: noContent, ...errorResponses(404, 412) },
});

export const createSecret = adminRoute({
  operationId: 'createSecret',
  method: 'post',
  path: '/clients/{clientId}/secrets',
  tags,
  summary: 'Add a secret to a client; the response is the only place its clear value appears',
  description:
    'A client holds at most 20 secrets that have not expired (else 400). A secret is the power to act as the ' +
    'client: 403 when the client holds, directly or through transient scopes, an auth:* privilege the ' +
    'caller’s token lacks. An empty body means {} (the secret’s name is then empty).',
  middleware: [requireJson] as const,
  request: { params: ClientIdParam, body: jsonBody(SecretOptionsSchema) },
  responses: {
    200: {
      ...jsonContent(envelope(SecretSchema).openapi('CreateSecretResponse'), 'The new secret, with its clear value'),
      links: linksTo({ clientId: '$request.path.clientId', secretId: '$response.body#/data/id' }, ['deleteSecret']),
    },
    ...errorResponses(404, 413, 415),
  },
});

export const deleteSecret = adminRoute({
  operationId: 'deleteSecret',
  method: 'delete',
  path: '/clients/{clientId}/secrets/{secretId}',
  tags,
  summary: 'Delete a secret',
  request: { params: SecretIdParam, headers },
  responses: { 204: noContent, ...errorResponses(404, 412) },
});

export const addScopeToClient = adminRoute({
  operationId: 'addScopeToClient',
  method: 'put',
  path: '/clients/{clientId}/scopes/{scopeId}',
  tags,
  summary: 'Attach a scope to a client (idempotent)',
  description:
    'A client holds at most 100 scopes, and is granted at most 256 with transient scopes (else 400). 403 when ' +
    'the client would then hold an auth:* privilege the caller’s token lacks.',
  request: { params: ClientScopeParams, headers },
  responses: { 204: noContent, ...errorResponses(404, 412) },
});

export const deleteScopeFromClient = adminRoute({
  operationId: 'deleteScopeFromClient',
  method: 'delete',
  path: '/clients/{clientId}/scopes/{scopeId}',
  tags,
  summary: 'Detach a scope from a client (idempotent)',
  request: { params: ClientScopeParams, headers },
  responses: { 204: noContent, ...errorResponses(404, 412) },
});

export const revokeClientTokens = adminRoute({
  operationId: 'revokeClientTokens',
  method: 'delete',
  path: '/clients/{clientId}/tokens',
  tags,
  summary: 'Revoke every access token the client holds',
  description:
    'Every token issued to the client until now is refused at once (admin API, introspection, the TokenVerifier ' +
    'binding); its secrets keep working, and tokens issued afterwards are good. Changes nothing in the client ' +
    'representation (its ETag stays). A client revokes one of its own tokens with POST /oauth/revoke.',
  request: { params: ClientIdParam },
  responses: { 204: noContent, ...errorResponses(404) },
});
