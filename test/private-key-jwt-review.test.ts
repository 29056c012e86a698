// What an attacker's review of private_key_jwt found (each failed before its fix): token liveness
// across client incarnations, keys that pass the rules yet are none, audience injection, stale and
// duplicate published keys, and validation messages.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { base64url } from 'jose';
import {
  assertion,
  assertionRequest,
  expectToken,
  keyClient,
  keyPair,
  keySetName,
  keySetUri,
  newTenant,
  publish,
  TOKEN_ENDPOINT,
} from './client-key-helpers';
import { api, basicAuth, tokenRequest } from './helpers';

/** A key client in `tenant` holding auth:read, made by the static admin, with the given id. */
async function readerKeyClient(tenant: string, id: string, key: Awaited<ReturnType<typeof keyPair>>) {
  const headers = { 'X-Tenant-Id': tenant };
  const created = await api('POST', '/clients', {
    body: { id, name: 'reader', tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [key.jwk] } },
    headers,
  });
  expect(created.status, created.text).toBe(201);
  let scope = await api('POST', '/scopes', { body: { label: 'auth:read' }, headers });
  if (scope.status !== 201) {
    const list = await api('GET', '/scopes', { headers });
    scope = { ...scope, body: { data: list.body.data.find((s: { label: string }) => s.label === 'auth:read') } };
  }
  const attached = await api('PUT', `/clients/${id}/scopes/${scope.body.data.id}`, { headers });
  expect(attached.status, attached.text).toBe(204);
  return headers;
}

const useToken = (token: string) => api('GET', '/clients', { token });

/** A token of an ordinary admin of `tenant`: a secret client holding auth:read and auth:write there. */
async function tenantAdminToken(tenant: string): Promise<string> {
  const headers = { 'X-Tenant-Id': tenant };
  const client = (await api('POST', '/clients', { body: { name: 'tenant admin' }, headers })).body.data;
  for (const label of ['auth:read', 'auth:write']) {
    const scope = (await api('POST', '/scopes', { body: { label }, headers })).body.data;
    expect((await api('PUT', `/clients/${client.id}/scopes/${scope.id}`, { headers })).status).toBe(204);
  }
  const secret = (await api('POST', `/clients/${client.id}/secrets`, { body: {}, headers })).body.data.clear;
  return expectToken(await tokenRequest({ grant_type: 'client_credentials' }, { authorization: basicAuth(client.id, secret) }));
}

describe('token liveness of assertion-minted tokens (gen, no secret_id)', () => {
  it('a client deleted and imported again under the same id gets tokens that work', async () => {
    const tenant = newTenant();
    const id = `reimport-${crypto.randomUUID().slice(0, 8)}`;
    const key = await keyPair('ES256', 'k1');
    const headers = await readerKeyClient(tenant, id, key);
    const before = expectToken(await assertionRequest(await assertion(id, key)));
    expect((await useToken(before)).status).toBe(200);
    expect((await api('DELETE', `/clients/${id}`, { headers })).status).toBe(204);
    // Imported again (Formance migration, console "recreate"): a new client, new tokens.
    await readerKeyClient(tenant, id, key);
    const fresh = expectToken(await assertionRequest(await assertion(id, key)));
    const res = await useToken(fresh);
    expect(res.status, res.text).toBe(200);
    // The deleted client's token stays dead: same id, tenant, key, scopes and generation, another client.
    expect((await useToken(before)).status).toBe(401);
  });

  it("a deleted client's token stays revoked when its id is reused and deleted in another tenant", async () => {
    const [tenantA, tenantB] = [newTenant(), newTenant()];
    const id = `revive-${crypto.randomUUID().slice(0, 8)}`;
    const key = await keyPair('ES256', 'k1');
    const headersA = await readerKeyClient(tenantA, id, key);
    const old = expectToken(await assertionRequest(await assertion(id, key)));
    expect((await useToken(old)).status).toBe(200);
    expect((await api('DELETE', `/clients/${id}`, { headers: headersA })).status).toBe(204);
    expect((await useToken(old)).status).toBe(401); // revoked, as it should be
    // An ordinary admin of another tenant B (auth:read auth:write, no operator powers) imports a
    // client under the freed id, then deletes it: revoked_clients is keyed by client_id alone, and
    // INSERT OR REPLACE turns the row (id, A) into (id, B).
    const tenantAdminB = await tenantAdminToken(tenantB);
    const b = await api('POST', '/clients', { body: { id, name: 'squatter' }, token: tenantAdminB });
    expect(b.status, b.text).toBe(201);
    expect((await api('DELETE', `/clients/${id}`, { token: tenantAdminB })).status).toBe(204);
    // Tenant A's deleted client's token must still be refused.
    const res = await useToken(old);
    expect(res.status, res.text).toBe(401);
  });
});

describe('jwksUri keys that pass keyProblems but are no usable key', () => {
  it('an EC key off its curve at the jwksUri is a 401 invalid_client, never a 500', async () => {
    const key = await keyPair('ES256', 'offcurve');
    const name = keySetName();
    // Same kid, right lengths, a point not on P-256.
    const bogus = { kty: 'EC', crv: 'P-256', kid: 'offcurve', x: base64url.encode(new Uint8Array(32).fill(1)), y: base64url.encode(new Uint8Array(32).fill(2)) };
    await publish(name, { keys: [bogus] });
    const { id } = await keyClient([], { jwks: undefined, jwksUri: keySetUri(name) });
    const res = await assertionRequest(await assertion(id, key));
    expect(res.status, res.text).not.toBe(500);
    expect(res.status, res.text).toBe(401);
  });

  it('an RSA key with a bad exponent at the jwksUri is a 401, never a 500', async () => {
    const key = await keyPair('RS256', 'bad-e');
    const name = keySetName();
    await publish(name, { keys: [{ ...key.jwk, e: 'AA' }] });
    const { id } = await keyClient([], { jwks: undefined, jwksUri: keySetUri(name) });
    const res = await assertionRequest(await assertion(id, key));
    expect(res.status, res.text).not.toBe(500);
  });
});

describe('RSA modulus whose base64url length is 1 mod 4', () => {
  const n = 'A'.repeat(344) + 'B'; // 345 characters: atob throws on it
  it('inline: a 400 naming jwks.keys[0].n, never a 500', async () => {
    const res = await api('POST', '/clients', {
      body: { name: 'bad n', tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [{ kty: 'RSA', kid: 'r', e: 'AQAB', n }] } },
      headers: { 'X-Tenant-Id': newTenant() },
    });
    expect(res.status, res.text).toBe(400);
  });

  it('at a jwksUri: the bad key is ignored, the good one still works (not a 503 for the whole set)', async () => {
    const key = await keyPair('ES256', 'good');
    const name = keySetName();
    await publish(name, { keys: [{ kty: 'RSA', kid: 'r', e: 'AQAB', n }, key.jwk] });
    const { id } = await keyClient([], { jwks: undefined, jwksUri: keySetUri(name) });
    const res = await assertionRequest(await assertion(id, key));
    expect(res.status, res.text).toBe(200);
  });
});

describe('aud (audience injection, RFC 7523bis / OIDF 2025 advisory)', () => {
  it('refuses an aud array, even one naming this service; one value, the issuer or the token endpoint, is accepted', async () => {
    const key = await keyPair('ES256', 'k');
    const { id } = await keyClient([key]);
    for (const aud of [['https://attacker.example', TOKEN_ENDPOINT], [TOKEN_ENDPOINT, TOKEN_ENDPOINT]]) {
      const res = await assertionRequest(await assertion(id, key, { aud }));
      expect(res.status, res.text).toBe(401);
      expect(res.body.error_description).toMatch(/aud must be one value/);
    }
    // The issue asks for the issuer or the token endpoint URL: both, as a single value.
    expectToken(await assertionRequest(await assertion(id, key, { aud: TOKEN_ENDPOINT })));
    expectToken(await assertionRequest(await assertion(id, key, { aud: [TOKEN_ENDPOINT] })));
  });
});

describe('jwksUri: staleness and duplicate kids', () => {
  afterEach(() => vi.useRealTimers());

  it('a key set the host stopped serving is not trusted forever (bounded staleness)', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const key = await keyPair('ES256', 'k');
    const name = keySetName();
    await publish(name, { keys: [key.jwk] });
    const { id } = await keyClient([], { jwks: undefined, jwksUri: keySetUri(name) });
    expectToken(await assertionRequest(await assertion(id, key)));
    await publish(name, { gone: true }); // the owner took the key set down (404/error page)
    vi.setSystemTime(Date.now() + 7 * 24 * 3600_000);
    const res = await assertionRequest(await assertion(id, key));
    expect(res.status, res.text).not.toBe(200);
  });

  it('two published keys with the same kid (rotation, RSA+EC): the right one verifies', async () => {
    const [a, b] = [await keyPair('ES256', 'dup'), await keyPair('ES256', 'dup')];
    const name = keySetName();
    await publish(name, { keys: [a.jwk, b.jwk] });
    const { id } = await keyClient([], { jwks: undefined, jwksUri: keySetUri(name) });
    const res = await assertionRequest(await assertion(id, b));
    expect(res.status, res.text).toBe(200);
  });
});

describe('validation messages', () => {
  it.each([
    [{ tokenEndpointAuthMethod: 'none' }],
    [{ tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: ['x'] } }],
    [{ tokenEndpointAuthMethod: 'private_key_jwt', jwks: [] }],
    [{ tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: 'http://example.com/k' }],
    [{ tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: 42 }],
    [{ tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [{ kty: 'EC' }] } }],
    [{ tokenEndpointAuthMethod: 'private_key_jwt' }],
    [{ jwksUri: 'https://example.com/k' }],
  ])('%j', async (body) => {
    const res = await api('POST', '/clients', { body: { name: 'v', ...body }, headers: { 'X-Tenant-Id': newTenant() } });
    expect(res.status).toBe(400);
    expect(res.body.errorCode).toBe('VALIDATION');
    // The field and the rule: "jwks.keys[0].crv: must be …", "tokenEndpointAuthMethod: …".
    expect(res.body.errorMessage).toMatch(/^(tokenEndpointAuthMethod|jwks|jwksUri)[\w.[\]]*: \S/);
  });
});
