import { OAuthError } from './oauth-error';

/** RFC 6749 §2.3.1 client credentials, from the Authorization header or the form body. */
export type ClientCredentials = { method: 'client_secret_basic' | 'client_secret_post'; clientId: string; clientSecret: string };

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
    throw new OAuthError('invalid_client', 'client authentication is required (HTTP Basic, or client_id and client_secret)');
  }
  return { method: 'client_secret_post', clientId: postId, clientSecret: postSecret };
}
