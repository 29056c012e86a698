import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { ADMIN_CREDENTIALS, api, basicAuth, createClient, createScope, createSecret, tokenRequest } from './helpers';

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

  it('issues the static admin client a token with auth:read auth:write, without D1', async () => {
    const res = await tokenRequest({ grant_type: 'client_credentials' }, { authorization: basicAuth(ADMIN_CREDENTIALS.id, ADMIN_CREDENTIALS.secret) });
    expect(res.body.scope).toBe('auth:read auth:write');
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
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      id_token_signing_alg_values_supported: ['ES256'],
    });
  });
});
