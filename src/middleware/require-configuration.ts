import type { MiddlewareHandler } from 'hono';
import { configurationProblem } from '../config';
import type { AppEnv } from '../lib/create-router';
import { ApiError } from '../lib/errors';

/**
 * A Worker deployed without its keys or admin secret answers 503 naming the
 * missing setting, rather than running with a built-in fallback.
 */
export const requireConfiguration: MiddlewareHandler<AppEnv> = async (c, next) => {
  const problem = configurationProblem(c.env);
  if (problem) throw new ApiError('SERVICE_UNAVAILABLE', problem);
  await next();
};
