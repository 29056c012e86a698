import { Scalar } from '@scalar/hono-api-reference';
import { clientsRouter } from './clients';
import { createRouter } from './lib/create-router';
import { errorJson, handleError } from './lib/errors';
import { authenticate } from './middleware/authenticate';
import { limitBody } from './middleware/body-limit';
import { requireConfiguration } from './middleware/require-configuration';
import { requireScopeForMethod } from './middleware/require-scope';
import { resolveTenant } from './middleware/tenant';
import { oauthRouter } from './oauth';
import { scopesRouter } from './scopes';

const ADMIN_PATHS = ['/clients', '/clients/*', '/scopes', '/scopes/*'];

export function createApp() {
  const app = createRouter();

  app.onError(handleError);
  app.notFound((c) => errorJson(c, 'NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`));

  // The admin API's gate: every /clients and /scopes request passes here first.
  for (const path of ADMIN_PATHS) {
    app.use(path, limitBody(), requireConfiguration, authenticate, requireScopeForMethod, resolveTenant);
  }

  app.route('/', clientsRouter);
  app.route('/', scopesRouter);
  // Public: the token endpoint, the keys and the discovery document.
  app.route('/', oauthRouter);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'An access token with scope auth:read (reads) or auth:write (everything).',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'basicAuth', {
    type: 'http',
    scheme: 'basic',
    description: 'client_secret_basic at the token endpoint: client id and secret, form-urlencoded.',
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
