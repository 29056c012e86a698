/**
 * A resource server protected by edge-oauth-clients' access tokens.
 *
 * Preferred: the AUTH service binding to the token service's `TokenVerifier`
 * entrypoint, which judges each token against the service's D1, revocation
 * included. Without the binding, a fallback verifies the JWT locally against
 * the service's JWKS (see verifyLocally): it cannot see revocation.
 */
import { Hono, type Context } from 'hono';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';

/** What TokenVerifier.verify answers (src/token-verifier.ts of edge-oauth-clients). */
export interface ActiveToken {
  active: true;
  scope: string;
  client_id: string;
  sub: string;
  tenant: string;
  exp: number;
  iat?: number;
  iss: string;
  aud: string | string[];
  token_type: 'Bearer';
}
export type Judgement = { active: false } | ActiveToken;

export interface VerifyOptions {
  audience?: string;
  requiredScopes?: string[];
  tenant?: string;
}

/** The token service's RPC entrypoint, as seen through a service binding. */
export interface TokenVerifier extends Rpc.WorkerEntrypointBranded {
  verify(token: string, options?: VerifyOptions): Promise<Judgement>;
}

export interface Env {
  /** `[[services]] binding = "AUTH", entrypoint = "TokenVerifier"`; absent: the JWKS fallback. */
  AUTH?: Service<TokenVerifier>;
  /** The `aud` tokens must carry. */
  AUDIENCE: string;
  /** The tenant tokens must act in. */
  TENANT: string;
  /** Fallback only: the token service's issuer and JWKS URL (its /keys). */
  ISSUER?: string;
  JWKS_URL?: string;
}

type Caller = Pick<ActiveToken, 'client_id' | 'sub' | 'tenant' | 'scope'>;
type AppEnv = { Bindings: Env; Variables: { caller: Caller; verifiedBy: 'binding' | 'jwks' } };

const INACTIVE = { active: false } as const;
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

// One key set per JWKS URL, per isolate: jose caches the keys and refetches on an unknown kid.
const keySets = new Map<string, JWTVerifyGetKey>();

// jose's codes for a token that is bad; anything else (the JWKS could not be had) is our problem, not the caller's.
const INVALID_TOKEN_CODES = new Set([
  'ERR_JWS_INVALID',
  'ERR_JWT_INVALID',
  'ERR_JWT_EXPIRED',
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
]);

/**
 * FALLBACK, when no AUTH binding is configured: checks the JWT itself (signature
 * against the service's JWKS, issuer, audience, typ, expiry, scopes, tenant).
 * It CANNOT SEE REVOCATION: a token whose client or secret was deleted, whose
 * scope was taken away, or that was revoked (POST /oauth/revoke, DELETE
 * /clients/{id}/tokens) stays good here until it expires (TOKEN_TTL_SECONDS,
 * an hour by default). That is why the binding is preferred.
 */
async function verifyLocally(env: Env, token: string, options: Required<VerifyOptions>): Promise<Judgement> {
  if (!env.ISSUER || !env.JWKS_URL) throw new Error('configure the AUTH binding, or ISSUER and JWKS_URL');
  let keySet = keySets.get(env.JWKS_URL);
  if (!keySet) keySets.set(env.JWKS_URL, (keySet = createRemoteJWKSet(new URL(env.JWKS_URL))));
  try {
    const { payload } = await jwtVerify(token, keySet, {
      issuer: env.ISSUER,
      audience: options.audience,
      typ: 'at+jwt',
      algorithms: ['ES256'],
      requiredClaims: ['exp', 'sub'],
    });
    const { scope, client_id, tenant, sub, exp, iat, iss, aud } = payload;
    if (typeof scope !== 'string' || typeof client_id !== 'string' || typeof tenant !== 'string') return INACTIVE;
    if (tenant !== options.tenant) return INACTIVE;
    const held = new Set(scope.split(' '));
    if (!options.requiredScopes.every((s) => held.has(s))) return INACTIVE;
    return { active: true, scope, client_id, sub: sub!, tenant, exp: exp!, iat, iss: iss!, aud: aud!, token_type: 'Bearer' };
  } catch (error) {
    if (INVALID_TOKEN_CODES.has((error as { code?: unknown }).code as string)) return INACTIVE;
    throw error;
  }
}

const unauthorized = (c: Context<AppEnv>, error?: 'invalid_token') =>
  c.json(
    { error: error ?? 'unauthorized' },
    401,
    // RFC 6750 §3.1: a request with no token gets no error code.
    { 'WWW-Authenticate': error ? `Bearer error="${error}"` : 'Bearer' },
  );

/** Lets a request through only with a live token of TENANT, for AUDIENCE, holding every scope. */
const requireToken = (...requiredScopes: string[]) =>
  async (c: Context<AppEnv>, next: () => Promise<void>) => {
    const header = c.req.header('authorization');
    if (header === undefined) return unauthorized(c);
    const token = BEARER.exec(header)?.[1];
    if (token === undefined) return unauthorized(c, 'invalid_token');
    const options = { audience: c.env.AUDIENCE, requiredScopes, tenant: c.env.TENANT };
    // verify answers inactive for a missing scope too, so that is a 401 here, not a 403.
    const judgement = c.env.AUTH ? await c.env.AUTH.verify(token, options) : await verifyLocally(c.env, token, options);
    if (!judgement.active) return unauthorized(c, 'invalid_token');
    const { client_id, sub, tenant, scope } = judgement;
    c.set('caller', { client_id, sub, tenant, scope });
    c.set('verifiedBy', c.env.AUTH ? 'binding' : 'jwks');
    await next();
  };

const app = new Hono<AppEnv>();

app.get('/ledger', requireToken('ledger:read'), (c) =>
  c.json({ caller: c.get('caller'), verifiedBy: c.get('verifiedBy'), entries: [] }),
);

// The token service unreachable or misconfigured, or its JWKS unavailable: not the caller's fault.
app.onError((error, c) => {
  console.error('token verification failed', error);
  return c.json({ error: 'temporarily_unavailable' }, 503, { 'Retry-After': '30' });
});

export default app satisfies ExportedHandler<Env>;
