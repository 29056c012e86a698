import { env } from 'cloudflare:workers';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey as JoseKey, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { api, apiCountingRoundTrips, basicAuth, expectError, tokenRequest } from './helpers';

const ISSUER = env.ISSUER!.replace(/\/+$/, '');
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

async function keyPair(alg: string, kid: string, options: Record<string, unknown> = {}) {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...options });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid };
  return { privateKey, jwk, kid, alg };
}

type Key = Awaited<ReturnType<typeof keyPair>>;

/** An RFC 7523 assertion; `claims` and `header` override the good defaults. */
async function assertion(clientId: string, key: { privateKey: JoseKey; kid: string; alg: string }, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: clientId, sub: clientId, aud: `${ISSUER}/oauth/token`, jti: crypto.randomUUID(), iat: now, exp: now + 60, ...claims })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, ...header })
    .sign(key.privateKey);
}

const assertionRequest = (clientAssertion: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}) =>
  tokenRequest({ grant_type: 'client_credentials', client_assertion_type: JWT_BEARER, client_assertion: clientAssertion, ...extra }, headers);

async function keyClient(keys: Key[], tenant = `pk-${crypto.randomUUID().slice(0, 8)}`) {
  const headers = { 'X-Tenant-Id': tenant };
  const res = await api('POST', '/clients', {
    body: { name: 'keyed', tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: keys.map((k) => k.jwk) } },
    headers,
  });
  expect(res.status, res.text).toBe(201);
  return { id: res.body.data.id as string, headers, client: res.body.data };
}

describe('private_key_jwt: a client without a secret gets a token', () => {
  it.each(['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256'])('signed with %s', async (alg) => {
    const key = await keyPair(alg, `k-${alg}`, alg === 'EdDSA' ? { crv: 'Ed25519' } : {});
    const { id, client } = await keyClient([key]);
    expect(client.secrets).toEqual([]);
    expect(client.tokenEndpointAuthMethod).toBe('private_key_jwt');
    const res = await assertionRequest(await assertion(id, key));
    expect(res.status, res.text).toBe(200);
    expect(res.body.token_type).toBe('Bearer');
  });

  it('refuses a replayed jti, and costs at most two D1 round trips', async () => {
    const key = await keyPair('ES256', 'replay');
    const { id } = await keyClient([key]);
    const signed = await assertion(id, key);
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: JWT_BEARER, client_assertion: signed });
    const first = await apiCountingRoundTrips('POST', '/oauth/token', {
      rawBody: form.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      token: null,
    });
    expect(first.status, first.text).toBe(200);
    expect(first.roundTrips).toBe(2);
    const again = await assertionRequest(signed);
    expect(again.status).toBe(401);
    expect(again.body).toEqual({ error: 'invalid_client', error_description: expect.stringContaining('jti was already used') });
  });

  it('refuses a valid secret of a private_key_jwt client', async () => {
    const key = await keyPair('ES256', 'k');
    const { id, headers } = await keyClient([key]);
    const secret = (await api('POST', `/clients/${id}/secrets`, { body: {}, headers })).body.data.clear;
    const res = await tokenRequest({ grant_type: 'client_credentials' }, { authorization: basicAuth(id, secret) });
    expect(res.status).toBe(401);
    expect(res.body.error_description).toMatch(/authenticates with private_key_jwt/);
  });

  it('refuses a private key inside jwks, naming the member', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const res = await api('POST', '/clients', {
      body: { name: 'leaky', tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'x' }] } },
    });
    expect(expectError(res, 400, 'VALIDATION')).toContain('jwks.keys[0].d: is a private key member');
  });

  it('answers 503 temporarily_unavailable with Retry-After when the jwksUri fails, and does not fetch it again meanwhile', async () => {
    const key = await keyPair('ES256', 'remote');
    const uri = `${env.TEST_FAILING_JWKS_URL}?case=${crypto.randomUUID()}`;
    const created = await api('POST', '/clients', { body: { name: 'remote', tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: uri } });
    expect(created.status, created.text).toBe(201);
    const id = created.body.data.id as string;
    for (let i = 0; i < 2; i++) {
      const res = await assertionRequest(await assertion(id, key));
      expect(res.status, res.text).toBe(503);
      expect(res.body.error).toBe('temporarily_unavailable');
      expect(res.headers.get('retry-after')).toBe('30');
    }
    const counts = (await (await fetch(env.TEST_JWKS_FETCH_COUNT_URL)).json()) as { byUrl: Record<string, number> };
    expect(counts.byUrl[uri]).toBe(1);
  });
});
