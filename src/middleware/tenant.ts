import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../lib/create-router';

export const DEFAULT_TENANT = 'default';

/**
 * Sets the tenant the request acts in. Until tenants come from tokens, every
 * request acts in the default tenant.
 */
export const resolveTenant: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set('tenantId', DEFAULT_TENANT);
  await next();
};
