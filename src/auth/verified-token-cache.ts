import { base64url } from 'jose';

/**
 * A bounded, least-recently-used memory of tokens already verified in this
 * isolate. Callers reuse one token for up to an hour, so checking its
 * signature again on every request would be wasted work; an entry is only
 * served while the token's `exp` (plus the clock tolerance) has not passed.
 * It is bounded by entries and by bytes, whatever the size of the tokens.
 */
export class VerifiedTokenCache<T extends { expiresAt: number }> {
  readonly #entries = new Map<string, { value: T; bytes: number }>();
  #bytes = 0;

  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number,
    readonly toleranceSeconds: number,
  ) {}

  get(key: string, nowSeconds: number): T | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#delete(key);
    if (entry.value.expiresAt + this.toleranceSeconds <= nowSeconds) return undefined;
    this.#insert(key, entry); // most recently used last
    return entry.value;
  }

  /** `bytes`: what the entry holds, roughly (its key and value as JSON). */
  set(key: string, value: T, bytes: number): void {
    this.#delete(key);
    if (bytes > this.maxBytes) return;
    this.#insert(key, { value, bytes });
    while (this.#entries.size > this.maxEntries || this.#bytes > this.maxBytes) this.#delete(this.#entries.keys().next().value!);
  }

  get size() {
    return this.#entries.size;
  }

  get bytes() {
    return this.#bytes;
  }

  #insert(key: string, entry: { value: T; bytes: number }) {
    this.#entries.set(key, entry);
    this.#bytes += entry.bytes;
  }

  #delete(key: string) {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }
}

// Order of the P-256 group: an ECDSA signature (r, s) is equally valid as (r, n - s).
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

const toHex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/**
 * The signature in one canonical form: decoded bytes (so base64url's spare
 * bits in the last character do not matter), and for a 64-byte ES256
 * signature the low-S twin. Every encoding of one signature maps to one value;
 * a different signature never does.
 */
function canonicalSignature(encoded: string): string {
  let bytes: Uint8Array;
  try {
    bytes = base64url.decode(encoded);
  } catch {
    return `raw:${encoded}`;
  }
  if (bytes.length !== 64) return toHex(bytes);
  const r = toHex(bytes.subarray(0, 32));
  const s = BigInt(`0x${toHex(bytes.subarray(32))}`);
  const lowS = s > P256_ORDER / 2n ? P256_ORDER - s : s;
  return `${r}${lowS.toString(16).padStart(64, '0')}`;
}

/**
 * The cache key of a token checked against an issuer and audience: a SHA-256
 * of those and of the token with its signature in canonical form, so a
 * token's malleable variants share one entry instead of filling the cache.
 */
export async function verifiedTokenKey(issuer: string, audience: string, token: string): Promise<string> {
  const [header = '', payload = '', signature = ''] = token.split('.');
  const material = `${issuer}\n${audience}\n${header}.${payload}.${canonicalSignature(signature)}`;
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(material))));
}
