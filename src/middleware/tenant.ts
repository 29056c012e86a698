import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../lib/create-router';
import { ApiError } from '../lib/errors';
import { ID_PATTERN } from '../lib/schemas';

export const TENANTS_SCOPE = 'auth:tenants';
export const TENANT_HEADER = 'X-Tenant-Id';

/**
 * The tenant a request acts in: its token's. A platform operator's token
 * (scope auth:tenants) may name another one in X-Tenant-Id; for any other
 * token that header is refused. A token without a tenant is refused, never
 * mapped to a default.
 */
export const resolveTenant: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { tenant, tenantClaim, scopes } = c.var.auth;
  if (typeof tenant !== 'string' || !ID_PATTERN.test(tenant)) {
    throw new ApiError('FORBIDDEN', `the token carries no valid tenant (claim "${tenantClaim}")`);
  }
  const requested = c.req.header(TENANT_HEADER);
  if (requested === undefined) {
    c.set('tenantId', tenant);
  } else if (!scopes.has(TENANTS_SCOPE)) {
    throw new ApiError('FORBIDDEN', `${TENANT_HEADER} needs scope ${TENANTS_SCOPE}`);
  } else if (!ID_PATTERN.test(requested)) {
    throw new ApiError('VALIDATION', `${TENANT_HEADER}: must be 1-128 characters of A-Z a-z 0-9 . _ ~ -`);
  } else {
    c.set('tenantId', requested);
  }
  await next();
};
