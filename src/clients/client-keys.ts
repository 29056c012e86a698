// private_key_jwt (RFC 7523): which public keys a client may register, as a rule per member, and
// how they are stored. Pure: the token endpoint (src/oauth/client-assertion.ts) and the clients
// API share it, so a key set fetched from a jwksUri passes the same rules as one given inline.
import { z } from '@hono/zod-openapi';
import { importJWK, type JWK } from 'jose';
import { ApiError } from '../lib/errors';

export const TOKEN_ENDPOINT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const;
export type TokenEndpointAuthMethod = (typeof TOKEN_ENDPOINT_AUTH_METHODS)[number];
export const DEFAULT_AUTH_METHOD: TokenEndpointAuthMethod = 'client_secret_basic';

/** The algorithms an assertion may be signed with: never `none`, never HS* (a public key is no secret). */
export const ASSERTION_ALGORITHMS = ['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256'] as const;
export type AssertionAlgorithm = (typeof ASSERTION_ALGORITHMS)[number];

export const MAX_CLIENT_KEYS = 5;
const MIN_RSA_BITS = 2048;
const MAX_RSA_BITS = 8192;
const MAX_MEMBER_LENGTH = 2048;
const MAX_KID_LENGTH = 256;
export const MAX_JWKS_URI_LENGTH = 2048;

/** Members only a private (or symmetric) key has (RFC 7518 §6.2.2, §6.3.2, §6.4.1; RFC 8037 §2). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
/** What is stored of a key: its public members, nothing else. */
const STORED_MEMBERS = ['kty', 'kid', 'use', 'alg', 'crv', 'x', 'y', 'n', 'e'] as const;

export type StoredJwk = Partial<Record<(typeof STORED_MEMBERS)[number], string>>;
export interface StoredJwks {
  keys: StoredJwk[];
}

const CURVES: Record<string, { kty: string; alg: AssertionAlgorithm; bytes: number }> = {
  'P-256': { kty: 'EC', alg: 'ES256', bytes: 32 },
  'P-384': { kty: 'EC', alg: 'ES384', bytes: 48 },
  Ed25519: { kty: 'OKP', alg: 'EdDSA', bytes: 32 },
};

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const base64urlBytes = (value: string) => Math.floor((value.length * 3) / 4);

/** The size of an RSA modulus in bits, leading zero bytes aside. */
function rsaBits(n: string): number {
  const binary = atob(n.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (n.length % 4)) % 4));
  let start = 0;
  while (start < binary.length && binary.charCodeAt(start) === 0) start++;
  if (start === binary.length) return 0;
  return (binary.length - start - 1) * 8 + Math.floor(Math.log2(binary.charCodeAt(start))) + 1;
}

/** The algorithms a (valid) key verifies: its `alg` when it names one, else what its type allows. */
export function algorithmsOf(key: StoredJwk): AssertionAlgorithm[] {
  if (key.alg) return [key.alg as AssertionAlgorithm];
  if (key.kty === 'RSA') return ['RS256', 'PS256'];
  const curve = key.crv ? CURVES[key.crv] : undefined;
  return curve ? [curve.alg] : [];
}

export interface KeyProblem {
  /** The member at fault, or null for the key as a whole. */
  member: string | null;
  message: string;
}

/** Everything wrong with one JWK as a client's public signing key; empty when it is fine. */
export function keyProblems(key: Record<string, unknown>): KeyProblem[] {
  const problems: KeyProblem[] = [];
  const fail = (member: string | null, message: string) => problems.push({ member, message });
  for (const member of PRIVATE_MEMBERS) {
    if (member in key) fail(member, 'is a private key member: register the public key only');
  }
  for (const [member, value] of Object.entries(key)) {
    if (typeof value === 'string' && value.length > MAX_MEMBER_LENGTH) fail(member, `must be at most ${MAX_MEMBER_LENGTH} characters`);
  }
  const { kty, kid, alg, use, crv } = key;
  if (typeof kid !== 'string' || kid.length < 1 || kid.length > MAX_KID_LENGTH) {
    fail('kid', `is required: every key needs a kid of 1-${MAX_KID_LENGTH} characters`);
  }
  if (use !== undefined && use !== 'sig') fail('use', 'must be sig');
  if (alg !== undefined && !ASSERTION_ALGORITHMS.includes(alg as AssertionAlgorithm)) {
    fail('alg', `must be one of ${ASSERTION_ALGORITHMS.join(', ')}`);
  }
  const base64url = (member: string, bytes?: number) => {
    const value = key[member];
    // A base64url text of length 1 mod 4 decodes to nothing whole: not base64url either.
    if (typeof value !== 'string' || !BASE64URL.test(value) || value.length % 4 === 1) return fail(member, 'is required, base64url');
    if (bytes !== undefined && base64urlBytes(value) !== bytes) fail(member, `must be ${bytes} bytes for crv ${String(crv)}`);
  };
  if (kty === 'EC' || kty === 'OKP') {
    const curve = typeof crv === 'string' ? CURVES[crv] : undefined;
    if (!curve || curve.kty !== kty) {
      fail('crv', kty === 'EC' ? 'must be P-256 (ES256) or P-384 (ES384)' : 'must be Ed25519 (EdDSA)');
      return problems;
    }
    if (alg !== undefined && alg !== curve.alg) fail('alg', `must be ${curve.alg} for crv ${crv}`);
    base64url('x', curve.bytes);
    if (kty === 'EC') base64url('y', curve.bytes);
  } else if (kty === 'RSA') {
    if (alg !== undefined && alg !== 'RS256' && alg !== 'PS256') fail('alg', 'must be RS256 or PS256 for an RSA key');
    base64url('e');
    const n = key.n;
    if (typeof n !== 'string' || !BASE64URL.test(n) || n.length % 4 === 1) fail('n', 'is required, base64url');
    else {
      const bits = rsaBits(n);
      if (bits < MIN_RSA_BITS) fail('n', `must be at least ${MIN_RSA_BITS} bits (this key has ${bits})`);
      if (bits > MAX_RSA_BITS) fail('n', `must be at most ${MAX_RSA_BITS} bits (this key has ${bits})`);
    }
  } else {
    fail('kty', 'must be EC, OKP or RSA');
  }
  return problems;
}

/** The public members of valid keys, in a fixed order: what is stored, compared and audited. */
export const normalizeJwks = (jwks: { keys: Record<string, unknown>[] }): StoredJwks => ({
  keys: jwks.keys.map((key) => {
    const stored: StoredJwk = {};
    for (const member of STORED_MEMBERS) if (typeof key[member] === 'string') stored[member] = key[member] as string;
    return stored;
  }),
});

/**
 * The usable keys of a key set from a jwksUri: those that pass the rules (the others are ignored).
 * Throws when the document is no JWK set at all (no `keys` array): the host is failing (an error
 * page served as 200, say), which must not read as "no keys" and replace the last good ones.
 */
export function usableKeys(jwks: unknown): StoredJwks {
  if (!jwks || typeof jwks !== 'object' || !Array.isArray((jwks as { keys?: unknown }).keys)) throw new TypeError('not a JWK set');
  const keys = (jwks as { keys: unknown[] }).keys;
  const valid = keys
    .filter((key): key is Record<string, unknown> => !!key && typeof key === 'object' && !Array.isArray(key))
    .filter((key) => {
      try {
        return keyProblems(key).length === 0;
      } catch {
        return false; // one key that breaks a rule in an unforeseen way is ignored, like any other bad key
      }
    })
    .slice(0, MAX_CLIENT_KEYS * 4);
  return normalizeJwks({ keys: valid });
}

export const JwksSchema = z
  .object({
    keys: z
      .array(z.record(z.string(), z.unknown()).openapi({ description: 'A public JWK' }))
      .min(1, 'must hold at least one key')
      .max(MAX_CLIENT_KEYS, `must hold at most ${MAX_CLIENT_KEYS} keys`),
  })
  .superRefine((jwks, ctx) => {
    const kids = new Set<string>();
    jwks.keys.forEach((key, index) => {
      for (const { member, message } of keyProblems(key)) {
        ctx.addIssue({ code: 'custom', path: ['keys', index, ...(member ? [member] : [])], message });
      }
      if (typeof key.kid === 'string') {
        if (kids.has(key.kid)) ctx.addIssue({ code: 'custom', path: ['keys', index, 'kid'], message: `must be unique ("${key.kid}" repeats)` });
        kids.add(key.kid);
      }
    });
  })
  .openapi('ClientJwks', {
    description: `private_key_jwt: the client's public keys (at most ${MAX_CLIENT_KEYS}), each with a kid; ${ASSERTION_ALGORITHMS.join(', ')}; RSA of at least ${MIN_RSA_BITS} bits`,
  });

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** https, or http to this machine (development); no credentials, no fragment. */
export function jwksUriProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname))) {
    return 'must be an https URL (http only for localhost)';
  }
  if (url.username || url.password) return 'must not hold credentials';
  if (url.hash) return 'must not have a fragment';
  return null;
}

export const JwksUriSchema = z
  .string()
  .max(MAX_JWKS_URI_LENGTH, `must be at most ${MAX_JWKS_URI_LENGTH} characters`)
  .superRefine((value, ctx) => {
    const problem = jwksUriProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .openapi({ format: 'uri', description: "private_key_jwt: where the client's public JWK set is published (https)" });

export interface AuthOptions {
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
  jwks?: { keys: Record<string, unknown>[] } | null;
  jwksUri?: string | null;
}

export const givesAuthOptions = (options: AuthOptions) =>
  options.tokenEndpointAuthMethod !== undefined || options.jwks !== undefined || options.jwksUri !== undefined;

/** A private_key_jwt client has exactly one of jwks and jwksUri; other clients have neither. */
export function authOptionsProblems(options: AuthOptions): KeyProblem[] {
  const method = options.tokenEndpointAuthMethod ?? DEFAULT_AUTH_METHOD;
  const hasJwks = options.jwks != null;
  const hasUri = options.jwksUri != null;
  if (method === 'private_key_jwt') {
    if (hasJwks && hasUri) return [{ member: 'jwksUri', message: 'give jwks or jwksUri, not both' }];
    if (!hasJwks && !hasUri) return [{ member: 'jwks', message: 'a private_key_jwt client needs jwks or jwksUri' }];
    return [];
  }
  if (hasJwks || hasUri) {
    return [{ member: hasJwks ? 'jwks' : 'jwksUri', message: 'is only for tokenEndpointAuthMethod private_key_jwt' }];
  }
  return [];
}

/** 400 naming the first key that passes the rules but is no usable public key (a point off its curve, say). */
export async function assertImportableKeys(jwks: { keys: Record<string, unknown>[] } | null | undefined) {
  if (!jwks) return;
  const { keys } = normalizeJwks(jwks);
  for (const [index, key] of keys.entries()) {
    const alg = algorithmsOf(key)[0]!;
    try {
      await importJWK(key as JWK, alg);
    } catch {
      throw new ApiError('VALIDATION', `jwks.keys[${index}]: is not a valid ${alg} public key`);
    }
  }
}
