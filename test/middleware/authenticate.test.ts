import { env } from 'cloudflare:workers';
import { base64url, SignJWT, type JWTPayload } from 'jose';
import { describe, expect, it } from 'vitest';
import { api, getAdminToken } from '../helpers';
import { EXTERNAL_CLAIMS, now, OWN_CLAIMS, signToken, testKeys, type SignOptions } from '../tokens';

const keys = testKeys;
const OWN = OWN_CLAIMS;
const EXTERNAL = EXTERNAL_CLAIMS;
const sign = signToken;

const encodeJson = (value: object) => base64url.encode(JSON.stringify(value));

async function refused(token: string | null, header?: string) {
  const headers: Record<string, string> = header === undefined ? {} : { authorization: header };
  const res = await api('GET', '/clients', { token, headers });
  expect(res.status).toBe(401);
  expect(res.body.errorCode).toBe('UNAUTHORIZED');
  expect(res.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
  if (token) expect(res.text).not.toContain(token);
  return res.body.errorMessage as string;
}

describe('authenticate: 401 for every invalid token (RFC 8725)', () => {
  it('no Authorization header', async () => {
    expect(await refused(null)).toBe('a bearer token is required');
  });

  it.each(['Token abc', 'Bearer', 'Bearer a b', 'Basic YWRtaW46eA=='])('malformed header %j', async (header) => {
    expect(await refused(null, header)).toBe('the Authorization header must be: Bearer <token>');
  });

  it('not a JWT', async () => {
    expect(await refused('not-a-jwt')).toBe('the token is malformed');
  });

  it('alg none', async () => {
    const token = `${encodeJson({ alg: 'none', typ: 'at+jwt' })}.${encodeJson({ ...OWN, exp: now() + 300, scope: 'auth:write' })}.`;
    expect(await refused(token)).toMatch(/algorithm is not allowed|malformed/);
  });

  it('HS256 signed with the public key as the HMAC secret', async () => {
    const { kty, crv, x, y, kid } = keys.signingKey;
    const publicJwk = JSON.stringify({ kty, crv, x, y });
    const token = await new SignJWT({ ...OWN, exp: now() + 300, scope: 'auth:write' })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid })
      .sign(new TextEncoder().encode(publicJwk));
    expect(await refused(token)).toBe('the token signing algorithm is not allowed');
  });

  it('expired', async () => {
    expect(await refused(await sign({ claims: { exp: now() - 120, iat: now() - 600 } }))).toBe('the token has expired');
  });

  it('nbf in the future', async () => {
    expect(await refused(await sign({ claims: { nbf: now() + 600 } }))).toBe('the token is not valid yet (nbf)');
  });

  it('wrong issuer', async () => {
    expect(await refused(await sign({ claims: { iss: 'https://evil.example' } }))).toBe('the token issuer is not trusted');
  });

  it('wrong audience', async () => {
    expect(await refused(await sign({ claims: { aud: 'https://other.example' } }))).toBe('the token is not meant for this audience');
  });

  it('no exp', async () => {
    expect(await refused(await sign({ omitExp: true }))).toBe('the token has no expiry (exp)');
  });

  it('not an access token (typ)', async () => {
    expect(await refused(await sign({ typ: 'JWT' }))).toBe('the token is not an access token (typ must be at+jwt)');
  });

  it('unknown kid', async () => {
    expect(await refused(await sign({ kid: 'unknown-kid' }))).toBe('the token is signed by an unknown key');
  });

  it('tampered payload', async () => {
    const [header, , signature] = (await sign({ claims: { scope: 'auth:read' } })).split('.');
    const forged = `${header}.${encodeJson({ ...OWN, sub: 'tester', exp: now() + 300, scope: 'auth:write' })}.${signature}`;
    expect(await refused(forged)).toBe('the token signature is invalid');
  });

  it('signed by another key, under its own kid or under a trusted kid', async () => {
    expect(await refused(await sign({ key: keys.strangerKey }))).toBe('the token is signed by an unknown key');
    expect(await refused(await sign({ key: keys.strangerKey, kid: keys.signingKey.kid }))).toBe('the token signature is invalid');
  });
});

describe('authenticate: the size and form of a token', () => {
  it('refuses a token over 8 KiB before verifying it, however well signed', async () => {
    const big = await sign({ claims: { padding: 'p'.repeat(8 * 1024) } });
    expect(await refused(big)).toBe('the token is longer than 8192 bytes');
    const fits = await sign({ claims: { padding: 'p'.repeat(5000) } });
    expect((await api('GET', '/clients', { token: fits })).status).toBe(200);
  });

  it('refuses a remembered token with anything after its signature, and a bad header under the external issuer, as malformed', async () => {
    const token = await sign({ claims: { jti: 'four-parts' } });
    expect((await api('GET', '/clients', { token })).status).toBe(200);
    expect(await refused(`${token}.x`)).toBe('the token is malformed');
    const payload = encodeJson({ ...EXTERNAL, tenant: 'x', exp: now() + 300, scope: 'auth:write' });
    for (const header of ['nope', base64url.encode('[1]'), 'a']) {
      expect(await refused(`${header}.${payload}.c2ln`)).toBe('the token is malformed');
    }
  });

  it('refuses another signature on the payload of a token it has already verified and remembered', async () => {
    const token = await sign({ claims: { jti: 'remembered' } });
    expect((await api('GET', '/clients', { token })).status).toBe(200);
    const [header, payload] = token.split('.');
    const other = (await sign({ claims: { jti: 'other' } })).split('.')[2];
    expect(await refused(`${header}.${payload}.${other}`)).toBe('the token signature is invalid');
    expect((await api('GET', '/clients', { token })).status).toBe(200);
  });
});

describe('authenticate: valid tokens', () => {
  it('accepts tokens minted by /oauth/token and by the second (retired) configured key', async () => {
    expect((await api('GET', '/clients', { token: await getAdminToken() })).status).toBe(200);
    expect((await api('GET', '/clients', { token: await sign({ key: keys.retiredKey }) })).status).toBe(200);
  });

  it('tolerates 30 s of clock skew on exp, and not more', async () => {
    expect((await api('GET', '/clients', { token: await sign({ claims: { exp: now() - 5, iat: now() - 60 } }) })).status).toBe(200);
    expect((await api('GET', '/clients', { token: await sign({ claims: { exp: now() - 25, iat: now() - 60 } }) })).status).toBe(200);
    expect(await refused(await sign({ claims: { exp: now() - 36, iat: now() - 60 } }))).toBe('the token has expired');
  });

  it('accepts HEAD with a read-only token, like GET', async () => {
    const res = await api('HEAD', '/clients', { token: await sign({ claims: { scope: 'auth:read' } }) });
    expect(res.status).toBe(200);
  });
});

describe('requireScopeForMethod', () => {
  it('lets auth:read read and not write; auth:write do both; no scope nothing', async () => {
    const readOnly = await sign({ claims: { scope: 'auth:read' } });
    const writer = await sign({ claims: { scope: 'auth:write' } });
    const none = await sign({ claims: { scope: 'ledger:read' } });
    expect((await api('GET', '/scopes', { token: readOnly })).status).toBe(200);
    const denied = await api('POST', '/scopes', { token: readOnly, body: { label: 'x' } });
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({ errorCode: 'FORBIDDEN', errorMessage: 'this operation needs scope auth:write' });
    expect(denied.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope", scope="auth:write"');
    expect((await api('DELETE', '/scopes/whatever', { token: readOnly })).status).toBe(403);
    expect((await api('POST', '/scopes', { token: writer, body: { label: 'writer:ok' } })).status).toBe(201);
    expect((await api('GET', '/scopes', { token: writer })).status).toBe(200);
    const noScope = await api('GET', '/clients', { token: none });
    expect(noScope.status).toBe(403);
    expect(noScope.body.errorMessage).toBe('this operation needs scope auth:read or auth:write');
  });
});

describe('external identity provider', () => {
  const external = (claims: JWTPayload = {}, options: SignOptions = {}) =>
    sign({ key: keys.externalKey, typ: 'at+jwt', claims: { ...EXTERNAL, ...claims }, ...options });

  it('accepts its tokens through its JWKS (fetched by the worker), reading scope or scp', async () => {
    expect((await api('GET', '/clients', { token: await external() })).status).toBe(200);
    const scp = await external({ scope: undefined, scp: ['auth:read'] });
    expect((await api('GET', '/clients', { token: scp })).status).toBe(200);
    expect((await api('POST', '/clients', { token: scp, body: { name: 'x' } })).status).toBe(403);
  });

  it('refuses its tokens with a wrong audience, without exp, or signed by another key', async () => {
    expect(await refused(await external({ aud: env.EXTERNAL_ISSUER }))).toBe('the token is not meant for this audience');
    expect(await refused(await external({}, { omitExp: true }))).toBe('the token has no expiry (exp)');
    expect(await refused(await external({}, { key: keys.strangerKey, kid: keys.externalKey.kid }))).toBe('the token signature is invalid');
  });

  it('refuses its tokens when expired, not yet valid, unsigned or HMAC-signed, though they name its issuer', async () => {
    expect(await refused(await external({ exp: now() - 120, iat: now() - 600 }))).toBe('the token has expired');
    expect(await refused(await external({ nbf: now() + 600 }))).toBe('the token is not valid yet (nbf)');
    const unsigned = `${encodeJson({ alg: 'none', typ: 'at+jwt' })}.${encodeJson({ ...EXTERNAL, tenant: 'x', exp: now() + 300, scope: 'auth:write' })}.`;
    expect(await refused(unsigned)).toMatch(/algorithm is not allowed|malformed/);
    const hmac = await new SignJWT({ ...EXTERNAL, tenant: 'x', exp: now() + 300, scope: 'auth:write' })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: keys.externalKey.kid })
      .sign(new TextEncoder().encode('a shared secret of thirty-two bytes!'));
    expect(await refused(hmac)).toBe('the token signing algorithm is not allowed');
  });

  it('fetches its JWKS once per isolate, not once per token', async () => {
    const fetches = async () => ((await (await fetch(env.TEST_JWKS_FETCH_COUNT_URL)).json()) as { fetches: number }).fetches;
    expect((await api('GET', '/clients', { token: await external({ jti: 'warm-up' }) })).status).toBe(200);
    const before = await fetches();
    for (let i = 0; i < 5; i++) {
      expect((await api('GET', '/clients', { token: await external({ jti: `distinct-${i}` }) })).status).toBe(200);
    }
    expect(before).toBeGreaterThan(0);
    expect(await fetches()).toBe(before);
  });

  it('does not accept this service’s keys for the external issuer', async () => {
    expect(await refused(await sign({ claims: EXTERNAL }))).toBe('the token is signed by an unknown key');
  });
});
