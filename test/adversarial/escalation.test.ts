import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { api, basicAuth, expectError, tokenRequest, type RequestOptions } from '../helpers';
import { EXTERNAL_CLAIMS, signToken, testKeys } from '../tokens';

// Every route by which a caller could hand on an auth:* privilege its own token
// lacks, or reach auth:tenants outside the operator tenant ("default" here).
// Each must be refused; afterwards, no token any caller can obtain acts across tenants.

type Auth = Pick<RequestOptions, 'token' | 'headers'>;
const admin: Auth = {};
const inTenant = (tenant: string): Auth => ({ headers: { 'x-tenant-id': tenant } });

async function ok(method: string, path: string, auth: Auth, body?: unknown) {
  const res = await api(method, path, { ...auth, body });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
  return res.body?.data;
}

/** A client with the given scopes (by id) and a secret, made by `auth`, and its token's scope. */
async function clientWith(auth: Auth, scopeIds: string[]) {
  const client = await ok('POST', '/clients', auth, { name: 'c' });
  for (const id of scopeIds) await ok('PUT', `/clients/${client.id}/scopes/${id}`, auth);
  const secret = await ok('POST', `/clients/${client.id}/secrets`, auth, { name: 's' });
  return { id: client.id as string, secret: secret.clear as string };
}

const tokenOf = async (client: { id: string; secret: string }) => {
  const res = await tokenRequest({ grant_type: 'client_credentials' }, { authorization: basicAuth(client.id, client.secret) });
  expect(res.status).toBe(200);
  return res.body as { access_token: string; scope: string };
};

const forbids = (res: { status: number; body: any; headers: Headers; text: string }, privilege: string) =>
  expect(expectError(res, 403, 'FORBIDDEN')).toContain(privilege);

describe('no escalation', () => {
  it('walks every route to a privilege its caller lacks, and every one is refused', async () => {
    // The platform: scopes auth:read, auth:write, auth:tenants in the operator tenant, made by the static admin.
    const [write, tenants] = await Promise.all(['auth:write', 'auth:tenants'].map((label) => ok('POST', '/scopes', admin, { label })));
    const operator = await clientWith(admin, [write.id, tenants.id]);
    expect((await tokenOf(operator)).scope).toBe('auth:tenants auth:write');
    // An ordinary service of the operator tenant: auth:write only.
    const service = await clientWith(admin, [write.id]);
    const svc: Auth = { token: (await tokenOf(service)).access_token };
    // A writer and a reader in tenant acme.
    const acmeWrite = await ok('POST', '/scopes', inTenant('acme'), { label: 'auth:write' });
    const acmeRead = await ok('POST', '/scopes', inTenant('acme'), { label: 'auth:read' });
    const writer = await clientWith(inTenant('acme'), [acmeWrite.id]);
    const acme: Auth = { token: (await tokenOf(writer)).access_token };

    // F0: label auth:tenants in another tenant, by creation or relabel, whoever asks.
    forbids(await api('POST', '/scopes', { ...acme, body: { label: 'auth:tenants' } }), 'auth:tenants');
    forbids(await api('POST', '/scopes', { ...inTenant('acme'), body: { label: 'auth:tenants' } }), 'auth:tenants');
    const plain = await ok('POST', '/scopes', acme, { label: 'plain' });
    forbids(await api('PUT', `/scopes/${plain.id}`, { ...acme, body: { label: 'auth:tenants' } }), 'auth:tenants');
    // F1: a secret for the operator client, or its scope attached, by a writer of the operator tenant.
    forbids(await api('POST', `/clients/${operator.id}/secrets`, { ...svc, body: { name: 'backdoor' } }), 'auth:tenants');
    forbids(await api('PUT', `/clients/${operator.id}`, { ...svc, body: { name: 'mine now', redirectUris: ['https://evil.example/cb'] } }), 'auth:tenants');
    forbids(await api('PUT', `/clients/${service.id}/scopes/${tenants.id}`, svc), 'auth:tenants');
    // A label, a relabel, and a transient chain to auth:tenants in the operator tenant.
    forbids(await api('POST', '/scopes', { ...svc, body: { label: 'auth:tenants' } }), 'auth:tenants');
    const attached = await ok('POST', '/scopes', svc, { label: 'innocent' });
    await ok('PUT', `/clients/${service.id}/scopes/${attached.id}`, svc);
    forbids(await api('PUT', `/scopes/${attached.id}`, { ...svc, body: { label: 'auth:tenants' } }), 'auth:tenants');
    forbids(await api('PUT', `/scopes/${attached.id}/transient/${tenants.id}`, svc), 'auth:tenants');
    const middle = await ok('POST', '/scopes', admin, { label: 'middle' });
    await ok('PUT', `/scopes/${middle.id}/transient/${tenants.id}`, admin);
    forbids(await api('PUT', `/clients/${service.id}/scopes/${middle.id}`, svc), 'auth:tenants');
    forbids(await api('PUT', `/scopes/${attached.id}/transient/${middle.id}`, svc), 'auth:tenants');
    // Import: a client under the operator's or the admin's id is a conflict, never a takeover.
    expectError(await api('POST', '/clients', { ...svc, body: { id: operator.id, name: 'x' } }), 409, 'CONFLICT');
    expectError(await api('POST', '/clients', { ...svc, body: { id: env.ADMIN_CLIENT_ID, name: 'x' } }), 409, 'CONFLICT');
    // A reader hands on nothing, not even auth:read.
    const reader = await clientWith(inTenant('acme'), [acmeRead.id]);
    const acmeReader: Auth = { token: (await tokenOf(reader)).access_token };
    expectError(await api('PUT', `/clients/${reader.id}/scopes/${acmeWrite.id}`, acmeReader), 403, 'FORBIDDEN');
    // An external provider's token without auth:tenants stays in its tenant, and cannot label it either.
    const external = await signToken({ key: testKeys.externalKey, typ: 'at+jwt', claims: { ...EXTERNAL_CLAIMS, tenant: 'acme', scope: 'auth:write' } });
    expectError(await api('GET', '/clients', { token: external, headers: { 'x-tenant-id': 'beta' } }), 403, 'FORBIDDEN');
    forbids(await api('POST', '/scopes', { token: external, body: { label: 'auth:tenants' } }), 'auth:tenants');

    // Afterwards: every token those callers can obtain stays in its tenant.
    const acmeClients = (await api('GET', '/clients?pageSize=1000', acme)).body.data;
    const defaultClients = (await api('GET', '/clients?pageSize=1000', svc)).body.data;
    const stranger = await ok('POST', '/clients', inTenant('beta'), { name: 'beta' });
    for (const client of [...acmeClients, ...defaultClients]) {
      if (client.id === operator.id) continue;
      const secret = await api('POST', `/clients/${client.id}/secrets`, { ...admin, ...(acmeClients.includes(client) ? inTenant('acme') : {}), body: { name: 'probe' } });
      const token = await tokenOf({ id: client.id, secret: secret.body.data.clear });
      expect(token.scope.split(' ')).not.toContain('auth:tenants');
      const across = await api('GET', `/clients/${stranger.id}`, { token: token.access_token, headers: { 'x-tenant-id': 'beta' } });
      expect(across.status, client.id).toBe(403);
    }
  });

  it('a tenant writer still manages everything that grants no more than auth:read and auth:write', async () => {
    const acmeWrite = await ok('POST', '/scopes', inTenant('writers'), { label: 'auth:write' });
    const writer = await clientWith(inTenant('writers'), [acmeWrite.id]);
    const auth: Auth = { token: (await tokenOf(writer)).access_token };
    const readScope = await ok('POST', '/scopes', auth, { label: 'auth:read' });
    const ledger = await ok('POST', '/scopes', auth, { label: 'ledger:write' });
    await ok('PUT', `/scopes/${ledger.id}/transient/${readScope.id}`, auth);
    const made = await clientWith(auth, [ledger.id, acmeWrite.id]);
    expect((await tokenOf(made)).scope).toBe('auth:read auth:write ledger:write');
    await ok('PUT', `/clients/${made.id}`, auth, { name: 'renamed' });
    await ok('POST', `/clients/${writer.id}/secrets`, auth, { name: 'rotate' });
  });
});

describe('auth:tenants outside the operator tenant', () => {
  it('is never granted from stored data, and a token carrying it from elsewhere does not switch tenant', async () => {
    // Data written before the rule: a scope auth:tenants in tenant "legacy", attached to a client.
    const client = await ok('POST', '/clients', inTenant('legacy'), { name: 'old' });
    const secret = await ok('POST', `/clients/${client.id}/secrets`, inTenant('legacy'), { name: 's' });
    const now = Date.now();
    await env.DB.batch([
      env.DB.prepare("INSERT INTO scopes (id, tenant_id, label, created_at) VALUES ('legacy-tenants', 'legacy', 'auth:tenants', ?)").bind(now),
      env.DB.prepare("INSERT INTO scopes (id, tenant_id, label, created_at) VALUES ('legacy-write', 'legacy', 'auth:write', ?)").bind(now),
      env.DB.prepare("INSERT INTO client_scopes (tenant_id, client_id, scope_id, created_at) VALUES ('legacy', ?, 'legacy-tenants', ?), ('legacy', ?, 'legacy-write', ?)").bind(client.id, now, client.id, now),
    ]);
    const token = await tokenOf({ id: client.id, secret: secret.clear });
    expect(token.scope).toBe('auth:write');
    // A token minted before the rule, with auth:tenants for tenant legacy.
    const old = await signToken({ claims: { tenant: 'legacy', scope: 'auth:read auth:write auth:tenants' } });
    expectError(await api('GET', '/clients', { token: old, headers: { 'x-tenant-id': 'default' } }), 403, 'FORBIDDEN');
    // And it cannot hand auth:tenants on in its own tenant either.
    const other = await ok('POST', '/clients', { token: old }, { name: 'other' });
    forbids(await api('PUT', `/clients/${other.id}/scopes/legacy-tenants`, { token: old }), 'auth:tenants');
  });

  it('follows OPERATOR_TENANT: clients stored there may hold auth:tenants, and those elsewhere, the default tenant included, may not', async () => {
    const settings = { OPERATOR_TENANT: 'ops' };
    const call = async (method: string, path: string, token: string | null, body?: string, headers: Record<string, string> = {}) => {
      const res = await createApp().fetch(
        new Request(`https://registry.test${path}`, {
          method,
          body,
          headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body?.startsWith('{') ? { 'content-type': 'application/json' } : {}), ...headers },
        }),
        { ...env, ...settings },
        { waitUntil: () => {}, passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext,
      );
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any };
    };
    const admin = (await call('POST', '/oauth/token', null, `grant_type=client_credentials&client_id=${env.ADMIN_CLIENT_ID}&client_secret=${env.ADMIN_CLIENT_SECRET}`, {
      'content-type': 'application/x-www-form-urlencoded',
    })).body.access_token as string;
    const inOps = { 'x-tenant-id': 'ops' };
    // The static admin is an operator whatever the setting: it sets up a client in "ops" holding auth:tenants.
    const tenantsScope = (await call('POST', '/scopes', admin, JSON.stringify({ label: 'auth:tenants' }), inOps)).body.data;
    const client = (await call('POST', '/clients', admin, JSON.stringify({ name: 'ops operator' }), inOps)).body.data;
    expect((await call('PUT', `/clients/${client.id}/scopes/${tenantsScope.id}`, admin, undefined, inOps)).status).toBe(204);
    const secret = (await call('POST', `/clients/${client.id}/secrets`, admin, JSON.stringify({ name: 's' }), inOps)).body.data;
    const granted = await call('POST', '/oauth/token', null, `grant_type=client_credentials&client_id=${client.id}&client_secret=${secret.clear}`, {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(granted.body.scope).toBe('auth:tenants');
    // In "default", no longer the operator tenant, the label is reserved and a token carrying it does not switch tenant.
    expect((await call('POST', '/scopes', admin, JSON.stringify({ label: 'auth:tenants' }))).status).toBe(403);
    const fromDefault = await signToken({ claims: { tenant: 'default', scope: 'auth:read auth:write auth:tenants' } });
    expect((await call('GET', '/clients', fromDefault, undefined, { 'x-tenant-id': 'acme' })).status).toBe(403);
    const fromOps = await signToken({ claims: { tenant: 'ops', scope: 'auth:read auth:tenants' } });
    expect((await call('GET', '/clients', fromOps, undefined, { 'x-tenant-id': 'acme' })).status).toBe(200);
  });
});

/** The admin's scopes with these labels in the default tenant, made if missing: label → id. */
async function ensureScopes(labels: string[]) {
  for (const label of labels) await api('POST', '/scopes', { body: { label } }); // 201, or 409 when it exists
  const scopes = (await api('GET', '/scopes?pageSize=1000')).body.data as { id: string; label: string }[];
  return (label: string) => scopes.find((s) => s.label === label)!.id;
}

describe('routes the review found', () => {
  it('a secret planted before a client is given a privilege never obtains it, nor after a delete and re-import', async () => {
    const byLabel = await ensureScopes(['auth:write', 'auth:tenants']);
    const service = await clientWith(admin, [byLabel('auth:write')]);
    const svc: Auth = { token: (await tokenOf(service)).access_token };
    // Step 1 of setting up an operator: the admin creates the client, still holding nothing.
    const operator = await ok('POST', '/clients', admin, { name: 'operator-to-be' });
    const planted = await ok('POST', `/clients/${operator.id}/secrets`, svc, { name: 'planted' });
    await ok('PUT', `/clients/${operator.id}/scopes/${byLabel('auth:write')}`, admin);
    await ok('PUT', `/clients/${operator.id}/scopes/${byLabel('auth:tenants')}`, admin);
    const fromPlanted = await tokenOf({ id: operator.id, secret: planted.clear });
    expect(fromPlanted.scope).toBe('auth:write');
    expectError(await api('GET', '/clients', { token: fromPlanted.access_token, headers: { 'x-tenant-id': 'beta' } }), 403, 'FORBIDDEN');
    // The admin's own secret for it does carry the operator's power.
    const own = await ok('POST', `/clients/${operator.id}/secrets`, admin, { name: 'real' });
    expect((await tokenOf({ id: operator.id, secret: own.clear })).scope).toBe('auth:tenants auth:write');
    // A lesser caller can neither delete the stronger client nor so free its id to re-import it.
    forbids(await api('DELETE', `/clients/${operator.id}`, svc), 'auth:tenants');
    expect((await api('GET', `/clients/${operator.id}`)).status).toBe(200);
  });

  it('a privilege hidden beyond the 256-scope walk is not a way around the secret check', async () => {
    const client = await ok('POST', '/clients', admin, { name: 'deep' });
    const now = Date.now();
    const scope = env.DB.prepare('INSERT INTO scopes (id, tenant_id, label, created_at) VALUES (?, ?, ?, ?)');
    const link = env.DB.prepare('INSERT INTO scope_transients (tenant_id, scope_id, transient_scope_id, created_at) VALUES (?, ?, ?, ?)');
    const statements = [scope.bind('deep-root', 'default', 'deep:root', now)];
    for (let i = 0; i < 300; i++) {
      statements.push(scope.bind(`deep-${i}`, 'default', `deep:${i}`, now), link.bind('default', 'deep-root', `deep-${i}`, now));
    }
    statements.push(env.DB.prepare('INSERT INTO client_scopes (tenant_id, client_id, scope_id, created_at) VALUES (?, ?, ?, ?)').bind('default', client.id, 'deep-root', now));
    for (let i = 0; i < statements.length; i += 100) await env.DB.batch(statements.slice(i, i + 100));
    const writer = await signToken({ claims: { tenant: 'default', scope: 'auth:read auth:write' } });
    const refused = await api('POST', `/clients/${client.id}/secrets`, { token: writer, body: { name: 'x' } });
    expect(expectError(refused, 403, 'FORBIDDEN')).toBe(`client "${client.id}" reaches more than 256 scopes: detach some before changing it`);
    expectError(await api('PUT', `/clients/${client.id}`, { token: writer, body: { name: 'y' } }), 403, 'FORBIDDEN');
  });

  it('a privilege’s label cannot be renamed away by a caller who lacks it', async () => {
    const held = await signToken({ claims: { tenant: 'relabel', scope: 'auth:read auth:write' } });
    const scope = await ok('POST', '/scopes', inTenant('relabel'), { label: 'auth:read' });
    expect((await api('PUT', `/scopes/${scope.id}`, { token: held, body: { label: 'auth:read' } })).status).toBe(200);
    const reader = await signToken({ claims: { tenant: 'relabel', scope: 'auth:write' } });
    const own = await ok('POST', '/scopes', { token: reader }, { label: 'custom:x' });
    expect((await api('PUT', `/scopes/${own.id}`, { token: reader, body: { label: 'custom:y' } })).status).toBe(200);
    const operatorScope = (await ensureScopes(['auth:tenants']))('auth:tenants');
    const svc = await signToken({ claims: { tenant: 'default', scope: 'auth:read auth:write' } });
    forbids(await api('PUT', `/scopes/${operatorScope}`, { token: svc, body: { label: 'harmless' } }), 'auth:tenants');
    expect((await api('GET', `/scopes/${operatorScope}`)).body.data.label).toBe('auth:tenants');
  });
});
