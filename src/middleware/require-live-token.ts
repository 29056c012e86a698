import type { MiddlewareHandler } from 'hono';
import { adminIdentityOf } from '../auth/admin-identity';
import { gatedDatabase, livenessOf, TokenGuard } from '../auth/token-liveness';
import type { AppEnv } from '../lib/create-router';
import { handleError } from '../lib/errors';
import { isReadMethod } from './require-scope';

/**
 * Refuses a revoked token (see auth/token-liveness.ts), at no extra round
 * trip. A write's database leads its batch with the check, as a gate that
 * fails the whole batch (nothing is written, in the same transaction as the
 * check). A read hands the check to its handler (c.var.tokenGuard) to ride in
 * its own batch. If neither reached D1 (a validation error), the check runs
 * here afterwards, and a revoked token's answer becomes the 401 before
 * anything is sent.
 */
export const requireLiveToken: MiddlewareHandler<AppEnv> = async (c, next) => {
  const live = livenessOf(c.var.auth, await adminIdentityOf(c.env));
  if (!live) return next();
  const guard = new TokenGuard(live);
  if (isReadMethod(c.req.method)) c.set('tokenGuard', guard);
  else c.set('db', gatedDatabase(c.var.db, guard));
  await next();
  if (guard.done) return;
  try {
    await guard.check(c.var.db);
  } catch (error) {
    c.res = undefined;
    c.res = handleError(error as Error, c);
  }
};
