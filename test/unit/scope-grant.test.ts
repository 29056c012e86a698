import { describe, expect, it } from 'vitest';
import { OAuthError } from '../../src/oauth/oauth-error';
import { grantScopes } from '../../src/oauth/scope-grant';

describe('grantScopes', () => {
  it('grants every allowed scope (deduplicated) when none is requested', () => {
    expect(grantScopes(['b', 'a', 'b'], null)).toEqual(['a', 'b']);
    expect(grantScopes([], null)).toEqual([]);
  });

  it('grants exactly the requested scopes when all are allowed', () => {
    expect(grantScopes(['a', 'b', 'c'], 'c  a')).toEqual(['c', 'a']);
    expect(grantScopes(['a'], 'a a')).toEqual(['a']);
  });

  it('refuses the whole request when one scope is not allowed, or when it is empty', () => {
    expect(() => grantScopes(['a'], 'a b')).toThrow(OAuthError);
    expect(() => grantScopes(['a'], 'a b')).toThrow('scope not allowed for this client: b');
    expect(() => grantScopes(['a'], ' ')).toThrow('the scope parameter is empty');
  });
});
