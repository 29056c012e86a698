import { base64url } from 'jose';

const SECRET_BYTES = 32; // 256 bits
const encoder = new TextEncoder();

/** A new clear secret: 256 random bits, base64url (43 URL-safe characters). */
export function generateClearSecret(): string {
  const bytes = new Uint8Array(SECRET_BYTES);
  crypto.getRandomValues(bytes);
  return base64url.encode(bytes);
}

/**
 * SHA-256, hex. Secrets carry 256 random bits, so a fast digest cannot be
 * brute-forced; a slow KDF would only make every token request slower.
 */
export async function digestSecret(clear: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', encoder.encode(clear));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Constant-time comparison of two digests (their length is public: always 64). */
export function digestsEqual(a: string, b: string): boolean {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  if (left.byteLength !== right.byteLength) return false;
  return crypto.subtle.timingSafeEqual(left, right);
}

export const lastDigitsOf = (clear: string) => clear.slice(-4);
