import { base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import { VerifiedTokenCache, verifiedTokenKey } from '../../src/auth/verified-token-cache';
import { signToken } from '../tokens';

const entry = (expiresAt: number) => ({ expiresAt });

describe('VerifiedTokenCache', () => {
  it('serves an entry until exp plus the tolerance, then forgets it', () => {
    const cache = new VerifiedTokenCache(10, 1000, 30);
    cache.set('t', entry(1000), 10);
    expect(cache.get('t', 1000)).toEqual(entry(1000));
    expect(cache.get('t', 1029)).toEqual(entry(1000));
    expect(cache.get('t', 1030)).toBeUndefined();
    expect([cache.size, cache.bytes]).toEqual([0, 0]);
  });

  it('keeps at most maxEntries, dropping the least recently used', () => {
    const cache = new VerifiedTokenCache(2, 1000, 0);
    cache.set('a', entry(100), 1);
    cache.set('b', entry(100), 1);
    cache.get('a', 0); // a is now the most recent
    cache.set('c', entry(100), 1);
    expect(cache.get('b', 0)).toBeUndefined();
    expect(cache.get('a', 0)).toBeDefined();
    expect(cache.get('c', 0)).toBeDefined();
  });

  it('keeps at most maxBytes, dropping the least recently used, and never holds one entry larger than that', () => {
    const cache = new VerifiedTokenCache(100, 1000, 0);
    for (const key of ['a', 'b', 'c']) cache.set(key, entry(100), 400);
    expect([cache.size, cache.bytes]).toEqual([2, 800]);
    expect(cache.get('a', 0)).toBeUndefined();
    cache.set('b', entry(100), 100); // replacing an entry replaces its size
    expect(cache.bytes).toBe(500);
    cache.set('huge', entry(100), 1001);
    expect(cache.get('huge', 0)).toBeUndefined();
    expect(cache.bytes).toBe(500);
  });
});

describe('verifiedTokenKey', () => {
  const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
  const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

  /** The same signature with s replaced by n - s: just as valid for ECDSA. */
  function otherS(token: string) {
    const [header, payload, signature] = token.split('.');
    const bytes = base64url.decode(signature!);
    const s = BigInt(`0x${hex(bytes.subarray(32))}`);
    const flipped = (P256_ORDER - s).toString(16).padStart(64, '0');
    const out = new Uint8Array(64);
    out.set(bytes.subarray(0, 32));
    out.set(Uint8Array.from(flipped.match(/../g)!.map((b) => parseInt(b, 16))), 32);
    return `${header}.${payload}.${base64url.encode(out)}`;
  }

  it('maps a token’s malleable variants to one key: spare base64url bits and the other s', async () => {
    const token = await signToken();
    const key = await verifiedTokenKey('iss', 'aud', token);
    const last = token.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // 64 bytes are 86 characters: the last one carries 2 bits, so 16 characters decode alike.
    const base = alphabet.indexOf(last) & ~0b1111;
    const variants = Array.from({ length: 16 }, (_, i) => `${token.slice(0, -1)}${alphabet[base + i]}`);
    for (const variant of [...variants, otherS(token)]) expect(await verifiedTokenKey('iss', 'aud', variant)).toBe(key);
  });

  it('gives another key to another signature, payload, issuer or audience', async () => {
    const token = await signToken();
    const key = await verifiedTokenKey('iss', 'aud', token);
    const [header, payload] = token.split('.');
    const forged = `${header}.${payload}.${base64url.encode(new Uint8Array(64).fill(7))}`;
    expect(await verifiedTokenKey('iss', 'aud', forged)).not.toBe(key);
    expect(await verifiedTokenKey('iss', 'aud', await signToken({ claims: { sub: 'other' } }))).not.toBe(key);
    expect(await verifiedTokenKey('iss2', 'aud', token)).not.toBe(key);
    expect(await verifiedTokenKey('iss', 'aud2', token)).not.toBe(key);
  });
});
