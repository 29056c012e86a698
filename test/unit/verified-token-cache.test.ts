import { describe, expect, it } from 'vitest';
import { VerifiedTokenCache } from '../../src/auth/verified-token-cache';

const entry = (exp: number) => ({ claims: { exp } });

describe('VerifiedTokenCache', () => {
  it('serves an entry until exp plus the tolerance, then forgets it', () => {
    const cache = new VerifiedTokenCache(10, 30);
    cache.set('t', entry(1000));
    expect(cache.get('t', 1000)).toEqual(entry(1000));
    expect(cache.get('t', 1029)).toEqual(entry(1000));
    expect(cache.get('t', 1030)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('keeps at most maxEntries, dropping the least recently used', () => {
    const cache = new VerifiedTokenCache(2, 0);
    cache.set('a', entry(100));
    cache.set('b', entry(100));
    cache.get('a', 0); // a is now the most recent
    cache.set('c', entry(100));
    expect(cache.get('b', 0)).toBeUndefined();
    expect(cache.get('a', 0)).toBeDefined();
    expect(cache.get('c', 0)).toBeDefined();
  });

  it('treats a missing exp as expired', () => {
    const cache = new VerifiedTokenCache(2, 30);
    cache.set('x', { claims: {} });
    expect(cache.get('x', 0)).toBeUndefined();
  });
});
