import { createRoute, z, type RouteConfig } from '@hono/zod-openapi';
import { BOOKMARK_PATTERN } from '../middleware/d1-session';
import { ID_PATTERN } from './schemas';

// Documentation only: the middleware reads these headers itself (resolveTenant, d1Session).
const AdminRequestHeadersSchema = z.object({
  'X-Tenant-Id': z
    .string()
    .regex(ID_PATTERN)
    .optional()
    .openapi({ param: { name: 'X-Tenant-Id', in: 'header' }, description: 'Act in this tenant; needs scope auth:tenants' }),
  'x-d1-bookmark': z
    .string()
    .regex(BOOKMARK_PATTERN)
    .optional()
    .openapi({
      param: { name: 'x-d1-bookmark', in: 'header' },
      description: 'A bookmark from an earlier response: read at least that fresh (read-your-writes across replicas)',
    }),
});

const bookmarkResponseHeader = {
  'x-d1-bookmark': {
    description: 'The D1 session bookmark after this request; send it back to read your own writes',
    schema: { type: 'string' as const },
  },
};

/**
 * createRoute for /clients and /scopes: every admin route documents the tenant
 * and bookmark request headers, and the bookmark on its success responses.
 */
export function adminRoute<P extends string, R extends Omit<RouteConfig, 'path'> & { path: P }>(config: R) {
  const own = config.request?.headers;
  const headers = own instanceof z.ZodObject ? own.extend(AdminRequestHeadersSchema.shape) : AdminRequestHeadersSchema;
  const responses = Object.fromEntries(
    Object.entries(config.responses).map(([status, response]) => [
      status,
      status.startsWith('2') ? { ...response, headers: { ...('headers' in response ? response.headers : {}), ...bookmarkResponseHeader } } : response,
    ]),
  );
  return createRoute<P, R>({ ...config, request: { ...config.request, headers }, responses } as R);
}
