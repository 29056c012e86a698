import { SIGNING_ALG, signingKeysOf } from '../auth/signing-keys';
import { ASSERTION_ALGORITHMS, TOKEN_ENDPOINT_AUTH_METHODS } from '../clients/client-keys';
import { FORMANCE_PREFIX, issuerOf } from '../config';
import { createRouter } from '../lib/create-router';
import { ApiError } from '../lib/errors';
import * as routes from './oauth.routes';
import { introspectToken, revokeOwnToken } from './revocation.handlers';
import { issueToken } from './token.handler';

const notConfigured = (setting: string) =>
  new ApiError('SERVICE_UNAVAILABLE', `the service is not configured: ${setting} is not set`);

const PUBLIC_CACHE = { 'Cache-Control': 'public, max-age=300' };

export const oauthRouter = createRouter();

// The handler bounds its own body, after the per-address limit: see token.handler.ts.
oauthRouter.post('/oauth/token', issueToken);
oauthRouter.openAPIRegistry.registerPath(routes.tokenEndpointDoc);
oauthRouter.post('/oauth/revoke', revokeOwnToken);
oauthRouter.openAPIRegistry.registerPath(routes.revocationEndpointDoc);
oauthRouter.post('/oauth/introspect', introspectToken);
oauthRouter.openAPIRegistry.registerPath(routes.introspectionEndpointDoc);

oauthRouter.openapi(routes.keys, async (c) => {
  if (!c.env.SIGNING_KEYS) throw notConfigured('SIGNING_KEYS');
  return c.json((await signingKeysOf(c.env.SIGNING_KEYS)).publicJwks, 200, PUBLIC_CACHE);
});

oauthRouter.openapi(routes.discovery, (c) => {
  if (!c.env.ISSUER) throw notConfigured('ISSUER');
  const issuer = issuerOf(c.env);
  // Served under /api/auth, the endpoints it names are under /api/auth too.
  const base = c.req.path.startsWith(`${FORMANCE_PREFIX}/`) ? `${issuer}${FORMANCE_PREFIX}` : issuer;
  return c.json(
    {
      issuer,
      token_endpoint: `${base}/oauth/token`,
      revocation_endpoint: `${base}/oauth/revoke`,
      introspection_endpoint: `${base}/oauth/introspect`,
      jwks_uri: `${base}/keys`,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: [...TOKEN_ENDPOINT_AUTH_METHODS],
      token_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGORITHMS],
      response_types_supported: ['token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [SIGNING_ALG],
      access_token_signing_alg_values_supported: [SIGNING_ALG],
    },
    200,
    PUBLIC_CACHE,
  );
});

