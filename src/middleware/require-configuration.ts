import type { MiddlewareHandler } from 'hono';
import { missingSetting } from '../config';
import type { AppEnv } from '../lib/create-router';
import { ApiError } from '../lib/errors';

/**
 * A Worker deployed without its keys or admin secret answers 503 naming the
 * missing setting, rather than running with a built-in fallback.
 */
export const requireConfiguration: MiddlewareHandler<AppEnv> = async (c, next) => {
  const missing = missingSetting(c.env);
  if (missing) {
    throw new ApiError('SERVICE_UNAVAILABLE', `the service is not configured: ${missing} is not set`);
  }
  await next();
};
