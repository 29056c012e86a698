import { describe, expect, it } from 'vitest';
import { api, basicAuth, expectError, tokenRequest } from './helpers';
import { EXTERNAL_CLAIMS, signToken, tenantToken, testKeys } from './tokens';

const asTenant = async (tenant: string) => ({ token: await tenantToken(tenant) });

/** A client with a secret and a scope, and a second scope linked as transient, all in `tenant`. */
async function seedTenant(tenant: string) {
  const auth = await asTenant(tenant);
  const client = (await api('POST', '/clients', { ...auth, body: { name: `${tenant} client`, metadata: { t: tenant } } })).body.data;
  const secret = (await api('POST', `/clients/${client.id}/secrets`, { ...auth, body: { name: 's' } })).body.data;
  const scope = (await api('POST', '/scopes', { ...auth, body: { label: 'shared:label' } })).body.data;
  const other = (await api('POST', '/scopes', { ...auth, body: { label: 'other:label' } })).body.data;
  await api('PUT', `/clients/${client.id}/scopes/${scope.id}`, auth);
  await api('PUT', `/scopes/${scope.id}/transient/${other.id}`, auth);
  return { client, secret, scope, other };
}

/** Everything a tenant can read: both lists, and every object's representation and ETag. */
async function snapshot(tenant: string) {
  const auth = await asTenant(tenant);
  const clients = (await api('GET', '/clients', auth)).body;
  const scopes = (await api('GET', '/scopes', auth)).body;
  const paths = [
    ...clients.data.map((c: { id: string }) => `/clients/${c.id}`),
    ...scopes.data.map((s: { id: string }) => `/scopes/${s.id}`),
  ];
  const objects: Record<string, unknown> = {};
  for (const path of paths) {
    const res = await api('GET', path, auth);
    objects[path] = { etag: res.headers.get('etag'), body: res.body };
  }
  return { clients, scopes, objects };
}

describe('tenant isolation', () => {
  it('every one of the sixteen operations answers 404 for another tenant’s objects, and changes nothing', async () => {
    const b = await seedTenant('tenant-b');
    await seedTenant('tenant-a');
    const before = await snapshot('tenant-b');
    const a = await asTenant('tenant-a');
    const operations: [string, string, unknown?][] = [
      ['GET', `/clients/${b.client.id}`],
      ['PUT', `/clients/${b.client.id}`, { name: 'hijacked' }],
      ['DELETE', `/clients/${b.client.id}`],
      ['POST', `/clients/${b.client.id}/secrets`, { name: 'planted' }],
      ['DELETE', `/clients/${b.client.id}/secrets/${b.secret.id}`],
      ['PUT', `/clients/${b.client.id}/scopes/${b.scope.id}`],
      ['DELETE', `/clients/${b.client.id}/scopes/${b.scope.id}`],
      ['GET', `/scopes/${b.scope.id}`],
      ['PUT', `/scopes/${b.scope.id}`, { label: 'hijacked' }],
      ['DELETE', `/scopes/${b.scope.id}`],
      ['PUT', `/scopes/${b.scope.id}/transient/${b.other.id}`],
      ['DELETE', `/scopes/${b.scope.id}/transient/${b.other.id}`],
    ];
    for (const [method, path, body] of operations) {
      const res = await api(method, path, { ...a, body });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.errorCode).toBe('NOT_FOUND');
    }
    // The two lists and the two creations see and touch only tenant A.
    const clients = (await api('GET', '/clients', a)).body.data;
    const scopes = (await api('GET', '/scopes', a)).body.data;
    expect(clients.map((c: { name: string }) => c.name)).toEqual(['tenant-a client']);
    expect(scopes.map((s: { label: string }) => s.label)).toEqual(['shared:label', 'other:label']);
    expect((await api('POST', '/clients', { ...a, body: { name: 'a2' } })).status).toBe(201);
    expect((await api('POST', '/scopes', { ...a, body: { label: 'a:only' } })).status).toBe(201);
    // Mixing tenants in one link is impossible too: A's client, B's scope.
    const aClient = clients[0];
    expect((await api('PUT', `/clients/${aClient.id}/scopes/${b.scope.id}`, a)).status).toBe(404);

    expect(await snapshot('tenant-b')).toEqual(before);
  });

  it('scope labels are unique per tenant, on create and on relabel; client ids across tenants (409)', async () => {
    const a = await asTenant('labels-a');
    const b = await asTenant('labels-b');
    expect((await api('POST', '/scopes', { ...a, body: { label: 'ledger:read' } })).status).toBe(201);
    expect((await api('POST', '/scopes', { ...b, body: { label: 'ledger:read' } })).status).toBe(201);
    // A label used only in tenant A is free in tenant B: relabelling to it succeeds (no cross-tenant oracle).
    expect((await api('POST', '/scopes', { ...a, body: { label: 'only:in-a' } })).status).toBe(201);
    const inB = (await api('POST', '/scopes', { ...b, body: { label: 'b:before' } })).body.data;
    const relabelled = await api('PUT', `/scopes/${inB.id}`, { ...b, body: { label: 'only:in-a' } });
    expect({ status: relabelled.status, label: relabelled.body.data?.label }).toEqual({ status: 200, label: 'only:in-a' });
    expectError(await api('PUT', `/scopes/${inB.id}`, { ...b, body: { label: 'ledger:read' } }), 409, 'CONFLICT');
    expect((await api('POST', '/clients', { ...a, body: { id: 'global-id', name: 'a' } })).status).toBe(201);
    expectError(await api('POST', '/clients', { ...b, body: { id: 'global-id', name: 'b' } }), 409, 'CONFLICT');
  });
});

describe('tenant of a request', () => {
  it('a client’s token carries its tenant and acts in it', async () => {
    const operator = await asTenant('acme');
    const client = (await api('POST', '/clients', { ...operator, body: { name: 'acme app' } })).body.data;
    const secret = (await api('POST', `/clients/${client.id}/secrets`, { ...operator, body: { name: 's' } })).body.data;
    const read = (await api('POST', '/scopes', { ...operator, body: { label: 'auth:read' } })).body.data;
    await api('PUT', `/clients/${client.id}/scopes/${read.id}`, operator);

    const res = await tokenRequest({ grant_type: 'client_credentials' }, { authorization: basicAuth(client.id, secret.clear) });
    const claims = JSON.parse(atob(res.body.access_token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    expect(claims.tenant).toBe('acme');
    const listed = await api('GET', '/clients', { token: res.body.access_token });
    expect(listed.body.data.map((c: { id: string }) => c.id)).toEqual([client.id]);
  });

  it('the static admin client acts in the default tenant', async () => {
    const created = await api('POST', '/scopes', { body: { label: 'admin:made' } });
    expect((await api('GET', `/scopes/${created.body.data.id}`, await asTenant('default'))).status).toBe(200);
    expect((await api('GET', `/scopes/${created.body.data.id}`, await asTenant('elsewhere'))).status).toBe(404);
  });

  it('X-Tenant-Id switches tenant for an auth:tenants token, and is 403 for any other', async () => {
    const target = await asTenant('target');
    const scope = (await api('POST', '/scopes', { ...target, body: { label: 'x:y' } })).body.data;
    // The operator tenant is ADMIN_TENANT ("default") unless OPERATOR_TENANT says otherwise.
    const operator = await signToken({ claims: { tenant: 'default', scope: 'auth:read auth:write auth:tenants' } });
    const viaHeader = await api('GET', `/scopes/${scope.id}`, { token: operator, headers: { 'x-tenant-id': 'target' } });
    expect(viaHeader.status).toBe(200);
    expect((await api('GET', `/scopes/${scope.id}`, { token: operator })).status).toBe(404);

    const plain = await api('GET', `/scopes/${scope.id}`, { ...target, headers: { 'x-tenant-id': 'target' } });
    expect(expectError(plain, 403, 'FORBIDDEN')).toBe('X-Tenant-Id needs scope auth:tenants');
    const bad = await api('GET', '/scopes', { token: operator, headers: { 'x-tenant-id': 'not valid!' } });
    expect(expectError(bad, 400, 'VALIDATION')).toBe('X-Tenant-Id: must be 1-128 characters of A-Z a-z 0-9 . _ ~ -, and not "." or ".."');
    // Nor a dot segment: as a tenant it would be harmless, but ids follow one rule.
    expectError(await api('GET', '/scopes', { token: operator, headers: { 'x-tenant-id': '..' } }), 400, 'VALIDATION');
    // An empty header is a header: refused, never read as "no header".
    expectError(await api('GET', '/scopes', { token: operator, headers: { 'x-tenant-id': '' } }), 400, 'VALIDATION');
    expectError(await api('GET', '/scopes', { ...target, headers: { 'x-tenant-id': '' } }), 403, 'FORBIDDEN');
  });

  it.each([
    ['empty', ''],
    ['with a slash', 'a/b'],
    ['with a space', 'a b'],
    ['too long', 'x'.repeat(129)],
    ['5 KB', 'y'.repeat(5_000)],
    ['a number', 42],
    ['an array', ['acme']],
  ])('a token whose tenant is not a valid id (%s) is refused with 403', async (_, tenant) => {
    const token = await signToken({ claims: { tenant } });
    expect(expectError(await api('GET', '/clients', { token }), 403, 'FORBIDDEN')).toBe('the token carries no valid tenant (claim "tenant")');
  });

  it('a token whose tenant is the longest valid id (128 characters) is accepted', async () => {
    expect((await api('GET', '/clients', { token: await tenantToken('t'.repeat(128)) })).status).toBe(200);
  });

  it('a token without a tenant is refused with 403, never mapped to a default', async () => {
    const own = await signToken({ claims: { tenant: undefined } });
    expect(expectError(await api('GET', '/clients', { token: own }), 403, 'FORBIDDEN')).toBe('the token carries no valid tenant (claim "tenant")');
    const external = await signToken({ key: testKeys.externalKey, typ: 'at+jwt', claims: { ...EXTERNAL_CLAIMS, tenant: undefined } });
    expectError(await api('GET', '/clients', { token: external }), 403, 'FORBIDDEN');
  });

  it('an external provider’s token acts in the tenant of its configured claim', async () => {
    const external = await signToken({ key: testKeys.externalKey, typ: 'at+jwt', claims: { ...EXTERNAL_CLAIMS, tenant: 'ext-tenant' } });
    const created = await api('POST', '/scopes', { token: external, body: { label: 'from:idp' } });
    expect(created.status).toBe(201);
    expect((await api('GET', `/scopes/${created.body.data.id}`, await asTenant('ext-tenant'))).status).toBe(200);
  });
});
