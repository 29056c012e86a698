import { Scalar } from '@scalar/hono-api-reference';
import { clientsRouter } from './clients';
import { createRouter } from './lib/create-router';
import { errorJson, handleError } from './lib/errors';
import { limitBody } from './middleware/body-limit';
import { resolveTenant } from './middleware/tenant';
import { scopesRouter } from './scopes';

const ADMIN_PATHS = ['/clients', '/clients/*', '/scopes', '/scopes/*'];

export function createApp() {
  const app = createRouter();

  app.onError(handleError);
  app.notFound((c) => errorJson(c, 'NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`));

  // The admin API's gate: every /clients and /scopes request passes here first.
  // Authentication (bearer token, read/write scopes) belongs in this list, before the tenant.
  for (const path of ADMIN_PATHS) app.use(path, limitBody(), resolveTenant);

  app.route('/', clientsRouter);
  app.route('/', scopesRouter);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'An access token with scope auth:read (reads) or auth:write (everything).',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Edge OAuth2 client registry',
      version: '1.0.0',
      description: "Formance auth's clients API on Cloudflare Workers and D1.",
    },
    security: [{ bearerAuth: [] }],
  });
  app.get('/docs', Scalar({ url: '/openapi.json', pageTitle: 'Edge OAuth2 client registry' }));

  return app;
}
