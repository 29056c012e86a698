import type { MiddlewareHandler } from 'hono';
import { livenessOf, TokenGuard } from '../auth/token-liveness';
import type { AppEnv } from '../lib/create-router';
import { handleError } from '../lib/errors';
import { isReadMethod } from './require-scope';

/**
 * Refuses a revoked token (see auth/token-liveness.ts). A write checks first,
 * on its own round trip, so nothing is written for a revoked token. A read
 * hands the check to its handler (c.var.tokenGuard) to ride in the read's own
 * batch; if the handler never reached D1, it runs here afterwards, and a
 * revoked token's answer is replaced by the 401 before anything is sent.
 */
export const requireLiveToken: MiddlewareHandler<AppEnv> = async (c, next) => {
  const live = livenessOf(c.var.auth, c.env.ADMIN_CLIENT_ID);
  if (!live) return next();
  const guard = new TokenGuard(live);
  if (!isReadMethod(c.req.method)) {
    await guard.check(c.var.db);
    return next();
  }
  c.set('tokenGuard', guard);
  await next();
  if (guard.done) return;
  try {
    await guard.check(c.var.db);
  } catch (error) {
    c.res = undefined;
    c.res = handleError(error as Error, c);
  }
};
