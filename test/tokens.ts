import { env } from 'cloudflare:workers';
import { base64url, importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';

/** Private keys generated for this test run by vitest.config.ts. */
export const testKeys = JSON.parse(env.TEST_KEYS) as Record<'signingKey' | 'retiredKey' | 'externalKey' | 'strangerKey', JWK>;

export const OWN_CLAIMS = { iss: 'https://registry.test', aud: 'https://registry.test', tenant: 'default' };
export const EXTERNAL_CLAIMS = { iss: env.EXTERNAL_ISSUER, aud: env.EXTERNAL_AUDIENCE };

export const now = () => Math.floor(Date.now() / 1000);

export interface SignOptions {
  key?: JWK;
  kid?: string;
  typ?: string;
  claims?: JWTPayload;
  omitExp?: boolean;
}

/** An access token signed like this service's own (by default), with claims to taste. */
export async function signToken({ key = testKeys.signingKey, kid = key.kid, typ = 'at+jwt', claims = {}, omitExp = false }: SignOptions = {}) {
  const body: JWTPayload = { ...OWN_CLAIMS, sub: 'tester', scope: 'auth:read auth:write', iat: now(), ...claims };
  if (!omitExp) body.exp ??= now() + 300;
  return new SignJWT(body).setProtectedHeader({ alg: 'ES256', typ, kid }).sign(await importJWK(key, 'ES256'));
}

/** A read/write token acting in `tenant`. */
export const tenantToken = (tenant: string, scope = 'auth:read auth:write') => signToken({ claims: { tenant, scope } });

const encodeJson = (value: object) => base64url.encode(JSON.stringify(value));

/**
 * The RFC 8725 attack matrix: for each case, the Authorization header to send
 * (null: none). Every one must be a 401 invalid_token on every protected route.
 */
export async function attackAuthorizations(): Promise<[string, string | null][]> {
  const bearer = (token: string) => `Bearer ${token}`;
  const { kty, crv, x, y, kid } = testKeys.signingKey;
  const hs256WithPublicKey = await new SignJWT({ ...OWN_CLAIMS, exp: now() + 300, scope: 'auth:write' })
    .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid })
    .sign(new TextEncoder().encode(JSON.stringify({ kty, crv, x, y })));
  const [header, , signature] = (await signToken({ claims: { scope: 'auth:read' } })).split('.');
  const tampered = `${header}.${encodeJson({ ...OWN_CLAIMS, sub: 'tester', exp: now() + 300, scope: 'auth:write' })}.${signature}`;
  return [
    ['no header', null],
    ['not bearer', 'Basic YWRtaW46eA=='],
    ['empty bearer', 'Bearer'],
    ['not a JWT', bearer('not-a-jwt')],
    ['alg none', bearer(`${encodeJson({ alg: 'none', typ: 'at+jwt' })}.${encodeJson({ ...OWN_CLAIMS, exp: now() + 300, scope: 'auth:write' })}.`)],
    ['HS256 with the public key', bearer(hs256WithPublicKey)],
    ['expired', bearer(await signToken({ claims: { exp: now() - 120, iat: now() - 600 } }))],
    ['nbf in the future', bearer(await signToken({ claims: { nbf: now() + 600 } }))],
    ['wrong issuer', bearer(await signToken({ claims: { iss: 'https://evil.example' } }))],
    ['wrong audience', bearer(await signToken({ claims: { aud: 'https://other.example' } }))],
    ['no exp', bearer(await signToken({ omitExp: true }))],
    ['not at+jwt', bearer(await signToken({ typ: 'JWT' }))],
    ['unknown kid', bearer(await signToken({ kid: 'unknown-kid' }))],
    ['tampered payload', bearer(tampered)],
    ['another key', bearer(await signToken({ key: testKeys.strangerKey }))],
    ['another key, trusted kid', bearer(await signToken({ key: testKeys.strangerKey, kid: testKeys.signingKey.kid }))],
  ];
}
