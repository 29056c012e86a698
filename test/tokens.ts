import { env } from 'cloudflare:workers';
import { importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';

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
