import type { MiddlewareHandler } from 'hono';
import { InvalidTokenError, verifyAccessToken } from '../auth/access-tokens';
import { trustedIssuersOf } from '../auth/trusted-issuers';
import type { AppEnv } from '../lib/create-router';

// RFC 6750 §2.1 b64token.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** Requires a valid bearer access token and exposes it as c.var.auth. */
export const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
  const header = c.req.header('authorization');
  if (!header) throw new InvalidTokenError('a bearer token is required');
  const match = BEARER.exec(header);
  if (!match) throw new InvalidTokenError('the Authorization header must be: Bearer <token>');
  c.set('auth', await verifyAccessToken(match[1]!, await trustedIssuersOf(c.env)));
  await next();
};
