import { Validator } from '@cfworker/json-schema';
import openapi31Schema from '@seriousme/openapi-schema-validator/schemas/v3.1/schema.json';
import { describe, expect, it } from 'vitest';
import { api } from './helpers';

const operations = [
  'listClients', 'createClient', 'readClient', 'updateClient', 'deleteClient',
  'createSecret', 'deleteSecret', 'addScopeToClient', 'deleteScopeFromClient',
  'listScopes', 'createScope', 'readScope', 'updateScope', 'deleteScope',
  'addTransientScope', 'deleteTransientScope', 'revokeClientTokens', 'listAuditEvents',
];

const schemaNames = ['ClientOptions', 'Client', 'ClientSecret', 'Secret', 'SecretOptions', 'ScopeOptions', 'Scope', 'Error', 'AuditEvent'];

const httpMethods = ['get', 'put', 'post', 'delete', 'patch'];

async function loadDocument() {
  const res = await api('GET', '/openapi.json');
  expect(res.status).toBe(200);
  return res.body;
}

function listOperations(doc: any) {
  return Object.entries(doc.paths).flatMap(([path, item]: [string, any]) =>
    Object.entries(item)
      .filter(([method]) => httpMethods.includes(method))
      .map(([method, op]: [string, any]) => ({ path, method, op })),
  );
}

describe('GET /openapi.json', () => {
  it('validates against the OpenAPI 3.1 schema', async () => {
    const doc = await loadDocument();
    expect(doc.openapi).toBe('3.1.0');
    const validator = new Validator(openapi31Schema as object, '2020-12', false);
    const result = validator.validate(doc);
    expect(result.errors.slice(0, 3)).toEqual([]);
    expect(result.valid).toBe(true);
    // The validator does reject a broken document.
    const { info: _info, ...withoutInfo } = doc;
    expect(validator.validate(withoutInfo).valid).toBe(false);
  });

  it('lists the seventeen admin operations, each with its error responses, and the public OAuth2 ones', async () => {
    const all = listOperations(await loadDocument());
    const publicOperations = ['issueToken', 'revokeToken', 'introspectToken', 'getKeys', 'getDiscovery'];
    expect(all.map(({ op }) => op.operationId).sort()).toEqual([...operations, ...publicOperations].sort());
    for (const { op } of all.filter(({ op }) => publicOperations.includes(op.operationId))) {
      // [] or an alternative {} both mean: no bearer token needed.
      expect(op.security.length === 0 || op.security.some((r: object) => Object.keys(r).length === 0)).toBe(true);
    }
    const found = all.filter(({ op }) => operations.includes(op.operationId));
    for (const { op } of found) {
      expect(op.security).toBeUndefined(); // inherits the document's bearerAuth
      for (const status of ['400', '401', '403', '500']) {
        expect(op.responses[status]?.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
      }
    }
    const byId = Object.fromEntries(found.map(({ op, path, method }) => [op.operationId, { op, path, method }]));
    expect(byId.readClient.path).toBe('/clients/{clientId}');
    expect(byId.createSecret.op.responses['200']).toBeDefined();
    expect(byId.createClient.op.responses['201']).toBeDefined();
    expect(byId.deleteClient.op.responses['204']).toBeDefined();
    expect(byId.createClient.op.responses['409']).toBeDefined();
  });

  it('names the schemas and declares bearer security', async () => {
    const doc = await loadDocument();
    for (const name of schemaNames) expect(doc.components.schemas).toHaveProperty(name);
    expect(doc.components.schemas.Client.required).toEqual(expect.arrayContaining(['id', 'scopes', 'secrets', 'trusted']));
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
  });
});

describe('the document describes pagination, preconditions, tenants and secret lifecycle', () => {
  it('documents every new parameter, header and field', async () => {
    const doc = await loadDocument();
    const schemas = doc.components.schemas;
    const ops = Object.fromEntries(listOperations(doc).map(({ op }) => [op.operationId, op]));
    const paramNames = (op: any) => (op.parameters ?? []).map((p: any) => `${p.in}:${p.name}`);
    expect(paramNames(ops.listClients)).toEqual(expect.arrayContaining(['query:pageSize', 'query:cursor', 'query:name', 'query:metadata']));
    expect(paramNames(ops.listScopes)).toEqual(expect.arrayContaining(['query:pageSize', 'query:cursor']));
    expect(paramNames(ops.listAuditEvents)).toEqual(
      expect.arrayContaining(['query:pageSize', 'query:cursor', 'query:targetId', 'query:actorId', 'query:action', 'query:since', 'query:until']),
    );
    expect(ops.listAuditEvents.responses['200'].headers.Link).toBeDefined();
    expect(Object.keys(schemas.ListAuditEventsResponse.properties)).toEqual(['data', 'cursor']);
    for (const id of ['updateClient', 'deleteClient', 'deleteSecret', 'addScopeToClient', 'deleteScopeFromClient', 'updateScope', 'deleteScope', 'addTransientScope', 'deleteTransientScope']) {
      expect(paramNames(ops[id]), id).toContain('header:If-Match');
      expect(ops[id].responses['412'], id).toBeDefined();
    }
    for (const [id, status] of [['readClient', '200'], ['createClient', '201'], ['updateClient', '200'], ['readScope', '200'], ['createScope', '201'], ['updateScope', '200']]) {
      expect(ops[id!].responses[status!].headers.ETag, id).toBeDefined();
    }
    expect(ops.listClients.responses['200'].headers.Link).toBeDefined();
    for (const id of operations) {
      expect(paramNames(ops[id]), id).toEqual(expect.arrayContaining(['header:X-Tenant-Id', 'header:x-d1-bookmark']));
      const success = Object.entries(ops[id].responses).find(([status]) => status.startsWith('2'))![1] as any;
      expect(success.headers['x-d1-bookmark'], id).toBeDefined();
    }
    expect(Object.keys(schemas.ListClientsResponse.properties)).toEqual(['data', 'cursor']);
    expect(schemas.Cursor.properties).toHaveProperty('hasMore');
    expect(schemas.SecretOptions.properties).toHaveProperty('expiresAt');
    expect(schemas.ClientSecret.required).toEqual(expect.arrayContaining(['createdAt', 'expiresAt', 'lastUsedAt']));
    expect(doc.servers.map((s: { url: string }) => s.url)).toEqual(['https://registry.test', 'https://registry.test/api/auth']);
  });
});

describe('GET /docs', () => {
  it('serves an interactive reference page for /openapi.json', async () => {
    const res = await api('GET', '/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.text).toContain('/openapi.json');
  });
});
