import type { Context } from 'hono';
import { mintAccessToken, TENANT_CLAIM } from '../auth/access-tokens';
import { trustedIssuersOf } from '../auth/trusted-issuers';
import { adminClientOf, missingSetting, tokenTtlOf } from '../config';
import type { AppEnv } from '../lib/create-router';
import { readBoundedText } from '../lib/bounded-body';
import { ApiError, logBackgroundError } from '../lib/errors';
import { digestSecret, digestsEqual } from '../lib/secrets';
import { READ_SCOPE, WRITE_SCOPE } from '../middleware/require-scope';
import { clientCredentialsOf, type ClientCredentials } from './client-authentication';
import { OAuthError } from './oauth-error';
import { grantScopes } from './scope-grant';
import { RATE_LIMIT_RETRY_AFTER_SECONDS, throttleAddress, throttleClient } from './token-throttle';
import { findClientForToken, needsUseRecorded, recordSecretUse } from './token.repository';

const FORM = 'application/x-www-form-urlencoded';
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };
const WRONG_CREDENTIALS = 'unknown client or wrong secret';

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

interface AuthenticatedClient {
  id: string;
  tenantId: string;
  allowedScopes: string[];
}

async function authenticateClient(c: Context<AppEnv>, credentials: ClientCredentials): Promise<AuthenticatedClient> {
  const presentedDigest = digestSecret(credentials.clientSecret);
  const admin = adminClientOf(c.env);
  if (credentials.clientId === admin.id) {
    if (!digestsEqual(await presentedDigest, await digestSecret(admin.secret))) {
      throw new OAuthError('invalid_client', WRONG_CREDENTIALS);
    }
    return { id: admin.id, tenantId: admin.tenant, allowedScopes: [READ_SCOPE, WRITE_SCOPE] };
  }
  const now = Date.now();
  const [client, digest] = await Promise.all([findClientForToken(c.var.db, credentials.clientId, now), presentedDigest]);
  // Every live secret's digest is compared, so timing does not tell which one is close.
  const matching = client?.secrets.filter((secret) => digestsEqual(secret.digest, digest)) ?? [];
  if (!client || !matching[0]) throw new OAuthError('invalid_client', WRONG_CREDENTIALS);
  if (client.public) {
    throw new OAuthError('unauthorized_client', 'public clients cannot use the client_credentials grant');
  }
  if (needsUseRecorded(matching[0], now)) {
    // Off the response path, and at most about once an hour: issuing stays one D1 round trip.
    c.executionCtx.waitUntil(
      recordSecretUse(c.var.db, matching[0].id, now).then(
        () => undefined,
        (error) => logBackgroundError('record secret use', error),
      ),
    );
  }
  return { id: client.id, tenantId: client.tenantId, allowedScopes: client.scopeLabels };
}

function oauthError(c: Context, error: OAuthError) {
  const headers: Record<string, string> = { ...NO_STORE };
  if (error.status === 401) headers['WWW-Authenticate'] = 'Basic realm="oauth", charset="UTF-8"';
  if (error.status === 429) headers['Retry-After'] = RATE_LIMIT_RETRY_AFTER_SECONDS;
  return c.json({ error: error.error, error_description: error.description }, error.status, headers);
}

/** POST /oauth/token: the client_credentials grant (RFC 6749 §4.4) issuing RFC 9068 access tokens. */
export async function issueToken(c: Context<AppEnv>) {
  try {
    const missing = missingSetting(c.env);
    if (missing) throw new OAuthError('temporarily_unavailable', `the service is not configured: ${missing} is not set`, 503);
    await throttleAddress(c);
    const form = await readForm(c);
    const grantType = form.get('grant_type');
    if (!grantType) throw new OAuthError('invalid_request', 'grant_type is required');
    if (grantType !== 'client_credentials') {
      throw new OAuthError('unsupported_grant_type', 'only the client_credentials grant is supported');
    }
    const credentials = clientCredentialsOf(c.req.header('authorization'), form);
    await throttleClient(c, credentials.clientId);
    const client = await authenticateClient(c, credentials);
    const scopes = grantScopes(client.allowedScopes, form.get('scope'));
    const { own } = await trustedIssuersOf(c.env, c.req.url);
    const { token, expiresIn } = await mintAccessToken(own.keys, {
      issuer: own.issuer,
      audience: own.audience,
      ttlSeconds: tokenTtlOf(c.env),
      clientId: client.id,
      scopes,
      extraClaims: { [TENANT_CLAIM]: client.tenantId },
    });
    return c.json(
      { access_token: token, token_type: 'Bearer', expires_in: expiresIn, scope: scopes.join(' ') },
      200,
      NO_STORE,
    );
  } catch (error) {
    if (error instanceof OAuthError) return oauthError(c, error);
    if (error instanceof ApiError && error.status === 503) {
      return oauthError(c, new OAuthError('temporarily_unavailable', error.message, 503));
    }
    throw error;
  }
}
