import type { Context } from 'hono';
import { ADMIN_SCOPES, isPrivilege, READ_SCOPE, TENANTS_SCOPE, WRITE_SCOPE } from '../auth/privileges';
import { adminClientOf, FORMANCE_PREFIX, issuerOf, operatorTenantOf } from '../config';
import type { AppEnv } from '../lib/create-router';
import { logBackgroundError } from '../lib/errors';
import { digestSecret, digestsEqual } from '../lib/secrets';
import { MAX_CLOSURE } from '../scopes/closure';
import type { ClientCredentials } from './client-authentication';
import { OAuthError } from './oauth-error';
import { ASSERTION_CLOCK_SKEW_SECONDS, inspectAssertion, UNKNOWN_CLIENT_OR_BAD_SIGNATURE, verifyAssertionSignature } from './client-assertion';
import { clientKeys } from './client-key-sets';
import {
  findClientForToken,
  MAX_LIVE_ASSERTIONS,
  needsUseRecorded,
  recordAssertion,
  recordSecretUse,
  type ClientCredentialsRecord,
} from './token.repository';

const WRONG_CREDENTIALS = 'unknown client or wrong secret';

export interface AuthenticatedClient {
  id: string;
  tenantId: string;
  /** The labels its tokens may carry. */
  allowedScopes: string[];
  /** The secret it authenticated with; none for the static admin. */
  secretId?: string;
  tokenGeneration: number;
  /** The static admin client of the configuration. */
  isStaticAdmin: boolean;
  /** Got with a client assertion: when the client was created (its tokens carry it, see token-liveness.ts). */
  clientCreatedAt?: number;
}

// Secrets made before their creator's privileges were recorded: never auth:tenants.
const LEGACY_SECRET_PRIVILEGES = [READ_SCOPE, WRITE_SCOPE];

/**
 * Which of the client's labels a token minted with this secret may carry. A
 * privilege needs both the client to hold it and the secret's creator to have
 * held it (so a secret planted before the client was given a privilege never
 * obtains it); auth:tenants also needs the operator tenant, whatever the data says.
 */
function grantableWith(privileges: readonly string[], inOperatorTenant: boolean) {
  const creatorHeld = new Set(privileges);
  return (label: string) =>
    !isPrivilege(label) || (creatorHeld.has(label) && (label !== TENANTS_SCOPE || inOperatorTenant));
}

/** A client that authenticated may still be unable to get a token: public, or with too many scopes to judge. */
function assertMayGetTokens(client: ClientCredentialsRecord) {
  if (client.public) {
    throw new OAuthError('unauthorized_client', 'public clients cannot use the client_credentials grant');
  }
  if (client.closureTooLarge) {
    throw new OAuthError('invalid_scope', `the client's scopes reach more than ${MAX_CLOSURE} scopes: detach some, or split them`);
  }
}

/** The client behind the credentials: a secret in one D1 query, an assertion in two; 401 invalid_client otherwise. */
export function authenticateClient(c: Context<AppEnv>, credentials: ClientCredentials): Promise<AuthenticatedClient> {
  return credentials.method === 'private_key_jwt' ? authenticateWithAssertion(c, credentials) : authenticateWithSecret(c, credentials);
}

/** What an assertion may be addressed to (RFC 7523 §3): the issuer, or the token endpoint, with or without Formance's prefix. */
const assertionAudiences = (env: AppEnv['Bindings']) => {
  const issuer = issuerOf(env);
  return [issuer, `${issuer}/oauth/token`, `${issuer}${FORMANCE_PREFIX}/oauth/token`];
};

async function authenticateWithAssertion(
  c: Context<AppEnv>,
  credentials: Extract<ClientCredentials, { method: 'private_key_jwt' }>,
): Promise<AuthenticatedClient> {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const audiences = assertionAudiences(c.env);
  const assertion = inspectAssertion(credentials.assertion, audiences, nowSeconds);
  if (assertion.clientId === adminClientOf(c.env).id) {
    throw new OAuthError('invalid_client', 'the static admin client authenticates with its secret only');
  }
  const client = await findClientForToken(c.var.db, assertion.clientId, Date.now());
  if (!client) throw new OAuthError('invalid_client', UNKNOWN_CLIENT_OR_BAD_SIGNATURE);
  if (client.tokenEndpointAuthMethod !== 'private_key_jwt') {
    throw new OAuthError('invalid_client', `this client authenticates with ${client.tokenEndpointAuthMethod}, not private_key_jwt`);
  }
  await verifyAssertionSignature(credentials.assertion, assertion, clientKeys(client), audiences);
  assertMayGetTokens(client);
  // Last, once the assertion is known good: nobody burns a jti they could not sign.
  const recorded = await recordAssertion(c.var.db, client.id, assertion.jti, assertion.exp + ASSERTION_CLOCK_SKEW_SECONDS, nowSeconds);
  if (recorded === 'replayed') {
    throw new OAuthError('invalid_client', 'the assertion jti was already used: sign a new assertion, with a new jti, for every request');
  }
  if (recorded === 'too many') {
    throw new OAuthError('invalid_client', `this client has ${MAX_LIVE_ASSERTIONS} assertions in flight: wait for some to expire`);
  }
  const inOperatorTenant = client.tenantId === operatorTenantOf(c.env);
  return {
    id: client.id,
    tenantId: client.tenantId,
    allowedScopes: client.scopeLabels.filter(grantableWith(client.keyPrivileges ?? [], inOperatorTenant)),
    tokenGeneration: client.tokenGeneration,
    isStaticAdmin: false,
    clientCreatedAt: client.createdAt,
  };
}

async function authenticateWithSecret(
  c: Context<AppEnv>,
  credentials: Exclude<ClientCredentials, { method: 'private_key_jwt' }>,
): Promise<AuthenticatedClient> {
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
    return { id: admin.id, tenantId: admin.tenant, allowedScopes: [...ADMIN_SCOPES], tokenGeneration: 0, isStaticAdmin: true };
  }
  // Every live secret's digest is compared, so timing does not tell which one is close.
  const matching = client?.secrets.filter((secret) => digestsEqual(secret.digest, digest)) ?? [];
  if (!client || !matching[0]) throw new OAuthError('invalid_client', WRONG_CREDENTIALS);
  if (client.tokenEndpointAuthMethod === 'private_key_jwt') {
    throw new OAuthError('invalid_client', 'this client authenticates with private_key_jwt: its secrets do not authenticate it');
  }
  if (client.tokenEndpointAuthMethod === 'client_secret_post' && credentials.method === 'client_secret_basic') {
    throw new OAuthError('invalid_client', 'this client authenticates with client_secret_post: client_id and client_secret in the body');
  }
  assertMayGetTokens(client);
  if (needsUseRecorded(matching[0], now)) {
    // Off the response path, and at most about once an hour: issuing stays one D1 round trip.
    c.executionCtx.waitUntil(
      recordSecretUse(c.var.db, matching[0].id, now).then(
        () => undefined,
        (error) => logBackgroundError('record secret use', error),
      ),
    );
  }
  const privileges = matching[0].privileges ?? LEGACY_SECRET_PRIVILEGES;
  const allowedScopes = client.scopeLabels.filter(grantableWith(privileges, client.tenantId === operatorTenantOf(c.env)));
  return {
    id: client.id,
    tenantId: client.tenantId,
    allowedScopes,
    secretId: matching[0].id,
    tokenGeneration: client.tokenGeneration,
    isStaticAdmin: false,
  };
}
