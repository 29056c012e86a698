import type { Context } from 'hono';
import { configurationProblem } from '../config';
import type { AppEnv } from '../lib/create-router';
import { readBoundedText } from '../lib/bounded-body';
import { ApiError, toInternalError } from '../lib/errors';
import { authenticateClient, type AuthenticatedClient } from './client-identity';
import { clientCredentialsOf } from './client-authentication';
import { OAuthError } from './oauth-error';
import { RATE_LIMIT_RETRY_AFTER_SECONDS, throttleAddress, throttleClient } from './token-throttle';

const FORM = 'application/x-www-form-urlencoded';
export const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

/** A token request is a few hundred bytes; 16 KiB leaves room for long scope lists and assertions. */
export const MAX_TOKEN_REQUEST_BYTES = 16 * 1024;

async function readForm(c: Context): Promise<URLSearchParams> {
  const mediaType = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType !== FORM) throw new OAuthError('invalid_request', `the body must be ${FORM}`);
  const text = await readBoundedText(c.req.raw, MAX_TOKEN_REQUEST_BYTES);
  if (text === null) {
    throw new OAuthError('invalid_request', `the body must be at most ${MAX_TOKEN_REQUEST_BYTES} bytes`, 413);
  }
  const form = new URLSearchParams(text);
  const seen = new Set<string>();
  for (const key of form.keys()) {
    if (seen.has(key)) throw new OAuthError('invalid_request', `parameter ${key} is repeated`);
    seen.add(key);
  }
  return form;
}

// RFC 6749 §5.2: error_description holds only %x20-21 / %x23-5B / %x5D-7E. It can
// echo what a caller sent (a parameter name, a scope), so anything else is replaced.
const describable = (text: string) => text.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '?');

function oauthError(c: Context, error: OAuthError, retryAfter?: string) {
  const headers: Record<string, string> = { ...NO_STORE };
  if (error.status === 401) headers['WWW-Authenticate'] = 'Basic realm="oauth", charset="UTF-8"';
  if (error.status === 429) headers['Retry-After'] = RATE_LIMIT_RETRY_AFTER_SECONDS;
  if (error.retryAfter) headers['Retry-After'] = error.retryAfter;
  if (retryAfter) headers['Retry-After'] = retryAfter;
  return c.json({ error: error.error, error_description: describable(error.description) }, error.status, headers);
}

/** Authenticates the calling client (throttled per address and client id before D1 is queried). */
export type ClientAuthenticator = () => Promise<AuthenticatedClient>;

/**
 * The endpoints a client calls with its own credentials (token, revocation,
 * introspection), in one order: configuration, the per-address limit before
 * the body is read, a bounded form, then (when the endpoint asks) the client's
 * credentials, its own limit, and one D1 query. Every failure is an RFC 6749
 * error, never the admin API's {errorCode} shape, and never says anything internal.
 */
export async function clientEndpoint(
  c: Context<AppEnv>,
  run: (form: URLSearchParams, authenticate: ClientAuthenticator) => Promise<Response>,
): Promise<Response> {
  try {
    const problem = configurationProblem(c.env);
    if (problem) throw new OAuthError('temporarily_unavailable', problem, 503);
    await throttleAddress(c);
    const form = await readForm(c);
    return await run(form, async () => {
      const credentials = clientCredentialsOf(c.req.header('authorization'), form);
      await throttleClient(c, credentials.clientId);
      return authenticateClient(c, credentials);
    });
  } catch (error) {
    if (error instanceof OAuthError) return oauthError(c, error);
    if (error instanceof ApiError && error.status === 503) {
      return oauthError(c, new OAuthError('temporarily_unavailable', error.message, 503), error.headers['Retry-After']);
    }
    const internal = toInternalError(c, error instanceof Error ? error : new Error(String(error)));
    if (internal.retryable) {
      return oauthError(c, new OAuthError('temporarily_unavailable', 'the database is temporarily unavailable; retry shortly', 503), '1');
    }
    return oauthError(c, new OAuthError('server_error', 'An internal error occurred.', 500));
  }
}
