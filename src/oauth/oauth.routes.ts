import { createRoute, z } from '@hono/zod-openapi';
import { ASSERTION_ALGORITHMS } from '../clients/client-keys';
import { JWT_BEARER, MAX_ASSERTION_LENGTH } from './client-assertion';
import { ErrorSchema, jsonContent } from '../lib/schemas';

const tags = ['OAuth2'];
const publicRoute = { security: [] };

const JwksSchema = z
  .object({ keys: z.array(z.record(z.string(), z.unknown())) })
  .openapi('JSONWebKeySet');

export const keys = createRoute({
  operationId: 'getKeys',
  method: 'get',
  path: '/keys',
  tags,
  ...publicRoute,
  summary: 'The public keys that verify this service’s access tokens (JWKS)',
  responses: {
    200: jsonContent(JwksSchema, 'The JSON Web Key Set'),
    503: jsonContent(ErrorSchema, 'SIGNING_KEYS is not configured'),
  },
});

export const DiscoverySchema = z
  .object({
    issuer: z.string(),
    token_endpoint: z.string(),
    revocation_endpoint: z.string(),
    introspection_endpoint: z.string(),
    jwks_uri: z.string(),
    grant_types_supported: z.array(z.string()),
    token_endpoint_auth_methods_supported: z.array(z.string()),
    token_endpoint_auth_signing_alg_values_supported: z.array(z.string()),
    response_types_supported: z.array(z.string()),
    subject_types_supported: z.array(z.string()),
    id_token_signing_alg_values_supported: z.array(z.string()),
    access_token_signing_alg_values_supported: z.array(z.string()),
  })
  .openapi('DiscoveryDocument');

export const discovery = createRoute({
  operationId: 'getDiscovery',
  method: 'get',
  path: '/.well-known/openid-configuration',
  tags,
  ...publicRoute,
  summary: 'Authorization server metadata',
  responses: { 200: jsonContent(DiscoverySchema, 'The metadata') },
});

/** RFC 7523 §2.2 client authentication (private_key_jwt), instead of a secret. */
const assertionParameters = {
  client_assertion_type: z
    .literal(JWT_BEARER)
    .optional()
    .openapi({ description: 'private_key_jwt: with client_assertion, and no secret (HTTP Basic or client_secret)' }),
  client_assertion: z.string().max(MAX_ASSERTION_LENGTH).optional().openapi({
    description:
      `private_key_jwt: a JWT the client signs with its key (header kid; ${ASSERTION_ALGORITHMS.join(', ')}; no jku, x5u, jwk or x5c): ` +
      'iss = sub = the client id, aud = the issuer or the token endpoint URL, exp at most 5 minutes ahead, jti never used before by the client.',
  }),
};

const TokenRequestSchema = z
  .object({
    grant_type: z.literal('client_credentials'),
    scope: z.string().optional().openapi({ description: 'Space-separated scope labels; all allowed ones when absent' }),
    client_id: z.string().optional().openapi({ description: 'With client_secret_post (or private_key_jwt: must equal the assertion sub)' }),
    client_secret: z.string().optional().openapi({ description: 'With client_secret_post' }),
    ...assertionParameters,
  })
  // Unknown parameters are ignored, but none may be repeated (RFC 6749 §3.1): each is one string.
  .catchall(z.string())
  .openapi('TokenRequest');

const TokenResponseSchema = z
  .object({
    access_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int(),
    scope: z.string(),
  })
  .openapi('TokenResponse');

const OAuthErrorSchema = z
  .object({
    error: z.enum([
      'invalid_request',
      'invalid_client',
      'unauthorized_client',
      'unsupported_grant_type',
      'invalid_scope',
      'temporarily_unavailable',
      'server_error',
      'unsupported_token_type',
      'insufficient_scope',
    ]),
    error_description: z.string(),
  })
  .openapi('OAuthError');

/** Documentation only: the handler parses the form itself to answer RFC 6749 errors. */
export const tokenEndpointDoc = {
  operationId: 'issueToken',
  method: 'post' as const,
  path: '/oauth/token',
  tags,
  security: [{ basicAuth: [] }, {}] as Array<Record<string, string[]>>,
  summary: 'Client credentials grant (RFC 6749 §4.4): an RFC 9068 access token signed with ES256',
  description:
    'The body is at most 16 KiB. Requests are rate limited per address before the body is read, and per ' +
    '(address, client id) before the database is queried. A client whose scopes reach more than 256 gets ' +
    'invalid_scope. Every failure is an RFC 6749 error with Cache-Control: no-store. A private_key_jwt client ' +
    'authenticates with client_assertion (RFC 7523): at most two database round trips, the second remembering the ' +
    "assertion's jti; its keys' jwksUri unreachable is a 503 temporarily_unavailable.",
  request: {
    body: { required: true, content: { 'application/x-www-form-urlencoded': { schema: TokenRequestSchema } } },
  },
  responses: {
    200: jsonContent(TokenResponseSchema, 'The access token'),
    400: jsonContent(OAuthErrorSchema, 'invalid_request, unauthorized_client, unsupported_grant_type or invalid_scope'),
    401: jsonContent(OAuthErrorSchema, 'invalid_client'),
    413: jsonContent(OAuthErrorSchema, 'invalid_request: the body is over 16 KiB'),
    429: jsonContent(OAuthErrorSchema, 'temporarily_unavailable: too many requests (Retry-After)'),
    500: jsonContent(OAuthErrorSchema, 'server_error'),
    503: jsonContent(OAuthErrorSchema, "temporarily_unavailable: a setting is missing, the database is unavailable, or a private_key_jwt client's jwksUri cannot be fetched"),
  },
};

const clientAuthenticated = [{ basicAuth: [] }, {}] as Array<Record<string, string[]>>;

const TokenParameterSchema = z.object({
  token: z.string().min(1).openapi({ description: 'The access token' }),
  token_type_hint: z.string().optional().openapi({ description: 'Ignored: only access tokens exist here' }),
  client_id: z.string().optional().openapi({ description: 'With client_secret_post' }),
  client_secret: z.string().optional().openapi({ description: 'With client_secret_post' }),
  ...assertionParameters,
}).catchall(z.string()); // unknown parameters: ignored, each at most once, like the token endpoint's

const formBody = (schema: z.ZodType) => ({
  body: { required: true, content: { 'application/x-www-form-urlencoded': { schema } } },
});

const clientEndpointErrors = {
  400: jsonContent(OAuthErrorSchema, 'invalid_request (no token, a repeated parameter)'),
  401: jsonContent(OAuthErrorSchema, 'invalid_client'),
  413: jsonContent(OAuthErrorSchema, 'invalid_request: the body is over 16 KiB'),
  429: jsonContent(OAuthErrorSchema, 'temporarily_unavailable: too many requests (Retry-After)'),
  500: jsonContent(OAuthErrorSchema, 'server_error'),
  503: jsonContent(OAuthErrorSchema, 'temporarily_unavailable: a setting is missing or the database is unavailable'),
};

/** Documentation only, like tokenEndpointDoc. */
export const revocationEndpointDoc = {
  operationId: 'revokeToken',
  method: 'post' as const,
  path: '/oauth/revoke',
  tags,
  security: clientAuthenticated,
  summary: 'Token revocation (RFC 7009): a client revokes one of its own access tokens',
  description:
    'Authenticated like the token endpoint (client_secret_basic or client_secret_post), with the same limits. ' +
    'The token is refused at once everywhere this service judges tokens: the admin API, introspection and the ' +
    'TokenVerifier service binding. A token that is invalid anyway (expired, malformed) answers 200. A token ' +
    "issued to another client is unauthorized_client; the identity provider's tokens are unsupported_token_type. " +
    'To revoke every token of a client, an admin calls DELETE /clients/{clientId}/tokens.',
  request: formBody(TokenParameterSchema.openapi('RevocationRequest')),
  responses: {
    200: { description: 'Revoked (or not a valid token); no body' },
    ...clientEndpointErrors,
    400: jsonContent(OAuthErrorSchema, 'invalid_request, unauthorized_client or unsupported_token_type'),
  },
};

const IntrospectionSchema = z
  .object({
    active: z.boolean(),
    scope: z.string().optional(),
    client_id: z.string().optional(),
    sub: z.string().optional(),
    tenant: z.string().optional(),
    exp: z.number().int().optional(),
    iat: z.number().int().optional(),
    iss: z.string().optional(),
    aud: z.union([z.string(), z.array(z.string())]).optional(),
    token_type: z.literal('Bearer').optional(),
  })
  .openapi('IntrospectionResponse', { description: 'An inactive token gets {"active": false} and nothing else.' });

/** Documentation only, like tokenEndpointDoc. */
export const introspectionEndpointDoc = {
  operationId: 'introspectToken',
  method: 'post' as const,
  path: '/oauth/introspect',
  tags,
  security: clientAuthenticated,
  summary: 'Token introspection (RFC 7662), for clients holding auth:introspect',
  description:
    'Judges one of this service\'s access tokens: signature, issuer, audience, expiry and revocation (a deleted ' +
    'client or secret, a removed scope, a revoked token). A token of another tenant is inactive to the caller ' +
    "unless the caller is an operator. The identity provider's tokens are inactive here.",
  request: formBody(TokenParameterSchema.openapi('IntrospectionRequest')),
  responses: {
    200: jsonContent(IntrospectionSchema, 'The judgement'),
    ...clientEndpointErrors,
    403: jsonContent(OAuthErrorSchema, 'insufficient_scope: the client lacks auth:introspect'),
  },
};
