import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../lib/create-router';
import { READ_SCOPE, WRITE_SCOPE } from '../auth/privileges';
import { ApiError } from '../lib/errors';

const READ_METHODS = new Set(['GET', 'HEAD']);

/** Reads (GET, HEAD) need only read scope and may be served by a replica. */
export const isReadMethod = (method: string) => READ_METHODS.has(method);

/** Reads need auth:read or auth:write; every other method needs auth:write. */
export const requireScopeForMethod: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { scopes } = c.var.auth;
  const isRead = isReadMethod(c.req.method);
  const allowed = scopes.has(WRITE_SCOPE) || (isRead && scopes.has(READ_SCOPE));
  if (!allowed) {
    const needed = isRead ? `${READ_SCOPE} or ${WRITE_SCOPE}` : WRITE_SCOPE;
    throw new ApiError('FORBIDDEN', `this operation needs scope ${needed}`, {
      'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${isRead ? READ_SCOPE : WRITE_SCOPE}"`,
    });
  }
  await next();
};
