import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { signingKeysOf } from '../../src/auth/signing-keys';

describe('signingKeysOf', () => {
  it('imports a key set once per isolate: the same value gives the same imported keys', async () => {
    const first = await signingKeysOf(env.SIGNING_KEYS);
    expect(await signingKeysOf(env.SIGNING_KEYS)).toBe(first);
    expect(first.signer.kid).toBe(first.publicJwks.keys[0]!.kid);
    expect(first.publicJwks.keys.every((k) => !('d' in k))).toBe(true);
  });

  it('accepts one JWK, an array, or a JWK set', async () => {
    const keys = JSON.parse(env.SIGNING_KEYS).keys;
    expect((await signingKeysOf(JSON.stringify(keys[0]))).publicJwks.keys).toHaveLength(1);
    expect((await signingKeysOf(JSON.stringify(keys))).publicJwks.keys).toHaveLength(2);
  });

  it.each([
    ['not json', 'SIGNING_KEYS is not valid: not JSON'],
    ['[]', 'SIGNING_KEYS is not valid: no key'],
    ['{"kty":"EC","crv":"P-256","x":"a","y":"b"}', 'SIGNING_KEYS is not valid: every key must be a private EC P-256 JWK (ES256)'],
  ])('refuses %j, and retries on the next call', async (raw, message) => {
    await expect(signingKeysOf(raw)).rejects.toThrow(message);
    await expect(signingKeysOf(raw)).rejects.toThrow(message);
  });
});
