import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { ExternalIssuerConfig } from '../config';
import { ApiError } from '../lib/errors';
import { SIGNING_ALG, type SigningKeys } from './signing-keys';
import { KeySetUnavailableError, RemoteKeySet } from './remote-key-set';
import { VerifiedTokenCache, verifiedTokenKey } from './verified-token-cache';

export const ACCESS_TOKEN_TYPE = 'at+jwt';
/** The claim carrying the tenant in this service's tokens. */
export const TENANT_CLAIM = 'tenant';
/** The id of the client secret that minted the token: deleting the secret revokes it. */
export const SECRET_ID_CLAIM = 'secret_id';
/** The client's token generation at minting: revoking all the client's tokens bumps it. */
export const GENERATION_CLAIM = 'gen';
/**
 * A private_key_jwt client's tokens (no secret names them): when the client was created, in epoch
 * ms. With its id it names this incarnation of the client: a client deleted, and another made
 * under the same id (in any tenant), never makes the first one's tokens good again.
 */
export const CLIENT_CREATED_CLAIM = 'client_created';
/** The static admin's tokens: the proof of the configuration that minted them (auth/admin-identity.ts). */
export const ADMIN_PROOF_CLAIM = 'adm';
/** How far past `exp` (and before `nbf`) a token is still accepted: revocation entries must outlive it. */
export const CLOCK_TOLERANCE_SECONDS = 30;
// Asymmetric algorithms only: a symmetric one would let anyone holding the public key forge tokens.
const EXTERNAL_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA', 'Ed25519'];

export interface MintOptions {
  issuer: string;
  audience: string;
  ttlSeconds: number;
  clientId: string;
  scopes: string[];
  extraClaims?: JWTPayload;
}

/** An RFC 9068 access token, signed with the first configured key. */
export async function mintAccessToken(keys: SigningKeys, options: MintOptions) {
  const issuedAt = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ ...options.extraClaims, client_id: options.clientId, scope: options.scopes.join(' ') })
    .setProtectedHeader({ alg: SIGNING_ALG, typ: ACCESS_TOKEN_TYPE, kid: keys.signer.kid })
    .setIssuer(options.issuer)
    .setSubject(options.clientId)
    .setAudience(options.audience)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + options.ttlSeconds)
    .setJti(crypto.randomUUID())
    .sign(keys.signer.key);
  return { token, expiresIn: options.ttlSeconds };
}

export interface VerifiedToken {
  issuer: string;
  subject: string;
  /** `client_id` (RFC 9068), else `azp`, else `sub`. */
  clientId: string;
  /** `jti`, when the token has one (this service's always do). */
  jti?: string;
  /** `aud`, as the token carries it. */
  audience: string | string[];
  /** `iat`, in seconds since the epoch, when present. */
  issuedAt?: number;
  /** This service's tokens: the id of the secret that minted it (absent for the static admin's and older tokens). */
  secretId?: string;
  /** This service's tokens: the client's token generation when it was minted (claim `gen`, 0 when absent). */
  generation: number;
  /** This service's tokens got with a client assertion: the client's creation time (claim `client_created`). */
  clientCreatedAt?: number;
  /** This service's tokens: the static admin's proof (claim `adm`), on its tokens only. */
  adminProof?: string;
  scopes: Set<string>;
  /** The token's tenant: this service's `tenant` claim, or the external provider's configured claim. */
  tenant: unknown;
  /** Which claim the tenant was read from, for error messages. */
  tenantClaim: string;
  /** `exp`, in seconds since the epoch. */
  expiresAt: number;
  external: boolean;
}

export interface TrustedIssuers {
  own: { issuer: string; audience: string; keys: SigningKeys };
  external: ExternalIssuerConfig | null;
}

export class InvalidTokenError extends ApiError {
  constructor(message: string) {
    super('UNAUTHORIZED', message, { 'WWW-Authenticate': `Bearer error="invalid_token", error_description="${message}"` });
  }
}

// One remote key set per JWKS URL per isolate, so fetched keys stay cached between requests.
const remoteKeySets = new Map<string, RemoteKeySet>();

function remoteKeySet(url: string) {
  let keySet = remoteKeySets.get(url);
  if (!keySet) {
    keySet = new RemoteKeySet(url);
    remoteKeySets.set(url, keySet);
  }
  return keySet.getKey;
}

/** `typ` per RFC 8725 §3.11: compared without case and without an "application/" prefix. */
const normalizedTyp = (typ: unknown) => (typeof typ === 'string' ? typ.toLowerCase().replace(/^application\//, '') : '');

// This service's own tokens already verified, per key set: a new SIGNING_KEYS value starts empty.
// Bounded by count and by bytes: an isolate has 128 MB, and tokens can be large.
const VERIFIED_TOKENS_PER_ISOLATE = 1024;
const VERIFIED_TOKEN_BYTES_PER_ISOLATE = 2 * 1024 * 1024;
/** Bearer tokens longer than this are refused before any verification. */
export const MAX_BEARER_TOKEN_BYTES = 8 * 1024;
const verifiedOwnTokens = new WeakMap<SigningKeys, VerifiedTokenCache<VerifiedToken>>();

function verifiedCacheFor(keys: SigningKeys) {
  let cache = verifiedOwnTokens.get(keys);
  if (!cache) {
    cache = new VerifiedTokenCache<VerifiedToken>(VERIFIED_TOKENS_PER_ISOLATE, VERIFIED_TOKEN_BYTES_PER_ISOLATE, CLOCK_TOLERANCE_SECONDS);
    verifiedOwnTokens.set(keys, cache);
  }
  return cache;
}

const claimMessages: Record<string, string> = {
  aud: 'the token is not meant for this audience',
  iss: 'the token issuer is not trusted',
  nbf: 'the token is not valid yet (nbf)',
  exp: 'the token has no expiry (exp)',
  iat: 'the token has an invalid issue time (iat)',
  typ: 'the token is not an access token (typ must be at+jwt)',
};

/** A jose failure as a message for the caller; never echoes the token. */
function describeFailure(error: unknown): ApiError {
  if (error instanceof errors.JWTExpired) return new InvalidTokenError('the token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    return new InvalidTokenError(claimMessages[error.claim] ?? `the token has an invalid ${error.claim} claim`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return new InvalidTokenError('the token signing algorithm is not allowed');
  if (error instanceof errors.JWSSignatureVerificationFailed) return new InvalidTokenError('the token signature is invalid');
  if (error instanceof errors.JWKSNoMatchingKey) return new InvalidTokenError('the token is signed by an unknown key');
  if (error instanceof KeySetUnavailableError) {
    return new ApiError('SERVICE_UNAVAILABLE', 'the identity provider keys could not be fetched', { 'Retry-After': '30' });
  }
  return new InvalidTokenError('the token is malformed');
}

function scopesOf(claims: JWTPayload): Set<string> {
  if (typeof claims.scope === 'string') return new Set(claims.scope.split(' ').filter(Boolean));
  if (Array.isArray(claims.scp)) return new Set(claims.scp.filter((s): s is string => typeof s === 'string'));
  return new Set();
}

/**
 * Verifies a bearer token from this service (local keys, no network) or from
 * the configured external identity provider (its JWKS, cached per isolate).
 */
export async function verifyAccessToken(token: string, trusted: TrustedIssuers): Promise<VerifiedToken> {
  if (token.length > MAX_BEARER_TOKEN_BYTES) {
    throw new InvalidTokenError(`the token is longer than ${MAX_BEARER_TOKEN_BYTES} bytes`);
  }
  // Exactly header.payload.signature: the cache key would ignore anything after the signature.
  if (token.split('.').length !== 3) throw new InvalidTokenError('the token is malformed');
  const cache = verifiedCacheFor(trusted.own.keys);
  // The issuer and audience it was checked against are part of the key.
  const cacheKey = await verifiedTokenKey(trusted.own.issuer, trusted.own.audience, token);
  const cached = cache.get(cacheKey, Math.floor(Date.now() / 1000));
  if (cached) return cached;
  let unverifiedIssuer: unknown;
  let unverifiedTyp: unknown;
  try {
    unverifiedIssuer = decodeJwt(token).iss;
    unverifiedTyp = decodeProtectedHeader(token).typ;
  } catch {
    throw new InvalidTokenError('the token is malformed');
  }
  const { own, external } = trusted;
  const isExternal = external !== null && unverifiedIssuer === external.issuer && unverifiedIssuer !== own.issuer;
  if (isExternal) {
    // Only access tokens: an ID token or a logout token of the same provider is not a credential here.
    const typ = normalizedTyp(unverifiedTyp);
    if (!external.tokenTypes.includes(typ)) {
      throw new InvalidTokenError(`the token is not an access token (typ must be ${external.tokenTypes.join(' or ')})`);
    }
  }
  try {
    const { payload } = isExternal
      ? await jwtVerify(token, remoteKeySet(external.jwksUrl), {
          issuer: external.issuer,
          audience: external.audience,
          algorithms: EXTERNAL_ALGORITHMS,
          requiredClaims: ['exp'],
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
        })
      : await jwtVerify(token, own.keys.verify, {
          issuer: own.issuer,
          audience: own.audience,
          algorithms: [SIGNING_ALG],
          typ: ACCESS_TOKEN_TYPE,
          requiredClaims: ['exp'],
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
        });
    const tenantClaim = isExternal ? external.tenantClaim : TENANT_CLAIM;
    const clientId = [payload.client_id, payload.azp, payload.sub].find((v): v is string => typeof v === 'string') ?? '';
    const verified: VerifiedToken = {
      issuer: payload.iss!,
      subject: payload.sub ?? '',
      clientId,
      ...(typeof payload.jti === 'string' ? { jti: payload.jti } : {}),
      audience: payload.aud!,
      ...(typeof payload.iat === 'number' ? { issuedAt: payload.iat } : {}),
      ...(!isExternal && typeof payload[SECRET_ID_CLAIM] === 'string' ? { secretId: payload[SECRET_ID_CLAIM] as string } : {}),
      generation: !isExternal && Number.isSafeInteger(payload[GENERATION_CLAIM]) ? (payload[GENERATION_CLAIM] as number) : 0,
      ...(!isExternal && Number.isSafeInteger(payload[CLIENT_CREATED_CLAIM]) ? { clientCreatedAt: payload[CLIENT_CREATED_CLAIM] as number } : {}),
      ...(!isExternal && typeof payload[ADMIN_PROOF_CLAIM] === 'string' ? { adminProof: payload[ADMIN_PROOF_CLAIM] as string } : {}),
      scopes: scopesOf(payload),
      tenant: payload[tenantClaim],
      tenantClaim,
      expiresAt: payload.exp!,
      external: isExternal,
    };
    // Only this service's tokens: an external provider's keys can be revoked at its end.
    if (!isExternal) cache.set(cacheKey, verified, cacheKey.length + JSON.stringify({ ...verified, scopes: [...verified.scopes] }).length);
    return verified;
  } catch (error) {
    throw describeFailure(error);
  }
}
