import { ApiError } from './lib/errors';

/** Worker settings: plain vars in wrangler.toml, credentials as Worker secrets (.dev.vars locally). */
export interface ConfigBindings {
  /** Issuer URL of the tokens this service mints; required (never taken from a request's Host). */
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
  /** The `typ` values of the external provider's access tokens, comma-separated; default `at+jwt`. */
  EXTERNAL_TOKEN_TYPES?: string;
  /** Tenant of the static admin client; default `default`. */
  ADMIN_TENANT?: string;
  /** The tenant whose clients may hold auth:tenants (act in other tenants); default ADMIN_TENANT. */
  OPERATOR_TENANT?: string;
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
  /** Lower case, without "application/". */
  tokenTypes: string[];
}

export interface AdminClientConfig {
  id: string;
  secret: string;
  tenant: string;
}

/** This service's issuer URL: configuration only, so no request can choose what tokens say. */
export function issuerOf(env: ConfigBindings): string {
  return env.ISSUER!.replace(/\/+$/, '');
}

/** The public URL of a request: the issuer's origin and base path, then the request's path and query. */
export function publicUrlOf(env: ConfigBindings, requestUrl: string): string {
  const { pathname, search } = new URL(requestUrl);
  return `${issuerOf(env)}${pathname}${search}`;
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
function missingSetting(env: ConfigBindings): string | null {
  for (const name of ['ISSUER', 'SIGNING_KEYS', 'ADMIN_CLIENT_ID', 'ADMIN_CLIENT_SECRET'] as const) {
    if (!env[name]) return name;
  }
  return null;
}

/** The platform's root credential: a short one could be guessed. */
export const MIN_ADMIN_SECRET_LENGTH = 32;

/** Why the service cannot run with these settings (for a 503), or null. */
export function configurationProblem(env: ConfigBindings): string | null {
  const missing = missingSetting(env);
  if (missing) return `the service is not configured: ${missing} is not set`;
  if (env.ADMIN_CLIENT_SECRET!.length < MIN_ADMIN_SECRET_LENGTH) {
    return `the service is not configured: ADMIN_CLIENT_SECRET must be at least ${MIN_ADMIN_SECRET_LENGTH} characters`;
  }
  return null;
}

export function adminClientOf(env: ConfigBindings): AdminClientConfig {
  return { id: env.ADMIN_CLIENT_ID!, secret: env.ADMIN_CLIENT_SECRET!, tenant: env.ADMIN_TENANT || DEFAULT_TENANT };
}

/** Only clients stored in this tenant can be granted auth:tenants. */
export const operatorTenantOf = (env: ConfigBindings) => env.OPERATOR_TENANT || adminClientOf(env).tenant;

export function externalIssuerOf(env: ConfigBindings): ExternalIssuerConfig | null {
  const { EXTERNAL_ISSUER: issuer, EXTERNAL_JWKS_URL: jwksUrl, EXTERNAL_AUDIENCE: audience } = env;
  if (!issuer && !jwksUrl && !audience) return null;
  if (!issuer || !jwksUrl || !audience) {
    throw new ApiError(
      'SERVICE_UNAVAILABLE',
      'EXTERNAL_ISSUER, EXTERNAL_JWKS_URL and EXTERNAL_AUDIENCE must be set together',
    );
  }
  const tokenTypes = (env.EXTERNAL_TOKEN_TYPES || 'at+jwt')
    .split(',')
    .map((typ) => typ.trim().toLowerCase().replace(/^application\//, ''))
    .filter(Boolean);
  return { issuer, jwksUrl, audience, tenantClaim: env.EXTERNAL_TENANT_CLAIM || 'tenant', tokenTypes };
}
