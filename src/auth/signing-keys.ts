import { calculateJwkThumbprint, createLocalJWKSet, importJWK, type CryptoKey, type JWK } from 'jose';
import { deriveCursorKey } from '../lib/cursor';
import { ApiError } from '../lib/errors';

export const SIGNING_ALG = 'ES256';

export interface SigningKeys {
  /** The first configured key: signs every new token. */
  signer: { kid: string; key: CryptoKey };
  /** Every configured key's public half, served at /keys. */
  publicJwks: { keys: JWK[] };
  /** Verifies this service's own tokens, locally. */
  verify: ReturnType<typeof createLocalJWKSet>;
  /** MACs pagination cursors; derived (HKDF) from the same secret, so no extra setting. */
  cursorKey: CryptoKey;
}

// Keys are imported once per isolate (per distinct SIGNING_KEYS value), not per request.
const cache = new Map<string, Promise<SigningKeys>>();

function invalid(reason: string): ApiError {
  return new ApiError('SERVICE_UNAVAILABLE', `SIGNING_KEYS is not valid: ${reason}`);
}

function parseJwks(raw: string): JWK[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalid('not JSON');
  }
  const keys = Array.isArray(parsed) ? parsed : (parsed as { keys?: unknown }).keys ?? [parsed];
  if (!Array.isArray(keys) || keys.length === 0) throw invalid('no key');
  for (const key of keys as JWK[]) {
    if (key?.kty !== 'EC' || key.crv !== 'P-256' || typeof key.d !== 'string') {
      throw invalid('every key must be a private EC P-256 JWK (ES256)');
    }
  }
  return keys as JWK[];
}

async function load(raw: string): Promise<SigningKeys> {
  const privateJwks = parseJwks(raw);
  const publicKeys: JWK[] = [];
  for (const jwk of privateJwks) {
    const kid = jwk.kid ?? (await calculateJwkThumbprint(jwk));
    publicKeys.push({ kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, kid, alg: SIGNING_ALG, use: 'sig' });
  }
  const first = privateJwks[0]!;
  const key = (await importJWK({ ...first, alg: SIGNING_ALG }, SIGNING_ALG)) as CryptoKey;
  const publicJwks = { keys: publicKeys };
  return {
    signer: { kid: publicKeys[0]!.kid!, key },
    publicJwks,
    verify: createLocalJWKSet(publicJwks),
    cursorKey: await deriveCursorKey(first.d!),
  };
}

export function signingKeysOf(raw: string): Promise<SigningKeys> {
  let keys = cache.get(raw);
  if (!keys) {
    keys = load(raw);
    // A bad value is not cached as a rejection forever: the next request retries.
    keys.catch(() => cache.delete(raw));
    cache.set(raw, keys);
  }
  return keys;
}
