import { describe, expect, it } from 'vitest';
import { clientCredentialsOf } from '../../src/oauth/client-authentication';
import { OAuthError } from '../../src/oauth/oauth-error';

const basic = (raw: string) => `Basic ${btoa(raw)}`;
const form = (init: Record<string, string> = {}) => new URLSearchParams(init);

function failure(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    if (error instanceof OAuthError) return { error: error.error, status: error.status };
    throw error;
  }
  throw new Error('expected an OAuthError');
}

describe('clientCredentialsOf', () => {
  it('reads client_secret_basic, form-decoding id and secret (RFC 6749 §2.3.1)', () => {
    expect(clientCredentialsOf(basic('my%3Aclient:s%2Bcret+with+spaces:and:colons'), form())).toEqual({
      method: 'client_secret_basic',
      clientId: 'my:client',
      clientSecret: 's+cret with spaces:and:colons',
    });
  });

  it('reads client_secret_post', () => {
    expect(clientCredentialsOf(undefined, form({ client_id: 'a', client_secret: 'b' }))).toEqual({
      method: 'client_secret_post',
      clientId: 'a',
      clientSecret: 'b',
    });
  });

  it('allows a matching client_id next to Basic, refuses a different one or a second secret', () => {
    expect(clientCredentialsOf(basic('a:b'), form({ client_id: 'a' })).clientId).toBe('a');
    expect(failure(() => clientCredentialsOf(basic('a:b'), form({ client_id: 'z' })))).toEqual({ error: 'invalid_request', status: 400 });
    expect(failure(() => clientCredentialsOf(basic('a:b'), form({ client_secret: 'b' })))).toEqual({ error: 'invalid_request', status: 400 });
  });

  it.each([
    ['Basic !!!', 'not base64'],
    [basic('no-colon'), 'no secret'],
    ['Bearer abc', 'another scheme'],
  ])('answers invalid_client 401 for %j (%s)', (header) => {
    expect(failure(() => clientCredentialsOf(header, form()))).toEqual({ error: 'invalid_client', status: 401 });
  });

  it('answers invalid_client without any credentials, or with half of them', () => {
    expect(failure(() => clientCredentialsOf(undefined, form()))).toEqual({ error: 'invalid_client', status: 401 });
    expect(failure(() => clientCredentialsOf(undefined, form({ client_id: 'a' })))).toEqual({ error: 'invalid_client', status: 401 });
  });

  it('answers invalid_request for a broken percent-encoding', () => {
    expect(failure(() => clientCredentialsOf(basic('a%zz:b'), form()))).toEqual({ error: 'invalid_request', status: 400 });
  });
});
