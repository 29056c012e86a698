import { assertionClientId, JWT_BEARER } from './client-assertion';
import { OAuthError } from './oauth-error';

/** RFC 6749 §2.3.1 client credentials, from the Authorization header or the form body; or an RFC 7523 assertion. */
export type ClientCredentials =
  | { method: 'client_secret_basic' | 'client_secret_post'; clientId: string; clientSecret: string }
  | { method: 'private_key_jwt'; clientId: string; assertion: string };

/** RFC 7521 §4.2: client_assertion_type and client_assertion, and no other way to authenticate. */
function assertionCredentials(authorization: string | undefined, form: URLSearchParams): ClientCredentials {
  if (authorization || form.get('client_secret') !== null) {
    throw new OAuthError('invalid_request', 'use either a client assertion or a client secret (HTTP Basic or client_secret), not both');
  }
  const type = form.get('client_assertion_type');
  const assertion = form.get('client_assertion');
  if (type === null || assertion === null) {
    throw new OAuthError('invalid_request', 'client_assertion_type and client_assertion go together');
  }
  if (type !== JWT_BEARER) throw new OAuthError('invalid_client', `client_assertion_type must be ${JWT_BEARER}`);
  const clientId = assertionClientId(assertion);
  const postId = form.get('client_id');
  if (postId !== null && postId !== clientId) throw new OAuthError('invalid_client', "client_id differs from the assertion's sub");
  return { method: 'private_key_jwt', clientId, assertion };
}

// application/x-www-form-urlencoded decoding: "+" is a space, then percent-decoding.
function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    throw new OAuthError('invalid_request', 'the Authorization header is not valid client_secret_basic');
  }
}

function parseBasic(header: string): ClientCredentials {
  const match = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header);
  if (!match) throw new OAuthError('invalid_client', 'the Authorization header is not valid HTTP Basic');
  let decoded: string;
  try {
    decoded = atob(match[1]!);
  } catch {
    throw new OAuthError('invalid_client', 'the Authorization header is not valid base64');
  }
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new OAuthError('invalid_client', 'the Authorization header has no client secret');
  return {
    method: 'client_secret_basic',
    clientId: formDecode(decoded.slice(0, colon)),
    clientSecret: formDecode(decoded.slice(colon + 1)),
  };
}

/** Exactly one authentication method per request (RFC 6749 §2.3). */
export function clientCredentialsOf(authorization: string | undefined, form: URLSearchParams): ClientCredentials {
  if (form.get('client_assertion_type') !== null || form.get('client_assertion') !== null) return assertionCredentials(authorization, form);
  const postId = form.get('client_id');
  const postSecret = form.get('client_secret');
  if (authorization) {
    if (postSecret !== null) {
      throw new OAuthError('invalid_request', 'use either HTTP Basic or client_secret in the body, not both');
    }
    const credentials = parseBasic(authorization);
    if (postId !== null && postId !== credentials.clientId) {
      throw new OAuthError('invalid_request', 'client_id in the body differs from the Authorization header');
    }
    return credentials;
  }
  if (postId === null || postSecret === null) {
    throw new OAuthError('invalid_client', 'client authentication is required (HTTP Basic, client_id and client_secret, or a client assertion)');
  }
  return { method: 'client_secret_post', clientId: postId, clientSecret: postSecret };
}
