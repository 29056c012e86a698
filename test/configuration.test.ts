import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { getAdminToken } from './helpers';

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
  it.each(['SIGNING_KEYS', 'ADMIN_CLIENT_ID', 'ADMIN_CLIENT_SECRET'])('without %s', async (name) => {
    const admin = await callWith({ [name]: undefined }, '/clients', { headers: { authorization: `Bearer ${await getAdminToken()}` } });
    expect(admin).toEqual({
      status: 503,
      body: { errorCode: 'SERVICE_UNAVAILABLE', errorMessage: `the service is not configured: ${name} is not set` },
    });
    const token = await callWith({ [name]: undefined }, '/oauth/token', tokenForm);
    expect(token.status).toBe(503);
    expect(token.body).toEqual({ error: 'temporarily_unavailable', error_description: `the service is not configured: ${name} is not set` });
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
