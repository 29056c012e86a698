import { ApiError } from './lib/errors';

/** Worker settings: plain vars in wrangler.toml, credentials as Worker secrets (.dev.vars locally). */
export interface ConfigBindings {
  /** Issuer URL of the tokens this service mints; defaults to the request's origin. */
  ISSUER?: string;
  /** `aud` of minted tokens and the audience admin tokens must carry; defaults to the issuer. */
  AUDIENCE?: string;
  /** Access token lifetime in seconds; default 3600. */
  TOKEN_TTL_SECONDS?: string;
  /** Secret: a private ES256 JWK, an array of them, or a JWK set `{"keys": [...]}`. The first signs. */
  SIGNING_KEYS?: string;
  /** The static admin client, granted auth:read and auth:write; not stored in D1. */
  ADMIN_CLIENT_ID?: string;
  /** Secret. */
  ADMIN_CLIENT_SECRET?: string;
  /** Optional external identity provider whose access tokens the admin API also accepts. */
  EXTERNAL_ISSUER?: string;
  EXTERNAL_JWKS_URL?: string;
  EXTERNAL_AUDIENCE?: string;
  /** The external provider's claim naming the tenant; default `tenant`. */
  EXTERNAL_TENANT_CLAIM?: string;
  /** Tenant of the static admin client; default `default`. */
  ADMIN_TENANT?: string;
}

export const DEFAULT_TENANT = 'default';

/** Formance's gateway prefix: its SDKs call <server>/api/auth/...; every route answers there too. */
export const FORMANCE_PREFIX = '/api/auth';

export const DEFAULT_TOKEN_TTL_SECONDS = 3600;

export interface ExternalIssuerConfig {
  issuer: string;
  jwksUrl: string;
  audience: string;
  tenantClaim: string;
}

export interface AdminClientConfig {
  id: string;
  secret: string;
  tenant: string;
}

export function issuerOf(env: ConfigBindings, requestUrl: string): string {
  return (env.ISSUER || new URL(requestUrl).origin).replace(/\/+$/, '');
}

export function audienceOf(env: ConfigBindings, issuer: string): string {
  return env.AUDIENCE || issuer;
}

export function tokenTtlOf(env: ConfigBindings): number {
  const ttl = Number(env.TOKEN_TTL_SECONDS ?? DEFAULT_TOKEN_TTL_SECONDS);
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 86_400) {
    throw new ApiError('SERVICE_UNAVAILABLE', 'TOKEN_TTL_SECONDS must be a whole number of seconds from 1 to 86400');
  }
  return ttl;
}

/** The settings without which no token can be minted or checked: a 503 names the first missing one. */
export function missingSetting(env: ConfigBindings): string | null {
  for (const name of ['SIGNING_KEYS', 'ADMIN_CLIENT_ID', 'ADMIN_CLIENT_SECRET'] as const) {
    if (!env[name]) return name;
  }
  return null;
}

export function adminClientOf(env: ConfigBindings): AdminClientConfig {
  return { id: env.ADMIN_CLIENT_ID!, secret: env.ADMIN_CLIENT_SECRET!, tenant: env.ADMIN_TENANT || DEFAULT_TENANT };
}

export function externalIssuerOf(env: ConfigBindings): ExternalIssuerConfig | null {
  const { EXTERNAL_ISSUER: issuer, EXTERNAL_JWKS_URL: jwksUrl, EXTERNAL_AUDIENCE: audience } = env;
  if (!issuer && !jwksUrl && !audience) return null;
  if (!issuer || !jwksUrl || !audience) {
    throw new ApiError(
      'SERVICE_UNAVAILABLE',
      'EXTERNAL_ISSUER, EXTERNAL_JWKS_URL and EXTERNAL_AUDIENCE must be set together',
    );
  }
  return { issuer, jwksUrl, audience, tenantClaim: env.EXTERNAL_TENANT_CLAIM || 'tenant' };
}
