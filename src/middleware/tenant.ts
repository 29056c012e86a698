import type { MiddlewareHandler } from 'hono';
import type { VerifiedToken } from '../auth/access-tokens';
import { privilegesOf, TENANTS_SCOPE } from '../auth/privileges';
import { adminClientOf, operatorTenantOf, type ConfigBindings } from '../config';
import type { AppEnv } from '../lib/create-router';
import { ApiError } from '../lib/errors';
import { ID_PATTERN, ID_RULE } from '../lib/schemas';

export const TENANT_HEADER = 'X-Tenant-Id';

/**
 * Whether a token may use auth:tenants: the external provider's (trusted by
 * configuration), the static admin's, and those of clients in the operator
 * tenant. Any other token carrying it (minted before this rule, or from data a
 * tenant wrote) does not get the power.
 */
function mayActAcrossTenants(auth: VerifiedToken, env: ConfigBindings): boolean {
  if (!auth.scopes.has(TENANTS_SCOPE)) return false;
  if (auth.external) return true;
  return auth.subject === adminClientOf(env).id || auth.tenant === operatorTenantOf(env);
}

/**
 * The tenant a request acts in: its token's. A platform operator's token
 * (scope auth:tenants) may name another one in X-Tenant-Id; for any other
 * token that header is refused. A token without a tenant is refused, never
 * mapped to a default.
 */
export const resolveTenant: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { tenant, tenantClaim, scopes } = c.var.auth;
  const operator = mayActAcrossTenants(c.var.auth, c.env);
  if (typeof tenant !== 'string' || !ID_PATTERN.test(tenant)) {
    throw new ApiError('FORBIDDEN', `the token carries no valid tenant (claim "${tenantClaim}")`);
  }
  const requested = c.req.header(TENANT_HEADER);
  if (requested === undefined) {
    c.set('tenantId', tenant);
  } else if (!operator) {
    throw new ApiError('FORBIDDEN', `${TENANT_HEADER} needs scope ${TENANTS_SCOPE}`);
  } else if (!ID_PATTERN.test(requested)) {
    throw new ApiError('VALIDATION', `${TENANT_HEADER}: ${ID_RULE}`);
  } else {
    c.set('tenantId', requested);
  }
  const privileges = privilegesOf(scopes);
  if (!operator) privileges.delete(TENANTS_SCOPE);
  c.set('privileges', privileges);
  await next();
};
