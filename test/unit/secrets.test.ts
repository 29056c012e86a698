import { describe, expect, it } from 'vitest';
import { digestSecret, digestsEqual, generateClearSecret, lastDigitsOf } from '../../src/lib/secrets';

describe('generateClearSecret', () => {
  it('encodes 256 random bits as 43 URL-safe characters, never repeating', () => {
    const secrets = new Set(Array.from({ length: 200 }, generateClearSecret));
    expect(secrets.size).toBe(200);
    for (const secret of secrets) expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('digestSecret', () => {
  it('is the hex SHA-256 of the secret', async () => {
    expect(await digestSecret('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('digestsEqual', () => {
  it('compares digests', async () => {
    const a = await digestSecret('a');
    expect(digestsEqual(a, await digestSecret('a'))).toBe(true);
    expect(digestsEqual(a, await digestSecret('b'))).toBe(false);
    expect(digestsEqual(a, a.slice(1))).toBe(false);
  });
});

describe('lastDigitsOf', () => {
  it('keeps the last four characters', () => {
    expect(lastDigitsOf('abcdefgh')).toBe('efgh');
  });
});
