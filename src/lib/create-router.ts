import { OpenAPIHono, type RouteConfig, type RouteHandler } from '@hono/zod-openapi';
import type { VerifiedToken } from '../auth/access-tokens';
import type { ConfigBindings } from '../config';
import type { Database } from '../db';
import type { TokenGuard } from '../auth/token-liveness';
import { errorJson } from './errors';
import { formatValidationError } from './validation';

export interface AppBindings extends ConfigBindings {
  DB: D1Database;
  /** Workers rate limiting binding for /oauth/token, per (address, client id); absent → no limit. */
  TOKEN_RATE_LIMITER?: RateLimit;
  /** Workers rate limiting binding for /oauth/token, per address, checked first; absent → no limit. */
  TOKEN_ADDRESS_RATE_LIMITER?: RateLimit;
  /** Producer of the audit outbox; bound → audit events are written pending (see src/audit/audit-trail.ts). */
  AUDIT_QUEUE?: Queue;
  /** Days audit events are kept; default 400 (the scheduled handler purges older ones). */
  AUDIT_RETENTION_DAYS?: string;
}

export interface AppVariables {
  /** The tenant the request acts in. */
  tenantId: string;
  /** The verified bearer token of an admin request. */
  auth: VerifiedToken;
  /** The auth:* privileges the caller may exercise and hand on (see auth/privileges.ts). */
  privileges: ReadonlySet<string>;
  /** Drizzle over this request's D1 session (read replicas, bookmarks). */
  db: Database;
  /** A read's token liveness check, for the read to fold into its own batch (see guardedRead). */
  tokenGuard?: TokenGuard;
  /** The admin request's id, answered in X-Request-Id and stored with its audit event. */
  requestId: string;
}

export type AppEnv = { Bindings: AppBindings; Variables: AppVariables };

/** Every router shares the env type and turns zod failures into the JSON error body. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) return errorJson(c, 'VALIDATION', formatValidationError(result.error, result.target));
    },
  });
}

export type AppRouteHandler<R extends RouteConfig> = RouteHandler<R, AppEnv>;
