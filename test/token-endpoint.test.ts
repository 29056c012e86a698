import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { ADMIN_CREDENTIALS, api, apiCountingRoundTrips, basicAuth, createClient, createScope, createSecret, tokenRequest } from './helpers';

async function clientWithSecret(options: Record<string, unknown> = {}) {
  const client = await createClient(options);
  const secret = await createSecret(client.id);
  return { client, secret };
}

function expectOAuthError(res: { status: number; body: any; headers: Headers }, status: number, error: string) {
  expect({ status: res.status, error: res.body?.error }).toEqual({ status, error });
  expect(typeof res.body.error_description).toBe('string');
  expect(res.headers.get('cache-control')).toBe('no-store');
}

describe('POST /oauth/token', () => {
  it('issues a token with client_secret_basic, verifiable against /keys', async () => {
    const { client, secret } = await clientWithSecret();
    const read = await createScope('ledger:read');
    await api('PUT', `/clients/${client.id}/scopes/${read.id}`);

    const res = await tokenRequest({ grant_type: 'client_credentials' }, { authorization: basicAuth(client.id, secret.clear) });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600, scope: 'ledger:read' });

    const jwks = (await api('GET', '/keys', { token: null })).body;
    const { payload, protectedHeader } = await jwtVerify(res.body.access_token, createLocalJWKSet(jwks), {
      issuer: 'https://registry.test',
      audience: 'https://registry.test',
      algorithms: ['ES256'],
    });
    expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'at+jwt', kid: jwks.keys[0].kid });
    expect(payload).toMatchObject({ sub: client.id, client_id: client.id, scope: 'ledger:read' });
    expect(payload.exp! - payload.iat!).toBe(3600);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('issues a token with client_secret_post, and form-urlencoded Basic credentials', async () => {
    const { client, secret } = await clientWithSecret({ id: 'odd~id.with-chars_1' });
    const post = await tokenRequest({ grant_type: 'client_credentials', client_id: client.id, client_secret: secret.clear });
    expect(post.status).toBe(200);
    expect(decodeProtectedHeader(post.body.access_token).typ).toBe('at+jwt');
    const basic = await tokenRequest({ grant_type: 'client_credentials' }, { authorization: basicAuth(client.id, secret.clear) });
    expect(basic.status).toBe(200);
  });

  it('accepts any live secret of the client, and refuses a deleted one', async () => {
    const { client, secret } = await clientWithSecret();
    const second = await createSecret(client.id, 'second');
    const form = (clear: string) => ({ grant_type: 'client_credentials', client_id: client.id, client_secret: clear });
    expect((await tokenRequest(form(second.clear))).status).toBe(200);
    expect((await api('DELETE', `/clients/${client.id}/secrets/${secret.id}`)).status).toBe(204);
    const refused = await tokenRequest(form(secret.clear));
    expectOAuthError(refused, 401, 'invalid_client');
    expect(refused.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect((await tokenRequest(form(second.clear))).status).toBe(200);
  });

  it('refuses a wrong secret and an unknown client alike: 401 invalid_client', async () => {
    const { client } = await clientWithSecret();
    const wrong = await tokenRequest({ grant_type: 'client_credentials', client_id: client.id, client_secret: 'nope' });
    const unknown = await tokenRequest({ grant_type: 'client_credentials', client_id: 'ghost', client_secret: 'nope' });
    expectOAuthError(wrong, 401, 'invalid_client');
    expectOAuthError(unknown, 401, 'invalid_client');
    expect(wrong.body.error_description).toBe(unknown.body.error_description);
    expect(wrong.headers.get('www-authenticate')).toContain('Basic');
  });

  it('a secret authenticates only its own client, never another client of its tenant', async () => {
    const a = await clientWithSecret();
    const b = await clientWithSecret();
    const writer = await createScope(`writer:${crypto.randomUUID()}`);
    await api('PUT', `/clients/${b.client.id}/scopes/${writer.id}`);
    for (const form of [
      { client_id: b.client.id, client_secret: a.secret.clear },
      { client_id: a.client.id, client_secret: b.secret.clear },
    ]) {
      expectOAuthError(await tokenRequest({ grant_type: 'client_credentials', ...form }), 401, 'invalid_client');
    }
    expectOAuthError(
      await tokenRequest({ grant_type: 'client_credentials' }, { authorization: basicAuth(b.client.id, a.secret.clear) }),
      401,
      'invalid_client',
    );
    // Each one's own secret still works, so the refusals above are about the pairing.
    expect((await tokenRequest({ grant_type: 'client_credentials', client_id: b.client.id, client_secret: b.secret.clear })).body.scope).toBe(writer.label);
    expect((await tokenRequest({ grant_type: 'client_credentials', client_id: a.client.id, client_secret: a.secret.clear })).status).toBe(200);
  });

  it('refuses a body over 16 KiB with 413 before parsing it, declared or streamed', async () => {
    const { client, secret } = await clientWithSecret();
    const form = `grant_type=client_credentials&client_id=${client.id}&client_secret=${secret.clear}`;
    const padded = `${form}&scope=${'a'.repeat(16 * 1024 - form.length - 7)}`;
    expect(new TextEncoder().encode(padded).byteLength).toBe(16 * 1024);
    const atLimit = await api('POST', '/oauth/token', { rawBody: padded, headers: { 'content-type': 'application/x-www-form-urlencoded' }, token: null });
    expectOAuthError(atLimit, 400, 'invalid_scope'); // read and parsed: the limit is inclusive
    const declared = await api('POST', '/oauth/token', { rawBody: `${padded}a`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, token: null });
    expectOAuthError(declared, 413, 'invalid_request');
    expect(declared.body.error_description).toBe('the body must be at most 16384 bytes');
    const chunk = new TextEncoder().encode(`${form}&pad=${'x'.repeat(6 * 1024)}`);
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 3; i++) controller.enqueue(chunk);
        controller.close();
      },
    });
    const streamed = await api('POST', '/oauth/token', { rawBody: stream, headers: { 'content-type': 'application/x-www-form-urlencoded' }, token: null });
    expectOAuthError(streamed, 413, 'invalid_request');
  });

  it('refuses public clients with unauthorized_client', async () => {
    const { client, secret } = await clientWithSecret({ public: true });
    const res = await tokenRequest({ grant_type: 'client_credentials', client_id: client.id, client_secret: secret.clear });
    expectOAuthError(res, 400, 'unauthorized_client');
  });

  it.each([
    [{ grant_type: 'authorization_code' }, 400, 'unsupported_grant_type'],
    [{ grant_type: 'password' }, 400, 'unsupported_grant_type'],
    [{}, 400, 'invalid_request'],
    [{ grant_type: 'client_credentials' }, 401, 'invalid_client'],
  ])('answers %j with %i %s', async (form, status, error) => {
    expectOAuthError(await tokenRequest(form as Record<string, string>), status, error);
  });

  it('refuses a body that is not form-urlencoded, repeated parameters and two auth methods', async () => {
    const { client, secret } = await clientWithSecret();
    const json = await api('POST', '/oauth/token', { body: { grant_type: 'client_credentials' }, token: null });
    expectOAuthError(json, 400, 'invalid_request');
    const repeated = await api('POST', '/oauth/token', {
      rawBody: `grant_type=client_credentials&client_id=${client.id}&client_id=${client.id}&client_secret=${secret.clear}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      token: null,
    });
    expectOAuthError(repeated, 400, 'invalid_request');
    // What a caller sent may be echoed, but only in the characters RFC 6749 §5.2 allows.
    const odd = await api('POST', '/oauth/token', {
      rawBody: 'grant_type=client_credentials&a%0A%22%5C%C3%A9=1&a%0A%22%5C%C3%A9=2',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      token: null,
    });
    expectOAuthError(odd, 400, 'invalid_request');
    expect(odd.body.error_description).toBe('parameter a???? is repeated');
    const both = await tokenRequest(
      { grant_type: 'client_credentials', client_secret: secret.clear },
      { authorization: basicAuth(client.id, secret.clear) },
    );
    expectOAuthError(both, 400, 'invalid_request');
  });

  it('grants exactly the requested scopes when all are allowed, else invalid_scope', async () => {
    const { client, secret } = await clientWithSecret();
    const a = await createScope('a:read');
    const b = await createScope('b:read');
    await createScope('c:read'); // exists, not attached
    await api('PUT', `/clients/${client.id}/scopes/${a.id}`);
    await api('PUT', `/clients/${client.id}/scopes/${b.id}`);
    const ask = (scope: string) =>
      tokenRequest({ grant_type: 'client_credentials', scope }, { authorization: basicAuth(client.id, secret.clear) });

    expect((await ask('a:read')).body.scope).toBe('a:read');
    expect((await ask('b:read a:read')).body.scope).toBe('b:read a:read');
    expectOAuthError(await ask('a:read c:read'), 400, 'invalid_scope');
    expectOAuthError(await ask('nonexistent'), 400, 'invalid_scope');
    const all = await tokenRequest({ grant_type: 'client_credentials' }, { authorization: basicAuth(client.id, secret.clear) });
    expect(all.body.scope.split(' ').sort()).toEqual(['a:read', 'b:read']);
  });

  it('grants transient scopes transitively and terminates on cycles', async () => {
    const { client, secret } = await clientWithSecret();
    const [root, middle, leaf, unrelated] = await Promise.all([
      createScope('t:root'),
      createScope('t:middle'),
      createScope('t:leaf'),
      createScope('t:unrelated'),
    ]);
    await api('PUT', `/clients/${client.id}/scopes/${root.id}`);
    await api('PUT', `/scopes/${root.id}/transient/${middle.id}`);
    await api('PUT', `/scopes/${middle.id}/transient/${leaf.id}`);
    await api('PUT', `/scopes/${leaf.id}/transient/${root.id}`); // cycle
    await api('PUT', `/scopes/${unrelated.id}/transient/${root.id}`); // points in, not out

    const res = await tokenRequest({ grant_type: 'client_credentials' }, { authorization: basicAuth(client.id, secret.clear) });
    expect(res.status).toBe(200);
    expect(res.body.scope.split(' ').sort()).toEqual(['t:leaf', 't:middle', 't:root']);
    const leafOnly = await tokenRequest(
      { grant_type: 'client_credentials', scope: 't:leaf' },
      { authorization: basicAuth(client.id, secret.clear) },
    );
    expect(leafOnly.body.scope).toBe('t:leaf');
  });

  it('grants only the scopes of the client itself, not those of other clients of its tenant', async () => {
    const holder = await clientWithSecret();
    const bare = await clientWithSecret();
    const [held, transient] = [await createScope(), await createScope()];
    await api('PUT', `/clients/${holder.client.id}/scopes/${held.id}`);
    await api('PUT', `/scopes/${held.id}/transient/${transient.id}`);
    const ask = (c: { client: { id: string }; secret: { clear: string } }) =>
      tokenRequest({ grant_type: 'client_credentials' }, { authorization: basicAuth(c.client.id, c.secret.clear) });
    expect((await ask(holder)).body.scope.split(' ').sort()).toEqual([held.label, transient.label].sort());
    const bareToken = await ask(bare);
    expect(bareToken.status).toBe(200);
    expect(bareToken.body.scope).toBe('');
  });

  it('lets a client token with auth:read read the admin API, and not write', async () => {
    const { client, secret } = await clientWithSecret();
    const read = await createScope('auth:read');
    await api('PUT', `/clients/${client.id}/scopes/${read.id}`);
    const token = (await tokenRequest({ grant_type: 'client_credentials' }, { authorization: basicAuth(client.id, secret.clear) })).body.access_token;
    expect((await api('GET', `/clients/${client.id}`, { token })).status).toBe(200);
    const write = await api('POST', '/clients', { body: { name: 'x' }, token });
    expect(write.status).toBe(403);
    expect(write.body.errorCode).toBe('FORBIDDEN');
    expect(write.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  });

  it('issues the static admin client a token with auth:introspect auth:read auth:write auth:tenants, with the one D1 query any client costs', async () => {
    const res = await apiCountingRoundTrips('POST', '/oauth/token', {
      rawBody: 'grant_type=client_credentials',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(ADMIN_CREDENTIALS.id, ADMIN_CREDENTIALS.secret) },
      token: null,
    });
    expect({ status: res.status, scope: res.body.scope, roundTrips: res.roundTrips }).toEqual({ status: 200, scope: 'auth:introspect auth:read auth:tenants auth:write', roundTrips: 1 });
    const wrong = await tokenRequest({ grant_type: 'client_credentials' }, { authorization: basicAuth(ADMIN_CREDENTIALS.id, 'wrong') });
    expectOAuthError(wrong, 401, 'invalid_client');
  });
});

describe('GET /keys and discovery', () => {
  it('publishes every configured key, public halves only', async () => {
    const res = await api('GET', '/keys', { token: null });
    expect(res.status).toBe(200);
    expect(res.body.keys).toHaveLength(2);
    for (const key of res.body.keys) {
      expect(Object.keys(key).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    }
  });

  it('serves discovery metadata', async () => {
    const res = await api('GET', '/.well-known/openid-configuration', { token: null });
    expect(res.body).toMatchObject({
      issuer: 'https://registry.test',
      token_endpoint: 'https://registry.test/oauth/token',
      jwks_uri: 'https://registry.test/keys',
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256'],
      id_token_signing_alg_values_supported: ['ES256'],
    });
  });
});
