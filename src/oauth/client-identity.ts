import type { Context } from 'hono';
import { ADMIN_SCOPES, isPrivilege, READ_SCOPE, TENANTS_SCOPE, WRITE_SCOPE } from '../auth/privileges';
import { adminClientOf, operatorTenantOf } from '../config';
import type { AppEnv } from '../lib/create-router';
import { logBackgroundError } from '../lib/errors';
import { digestSecret, digestsEqual } from '../lib/secrets';
import { MAX_CLOSURE } from '../scopes/closure';
import type { ClientCredentials } from './client-authentication';
import { OAuthError } from './oauth-error';
import { findClientForToken, needsUseRecorded, recordSecretUse, type LiveSecret } from './token.repository';

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

/** The client behind a pair of credentials, in one D1 query; 401 invalid_client otherwise. */
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
    return { id: admin.id, tenantId: admin.tenant, allowedScopes: [...ADMIN_SCOPES], tokenGeneration: 0, isStaticAdmin: true };
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
  return {
    id: client.id,
    tenantId: client.tenantId,
    allowedScopes,
    secretId: matching[0].id,
    tokenGeneration: client.tokenGeneration,
    isStaticAdmin: false,
  };
}
