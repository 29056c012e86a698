import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { EXTERNAL_CLAIMS, signToken, testKeys } from './tokens';

// The external identity provider: only its access tokens, and a provider that fails costs little.

async function call(path: string, settings: Record<string, string | undefined>, init: RequestInit = {}) {
  const res = await createApp().fetch(new Request(`https://registry.test${path}`, init), { ...env, ...settings });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as any };
}

const externalToken = (typ: string, claims: Record<string, unknown> = {}) =>
  signToken({ key: testKeys.externalKey, typ, claims: { ...EXTERNAL_CLAIMS, tenant: 'idp', ...claims } });

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

async function fetchesOf(url: string) {
  const counts = (await (await fetch(env.TEST_JWKS_FETCH_COUNT_URL)).json()) as { byUrl: Record<string, number> };
  return counts.byUrl[url] ?? 0;
}

const unavailable = {
  status: 503,
  retryAfter: '30',
  body: { errorCode: 'SERVICE_UNAVAILABLE', errorMessage: 'the identity provider keys could not be fetched' },
};

describe('external identity provider', () => {
  it('accepts only its access tokens (typ at+jwt, or the configured EXTERNAL_TOKEN_TYPES)', async () => {
    expect((await call('/clients', {}, bearer(await externalToken('at+jwt')))).status).toBe(200);
    expect((await call('/clients', {}, bearer(await externalToken('application/at+jwt')))).status).toBe(200);
    for (const typ of ['JWT', 'logout+jwt', 'id_token+jwt']) {
      const res = await call('/clients', {}, bearer(await externalToken(typ)));
      expect(res, typ).toEqual({
        status: 401,
        retryAfter: null,
        body: { errorCode: 'UNAUTHORIZED', errorMessage: 'the token is not an access token (typ must be at+jwt)' },
      });
    }
    const configured = { EXTERNAL_TOKEN_TYPES: 'at+jwt, JWT' };
    expect((await call('/clients', configured, bearer(await externalToken('JWT')))).status).toBe(200);
    expect((await call('/clients', configured, bearer(await externalToken('logout+jwt')))).status).toBe(401);
  });

  it('answers 503 with Retry-After when its JWKS endpoint fails, answers garbage or hangs, never "malformed"', async () => {
    const token = await externalToken('at+jwt');
    for (const url of [env.TEST_FAILING_JWKS_URL, env.TEST_BROKEN_JWKS_URL, env.TEST_HANGING_JWKS_URL]) {
      expect(await call('/clients', { EXTERNAL_JWKS_URL: `${url}?case=${crypto.randomUUID()}` }, bearer(token)), url).toEqual(unavailable);
    }
  });

  it('does not ask a failing provider again for every request: one fetch, then 503s for a while', async () => {
    const url = `${env.TEST_FAILING_JWKS_URL}?case=${crypto.randomUUID()}`;
    for (let i = 0; i < 5; i++) {
      const token = await externalToken('at+jwt', { jti: `junk-${i}` });
      expect(await call('/clients', { EXTERNAL_JWKS_URL: url }, bearer(token))).toEqual(unavailable);
    }
    expect(await fetchesOf(url)).toBe(1);
  });

  it('a half-configured provider stops only the admin API: /oauth/token and /keys keep working', async () => {
    const half = { EXTERNAL_AUDIENCE: undefined };
    const form = {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=client_credentials&client_id=${env.ADMIN_CLIENT_ID}&client_secret=${env.ADMIN_CLIENT_SECRET}`,
    };
    const token = await call('/oauth/token', half, form);
    expect(token.status).toBe(200);
    expect((await call('/keys', half)).status).toBe(200);
    expect((await call('/.well-known/openid-configuration', half)).status).toBe(200);
    const admin = await call('/clients', half, bearer(token.body.access_token));
    expect(admin.status).toBe(503);
    expect(admin.body.errorMessage).toContain('EXTERNAL_ISSUER, EXTERNAL_JWKS_URL and EXTERNAL_AUDIENCE');
  });
});
