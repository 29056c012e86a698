import type { Context } from 'hono';
import { GENERATION_CLAIM, mintAccessToken, SECRET_ID_CLAIM, TENANT_CLAIM } from '../auth/access-tokens';
import { ownIssuerOf } from '../auth/trusted-issuers';
import { adminClientOf, configurationProblem, operatorTenantOf, tokenTtlOf } from '../config';
import type { AppEnv } from '../lib/create-router';
import { readBoundedText } from '../lib/bounded-body';
import { ApiError, logBackgroundError, toInternalError } from '../lib/errors';
import { digestSecret, digestsEqual } from '../lib/secrets';
import { ADMIN_SCOPES, isPrivilege, READ_SCOPE, TENANTS_SCOPE, WRITE_SCOPE } from '../auth/privileges';
import { clientCredentialsOf, type ClientCredentials } from './client-authentication';
import { OAuthError } from './oauth-error';
import { grantScopes } from './scope-grant';
import { RATE_LIMIT_RETRY_AFTER_SECONDS, throttleAddress, throttleClient } from './token-throttle';
import { MAX_CLOSURE } from '../scopes/closure';
import { findClientForToken, needsUseRecorded, recordSecretUse, type LiveSecret } from './token.repository';

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

export interface AuthenticatedClient {
  id: string;
  tenantId: string;
  allowedScopes: string[];
  /** The secret it authenticated with; none for the static admin. */
  secretId?: string;
  tokenGeneration: number;
}

// Secrets made before their creator's privileges were recorded: never auth:tenants.
const LEGACY_SECRET_PRIVILEGES = [READ_SCOPE, WRITE_SCOPE];

/**
 * Which of the client's labels a token minted with this secret may carry. A
 * privilege needs both the client to hold it and the secret's creator to have
 * held it (so a secret planted before the client was given a privilege never
 * obtains it); auth:tenants also needs the operator tenant, whatever the data says.
 */
function grantableWith(secret: LiveSecret, inOperatorTenant: boolean) {
  const creatorHeld = new Set(secret.privileges ?? LEGACY_SECRET_PRIVILEGES);
  return (label: string) =>
    !isPrivilege(label) || (creatorHeld.has(label) && (label !== TENANTS_SCOPE || inOperatorTenant));
}

export async function authenticateClient(c: Context<AppEnv>, credentials: ClientCredentials): Promise<AuthenticatedClient> {
  const admin = adminClientOf(c.env);
  const now = Date.now();
  // The same work for every id, the static admin's included: its answer takes no less time.
  const [client, digest, adminDigest] = await Promise.all([
    findClientForToken(c.var.db, credentials.clientId, now),
    digestSecret(credentials.clientSecret),
    digestSecret(admin.secret),
  ]);
  if (credentials.clientId === admin.id) {
    if (!digestsEqual(digest, adminDigest)) throw new OAuthError('invalid_client', WRONG_CREDENTIALS);
    return { id: admin.id, tenantId: admin.tenant, allowedScopes: [...ADMIN_SCOPES], tokenGeneration: 0 };
  }
  // Every live secret's digest is compared, so timing does not tell which one is close.
  const matching = client?.secrets.filter((secret) => digestsEqual(secret.digest, digest)) ?? [];
  if (!client || !matching[0]) throw new OAuthError('invalid_client', WRONG_CREDENTIALS);
  if (client.public) {
    throw new OAuthError('unauthorized_client', 'public clients cannot use the client_credentials grant');
  }
  if (client.closureTooLarge) {
    throw new OAuthError('invalid_scope', `the client's scopes reach more than ${MAX_CLOSURE} scopes: detach some, or split them`);
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
  const allowedScopes = client.scopeLabels.filter(grantableWith(matching[0], client.tenantId === operatorTenantOf(c.env)));
  return { id: client.id, tenantId: client.tenantId, allowedScopes, secretId: matching[0].id, tokenGeneration: client.tokenGeneration };
}

// RFC 6749 §5.2: error_description holds only %x20-21 / %x23-5B / %x5D-7E. It can
// echo what a caller sent (a parameter name, a scope), so anything else is replaced.
const describable = (text: string) => text.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '?');

function oauthError(c: Context, error: OAuthError, retryAfter?: string) {
  const headers: Record<string, string> = { ...NO_STORE };
  if (error.status === 401) headers['WWW-Authenticate'] = 'Basic realm="oauth", charset="UTF-8"';
  if (error.status === 429) headers['Retry-After'] = RATE_LIMIT_RETRY_AFTER_SECONDS;
  if (retryAfter) headers['Retry-After'] = retryAfter;
  return c.json({ error: error.error, error_description: describable(error.description) }, error.status, headers);
}

/** POST /oauth/token: the client_credentials grant (RFC 6749 §4.4) issuing RFC 9068 access tokens. */
export async function issueToken(c: Context<AppEnv>) {
  try {
    const problem = configurationProblem(c.env);
    if (problem) throw new OAuthError('temporarily_unavailable', problem, 503);
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
    const own = await ownIssuerOf(c.env);
    const { token, expiresIn } = await mintAccessToken(own.keys, {
      issuer: own.issuer,
      audience: own.audience,
      ttlSeconds: tokenTtlOf(c.env),
      clientId: client.id,
      scopes,
      extraClaims: {
        [TENANT_CLAIM]: client.tenantId,
        ...(client.secretId ? { [SECRET_ID_CLAIM]: client.secretId, [GENERATION_CLAIM]: client.tokenGeneration } : {}),
      },
    });
    return c.json(
      { access_token: token, token_type: 'Bearer', expires_in: expiresIn, scope: scopes.join(' ') },
      200,
      NO_STORE,
    );
  } catch (error) {
    // Every failure here is an RFC 6749 error, never the admin API's {errorCode} shape.
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
