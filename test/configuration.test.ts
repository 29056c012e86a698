import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { api, getAdminToken } from './helpers';
import { EXTERNAL_CLAIMS, signToken, tenantToken, testKeys } from './tokens';

async function callWith(overrides: Record<string, string | undefined>, path: string, init: RequestInit = {}) {
  const res = await createApp().fetch(new Request(`https://registry.test${path}`, init), { ...env, ...overrides });
  return { status: res.status, body: (await res.json()) as any };
}

const tokenForm = {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: `grant_type=client_credentials&client_id=${env.ADMIN_CLIENT_ID}&client_secret=${env.ADMIN_CLIENT_SECRET}`,
};

describe('a Worker missing its settings answers 503 naming the setting', () => {
  it.each(['ISSUER', 'SIGNING_KEYS', 'ADMIN_CLIENT_ID', 'ADMIN_CLIENT_SECRET'])('without %s', async (name) => {
    const admin = await callWith({ [name]: undefined }, '/clients', { headers: { authorization: `Bearer ${await getAdminToken()}` } });
    expect(admin).toEqual({
      status: 503,
      body: { errorCode: 'SERVICE_UNAVAILABLE', errorMessage: `the service is not configured: ${name} is not set` },
    });
    const token = await callWith({ [name]: undefined }, '/oauth/token', tokenForm);
    expect(token.status).toBe(503);
    expect(token.body).toEqual({ error: 'temporarily_unavailable', error_description: `the service is not configured: ${name} is not set` });
  });

  it('an ADMIN_CLIENT_SECRET under 32 characters is a 503 naming it', async () => {
    const short = { ADMIN_CLIENT_SECRET: 'x'.repeat(31) };
    const message = 'the service is not configured: ADMIN_CLIENT_SECRET must be at least 32 characters';
    const token = await callWith(short, '/oauth/token', {
      ...tokenForm,
      body: `grant_type=client_credentials&client_id=${env.ADMIN_CLIENT_ID}&client_secret=${'x'.repeat(31)}`,
    });
    expect(token).toEqual({ status: 503, body: { error: 'temporarily_unavailable', error_description: message } });
    const admin = await callWith(short, '/clients', { headers: { authorization: `Bearer ${await getAdminToken()}` } });
    expect(admin).toEqual({ status: 503, body: { errorCode: 'SERVICE_UNAVAILABLE', errorMessage: message } });
    // 32 characters is enough; and a new secret revokes the static admin's tokens minted under the old one.
    const rotated = { ADMIN_CLIENT_SECRET: 'y'.repeat(32) };
    const old = await callWith(rotated, '/clients', { headers: { authorization: `Bearer ${await getAdminToken()}` } });
    expect(old).toEqual({ status: 401, body: { errorCode: 'UNAUTHORIZED', errorMessage: 'the token has been revoked' } });
    const minted = await callWith(rotated, '/oauth/token', { ...tokenForm, body: `grant_type=client_credentials&client_id=${env.ADMIN_CLIENT_ID}&client_secret=${'y'.repeat(32)}` });
    expect((await callWith(rotated, '/clients', { headers: { authorization: `Bearer ${minted.body.access_token}` } })).status).toBe(200);
  });

  it('a new ADMIN_CLIENT_ID (or ADMIN_TENANT) revokes the static admin\'s tokens too', async () => {
    const headers = { authorization: `Bearer ${await getAdminToken()}` };
    expect((await callWith({}, '/clients', { headers })).status).toBe(200);
    for (const change of [{ ADMIN_CLIENT_ID: 'admin-2' }, { ADMIN_TENANT: 'ops' }]) {
      expect(await callWith(change, '/clients', { headers }), JSON.stringify(change)).toEqual({
        status: 401,
        body: { errorCode: 'UNAUTHORIZED', errorMessage: 'the token has been revoked' },
      });
    }
  });

  it('a token verified under one SIGNING_KEYS value is refused once the keys change', async () => {
    const token = await getAdminToken();
    const headers = { authorization: `Bearer ${token}` };
    expect((await callWith({}, '/clients', { headers })).status).toBe(200);
    const keys = JSON.parse(env.SIGNING_KEYS).keys;
    const onlyRetired = JSON.stringify({ keys: [keys[1]] });
    const res = await callWith({ SIGNING_KEYS: onlyRetired }, '/clients', { headers });
    expect(res.status).toBe(401);
    expect(res.body.errorMessage).toBe('the token is signed by an unknown key');
  });

  it('a list cursor stops being accepted once the first signing key changes', async () => {
    const headers = { authorization: `Bearer ${await getAdminToken()}` };
    for (let i = 0; i < 3; i++) {
      await callWith({}, '/scopes', { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ label: `rotate:${i}` }) });
    }
    const first = await callWith({}, '/scopes?pageSize=1', { headers });
    const next = encodeURIComponent(first.body.cursor.next);
    expect((await callWith({}, `/scopes?pageSize=1&cursor=${next}`, { headers })).status).toBe(200);
    // Both keys are still trusted (the token verifies), but the other one now signs and keys the cursors.
    const keys = JSON.parse(env.SIGNING_KEYS).keys;
    const rotated = JSON.stringify({ keys: [keys[1], keys[0]] });
    const res = await callWith({ SIGNING_KEYS: rotated }, `/scopes?pageSize=1&cursor=${next}`, { headers });
    expect(res.status).toBe(400);
    expect(res.body.errorMessage).toMatch(/^cursor: /);
    expect((await callWith({ SIGNING_KEYS: rotated }, '/scopes?pageSize=1', { headers })).status).toBe(200);
  });

  it('without SIGNING_KEYS, /keys is 503 too', async () => {
    expect((await callWith({ SIGNING_KEYS: undefined }, '/keys')).status).toBe(503);
  });

  it('with SIGNING_KEYS that are not valid keys', async () => {
    const res = await callWith({ SIGNING_KEYS: '{"kty":"oct","k":"abc"}' }, '/oauth/token', tokenForm);
    expect(res.status).toBe(503);
    expect(res.body.error_description).toBe('SIGNING_KEYS is not valid: every key must be a private EC P-256 JWK (ES256)');
  });

  it('with half an external provider configured', async () => {
    const res = await callWith({ EXTERNAL_AUDIENCE: undefined }, '/clients', { headers: { authorization: `Bearer ${await getAdminToken()}` } });
    expect(res.status).toBe(503);
    expect(res.body.errorMessage).toContain('EXTERNAL_ISSUER, EXTERNAL_JWKS_URL and EXTERNAL_AUDIENCE');
  });
});

describe('settings', () => {
  it('ISSUER, never the request’s host, is the base of the Link to the next page and of the OpenAPI servers', async () => {
    const headers = { authorization: `Bearer ${await getAdminToken()}` };
    for (let i = 0; i < 2; i++) {
      await callWith({}, '/scopes', { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ label: `link:${i}` }) });
    }
    const settings = { ISSUER: 'https://gw.example/auth' };
    const token = (await callWith(settings, '/oauth/token', tokenForm)).body.access_token;
    const res = await createApp().fetch(new Request('https://registry.test/scopes?pageSize=1', { headers: { authorization: `Bearer ${token}` } }), {
      ...env,
      ...settings,
    });
    expect(res.headers.get('link')).toMatch(/^<https:\/\/gw\.example\/auth\/scopes\?pageSize=1&cursor=[^>]+>; rel="next"$/);
    const doc = await callWith(settings, '/openapi.json');
    expect(doc.body.servers).toEqual([{ url: 'https://gw.example/auth' }, { url: 'https://gw.example/auth/api/auth' }]);
  });

  it('ISSUER, AUDIENCE and TOKEN_TTL_SECONDS shape the tokens', async () => {
    const settings = { ISSUER: 'https://auth.example.com/', AUDIENCE: 'https://api.example.com', TOKEN_TTL_SECONDS: '120' };
    const res = await callWith(settings, '/oauth/token', tokenForm);
    expect(res.body.expires_in).toBe(120);
    const [, payload] = res.body.access_token.split('.');
    const claims = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/')));
    expect(claims).toMatchObject({ iss: 'https://auth.example.com', aud: 'https://api.example.com' });
    expect(claims.exp - claims.iat).toBe(120);
    const discovery = await callWith(settings, '/.well-known/openid-configuration');
    expect(discovery.body.token_endpoint).toBe('https://auth.example.com/oauth/token');
  });
});

const claimsOf = (token: string) => JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')));

describe('settings that decide who a token is', () => {
  it('a token verified (and remembered) under one ISSUER or AUDIENCE is refused once that setting changes', async () => {
    const headers = { authorization: `Bearer ${await getAdminToken()}` };
    expect((await callWith({}, '/clients', { headers })).status).toBe(200);
    const otherIssuer = await callWith({ ISSUER: 'https://elsewhere.example' }, '/clients', { headers });
    expect(otherIssuer).toEqual({ status: 401, body: { errorCode: 'UNAUTHORIZED', errorMessage: 'the token issuer is not trusted' } });
    const otherAudience = await callWith({ AUDIENCE: 'https://other-api.example' }, '/clients', { headers });
    expect(otherAudience).toEqual({ status: 401, body: { errorCode: 'UNAUTHORIZED', errorMessage: 'the token is not meant for this audience' } });
    expect((await callWith({}, '/clients', { headers })).status).toBe(200);
  });

  it('an external provider’s token is verified on every request, never served from memory', async () => {
    const token = await signToken({ key: testKeys.externalKey, typ: 'at+jwt', claims: { ...EXTERNAL_CLAIMS, tenant: 'ext' } });
    const headers = { authorization: `Bearer ${token}` };
    expect((await callWith({}, '/clients', { headers })).status).toBe(200);
    const moved = await callWith({ EXTERNAL_AUDIENCE: 'https://moved.example/admin' }, '/clients', { headers });
    expect(moved).toEqual({ status: 401, body: { errorCode: 'UNAUTHORIZED', errorMessage: 'the token is not meant for this audience' } });
  });

  it('an external provider whose key set cannot be had makes its tokens a 503 with Retry-After, not a 401', async () => {
    const token = await signToken({ key: testKeys.externalKey, typ: 'at+jwt', claims: { ...EXTERNAL_CLAIMS, tenant: 'ext' } });
    const res = await createApp().fetch(
      new Request('https://registry.test/clients', { headers: { authorization: `Bearer ${token}` } }),
      { ...env, EXTERNAL_JWKS_URL: env.TEST_BROKEN_JWKS_URL },
    );
    expect({ status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() }).toEqual({
      status: 503,
      retryAfter: '30',
      body: { errorCode: 'SERVICE_UNAVAILABLE', errorMessage: 'the identity provider keys could not be fetched' },
    });
  });

  it('EXTERNAL_TENANT_CLAIM names the claim an external token’s tenant is read from', async () => {
    const settings = { EXTERNAL_TENANT_CLAIM: 'org' };
    const external = (claims: Record<string, unknown>) =>
      signToken({ key: testKeys.externalKey, typ: 'at+jwt', claims: { ...EXTERNAL_CLAIMS, ...claims } });
    const withOrg = await external({ org: 'org-tenant', tenant: 'default' });
    const created = await callWith(settings, '/scopes', {
      method: 'POST',
      headers: { authorization: `Bearer ${withOrg}`, 'content-type': 'application/json' },
      body: JSON.stringify({ label: 'made:by-org' }),
    });
    expect(created.status).toBe(201);
    expect((await api('GET', `/scopes/${created.body.data.id}`, { token: await tenantToken('org-tenant') })).status).toBe(200);
    expect((await api('GET', `/scopes/${created.body.data.id}`, { token: await tenantToken('default') })).status).toBe(404);
    const withoutOrg = await callWith(settings, '/clients', { headers: { authorization: `Bearer ${await external({ tenant: 'default' })}` } });
    expect(withoutOrg).toEqual({ status: 403, body: { errorCode: 'FORBIDDEN', errorMessage: 'the token carries no valid tenant (claim "org")' } });
  });

  it('ADMIN_TENANT is the tenant of the static admin client’s tokens', async () => {
    const res = await callWith({ ADMIN_TENANT: 'ops' }, '/oauth/token', tokenForm);
    expect(res.status).toBe(200);
    expect(claimsOf(res.body.access_token).tenant).toBe('ops');
    const created = await callWith({ ADMIN_TENANT: 'ops' }, '/scopes', {
      method: 'POST',
      headers: { authorization: `Bearer ${res.body.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ label: 'made:by-admin' }),
    });
    expect(created.status).toBe(201);
    expect((await api('GET', `/scopes/${created.body.data.id}`, { token: await tenantToken('ops') })).status).toBe(200);
    expect((await api('GET', `/scopes/${created.body.data.id}`, { token: await tenantToken('default') })).status).toBe(404);
  });

  it('TOKEN_TTL_SECONDS outside 1–86400, or not a whole number, is a 503 naming the setting', async () => {
    for (const ttl of ['0', '86401', '1.5', 'ten']) {
      const res = await callWith({ TOKEN_TTL_SECONDS: ttl }, '/oauth/token', tokenForm);
      expect(res, ttl).toEqual({
        status: 503,
        body: { error: 'temporarily_unavailable', error_description: 'TOKEN_TTL_SECONDS must be a whole number of seconds from 1 to 86400' },
      });
    }
    expect((await callWith({ TOKEN_TTL_SECONDS: '86400' }, '/oauth/token', tokenForm)).body.expires_in).toBe(86400);
  });
});
