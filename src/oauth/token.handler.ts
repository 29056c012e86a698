import type { Context } from 'hono';
import { ADMIN_PROOF_CLAIM, CLIENT_CREATED_CLAIM, GENERATION_CLAIM, mintAccessToken, SECRET_ID_CLAIM, TENANT_CLAIM } from '../auth/access-tokens';
import { adminIdentityOf } from '../auth/admin-identity';
import { ownIssuerOf } from '../auth/trusted-issuers';
import { tokenTtlOf } from '../config';
import type { AppEnv } from '../lib/create-router';
import { clientEndpoint, NO_STORE } from './client-endpoint';
import { OAuthError } from './oauth-error';
import { grantScopes } from './scope-grant';

/** POST /oauth/token: the client_credentials grant (RFC 6749 §4.4) issuing RFC 9068 access tokens. */
export const issueToken = (c: Context<AppEnv>) =>
  clientEndpoint(c, async (form, authenticate) => {
    const grantType = form.get('grant_type');
    if (!grantType) throw new OAuthError('invalid_request', 'grant_type is required');
    if (grantType !== 'client_credentials') {
      throw new OAuthError('unsupported_grant_type', 'only the client_credentials grant is supported');
    }
    const client = await authenticate();
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
        // What revocation checks (auth/token-liveness.ts): a client's secret and generation, or the
        // proof of the configuration that makes the static admin.
        ...(client.secretId ? { [SECRET_ID_CLAIM]: client.secretId } : {}),
        ...(client.clientCreatedAt !== undefined ? { [CLIENT_CREATED_CLAIM]: client.clientCreatedAt } : {}),
        // A client's generation, whether a secret or a private_key_jwt assertion got the token.
        ...(client.isStaticAdmin ? {} : { [GENERATION_CLAIM]: client.tokenGeneration }),
        ...(client.isStaticAdmin ? { [ADMIN_PROOF_CLAIM]: (await adminIdentityOf(c.env)).proof } : {}),
      },
    });
    return c.json({ access_token: token, token_type: 'Bearer', expires_in: expiresIn, scope: scopes.join(' ') }, 200, NO_STORE);
  });
