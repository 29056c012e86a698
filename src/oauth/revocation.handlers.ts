import type { Context } from 'hono';
import { CLOCK_TOLERANCE_SECONDS, InvalidTokenError, verifyAccessToken } from '../auth/access-tokens';
import { INTROSPECT_SCOPE, TENANTS_SCOPE } from '../auth/privileges';
import { trustedIssuersOf } from '../auth/trusted-issuers';
import type { AuditContext } from '../audit/audit-trail';
import { issuerOf } from '../config';
import type { AppEnv } from '../lib/create-router';
import { REQUEST_ID_HEADER } from '../middleware/request-id';
import { clientEndpoint, NO_STORE } from './client-endpoint';
import { OAuthError } from './oauth-error';
import { revokeToken } from './revocation.repository';
import { INACTIVE, judgeToken } from './token-judgement';

function tokenParameter(form: URLSearchParams) {
  const token = form.get('token');
  if (!token) throw new OAuthError('invalid_request', 'token is required');
  return token;
}

/**
 * POST /oauth/revoke (RFC 7009): a client revokes one of its own tokens. A
 * token that is not valid anyway (malformed, expired, signed by someone else)
 * gets 200 as the RFC says; one issued to another client is refused.
 */
export const revokeOwnToken = (c: Context<AppEnv>) =>
  clientEndpoint(c, async (form, authenticate) => {
    const token = tokenParameter(form);
    const client = await authenticate();
    let verified;
    try {
      verified = await verifyAccessToken(token, await trustedIssuersOf(c.env));
    } catch (error) {
      if (error instanceof InvalidTokenError) return c.body(null, 200, NO_STORE);
      throw error;
    }
    if (verified.external) {
      throw new OAuthError('unsupported_token_type', "the identity provider's tokens are revoked at the provider");
    }
    if (verified.clientId !== client.id || verified.tenant !== client.tenantId) {
      throw new OAuthError('unauthorized_client', 'the token was not issued to this client');
    }
    if (verified.jti === undefined) throw new OAuthError('invalid_request', 'the token has no jti to revoke it by');
    // The client acted with its own credentials: it is the actor, and no token of its was used.
    const requestId = crypto.randomUUID();
    c.set('requestId', requestId);
    const audit: AuditContext = {
      tenantId: client.tenantId,
      actor: { sub: client.id, clientId: client.id, issuer: issuerOf(c.env), jti: null },
      requestId,
      pending: c.env.AUDIT_QUEUE !== undefined,
    };
    // Kept until the token is refused anyway: past exp, plus the clock tolerance, plus a margin.
    const expiresAt = verified.expiresAt + CLOCK_TOLERANCE_SECONDS + 30;
    const entry = { jti: verified.jti, tenantId: client.tenantId, clientId: client.id, expiresAt };
    if (!(await revokeToken(c.var.db, entry, audit))) {
      throw new OAuthError('invalid_request', 'too many revoked tokens stand for this client: rotate SIGNING_KEYS to revoke them all');
    }
    return c.body(null, 200, { ...NO_STORE, [REQUEST_ID_HEADER]: requestId });
  });

/**
 * POST /oauth/introspect (RFC 7662), for clients holding auth:introspect. A
 * token of another tenant is inactive to the caller, unless the caller is an
 * operator (auth:tenants, which only the operator tenant's clients obtain).
 */
export const introspectToken = (c: Context<AppEnv>) =>
  clientEndpoint(c, async (form, authenticate) => {
    const token = tokenParameter(form);
    const client = await authenticate();
    if (!client.allowedScopes.includes(INTROSPECT_SCOPE)) {
      throw new OAuthError('insufficient_scope', `introspection needs scope ${INTROSPECT_SCOPE}`);
    }
    const { judgement } = await judgeToken(c.env, c.var.db, token);
    const operator = client.allowedScopes.includes(TENANTS_SCOPE);
    const visible = judgement.active && (operator || judgement.tenant === client.tenantId);
    return c.json(visible ? judgement : INACTIVE, 200, NO_STORE);
  });
