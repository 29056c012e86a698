import { Hono, type MiddlewareHandler } from 'hono';
import { auditRouter } from './audit';
import { clientsRouter } from './clients';
import { FORMANCE_PREFIX, issuerOf } from './config';
import { consolePage } from './console/console.page';
import { docsPage } from './docs-page';
import { createRouter, type AppEnv } from './lib/create-router';
import { errorJson, handleError } from './lib/errors';
import { authenticate } from './middleware/authenticate';
import { limitBody } from './middleware/body-limit';
import { d1Session } from './middleware/d1-session';
import { deliverAudit } from './middleware/deliver-audit';
import { requireLiveToken } from './middleware/require-live-token';
import { requireConfiguration } from './middleware/require-configuration';
import { requestId } from './middleware/request-id';
import { requireScopeForMethod } from './middleware/require-scope';
import { resolveTenant } from './middleware/tenant';
import { oauthRouter } from './oauth';
import { scopesRouter } from './scopes';

// In Hono '/clients/*' also matches '/clients' itself: listing both would run the gate twice.
const ADMIN_PATHS = ['/clients/*', '/scopes/*', '/audit-events/*'];
/** Where a client calls with its own credentials (POST: the primary, so a revocation is seen at once). */
const CLIENT_ENDPOINTS = ['/oauth/token', '/oauth/revoke', '/oauth/introspect'];


/** On every response, errors included: never sniff a type, never be framed. */
const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.res.headers.set('X-Content-Type-Options', 'nosniff');
  if (!c.res.headers.has('X-Frame-Options')) c.res.headers.set('X-Frame-Options', 'DENY');
};

/** Admin answers are per caller and may hold a secret: no cache, shared or private, keeps them. */
const noStore: MiddlewareHandler = async (c, next) => {
  await next();
  c.res.headers.set('Cache-Control', 'no-store');
};

export interface AppOptions {
  /** Replaces bearer authentication; only the benchmark uses it, to measure what verification costs. */
  authenticate?: MiddlewareHandler<AppEnv>;
}

function createApi(options: AppOptions) {
  const api = createRouter();
  api.onError(handleError);

  // The admin API's gate: every /clients, /scopes and /audit-events request passes here first.
  for (const path of ADMIN_PATHS) {
    api.use(
      path,
      requestId,
      noStore,
      limitBody(),
      requireConfiguration,
      options.authenticate ?? authenticate,
      requireScopeForMethod,
      resolveTenant,
      d1Session,
      deliverAudit,
      requireLiveToken,
    );
  }
  for (const path of CLIENT_ENDPOINTS) api.use(path, d1Session);
  api.use('/oauth/revoke', deliverAudit);

  api.route('/', clientsRouter);
  api.route('/', scopesRouter);
  api.route('/', auditRouter);
  // Public: the token endpoint, the keys and the discovery document.
  api.route('/', oauthRouter);

  api.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'An access token with scope auth:read (reads) or auth:write (everything).',
  });
  api.openAPIRegistry.registerComponent('securitySchemes', 'basicAuth', {
    type: 'http',
    scheme: 'basic',
    description: 'client_secret_basic at the token endpoint: client id and secret, form-urlencoded.',
  });
  api.doc31('/openapi.json', (c) => ({
    openapi: '3.1.0',
    info: {
      title: 'Edge OAuth2 client registry',
      version: '1.0.0',
      description: "Formance auth's clients API on Cloudflare Workers and D1. Every path also answers under /api/auth.",
    },
    // From ISSUER, never from the request's Host (without it, the document names no server).
    servers: c.env.ISSUER ? [{ url: issuerOf(c.env) }, { url: `${issuerOf(c.env)}${FORMANCE_PREFIX}` }] : [],
    security: [{ bearerAuth: [] }],
  }));
  api.get('/docs', docsPage);
  return api;
}

export function createApp(options: AppOptions = {}) {
  const api = createApi(options);
  const app = new Hono<AppEnv>();
  app.use(securityHeaders);
  app.onError(handleError);
  const allowed = allowedMethods(app);
  app.notFound((c) => {
    // A path that exists under other methods: 405 with Allow (RFC 9110 §15.5.6), not 404.
    const methods = allowed(c.req.path);
    if (methods.length > 0 && !methods.includes(c.req.method)) {
      return errorJson(c, 'METHOD_NOT_ALLOWED', `${c.req.method} is not allowed on ${c.req.path}`, { Allow: methods.join(', ') });
    }
    return errorJson(c, 'NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`);
  });
  app.route(FORMANCE_PREFIX, api);
  app.route('/', api);
  // The operator console: one page; its script and style are static assets (wrangler.toml [assets]).
  app.get('/console', consolePage);
  app.get('/console/', consolePage);
  return app;
}

/**
 * The methods an app's handlers answer on a path (HEAD with GET), from its routes, built on first use.
 * Exact paths, as Hono's router matches them (strict: `/clients/` is not `/clients`).
 */
function allowedMethods(app: Hono<AppEnv>) {
  let table: Array<{ pattern: RegExp; method: string }> | null = null;
  return (path: string) => {
    table ??= app.routes
      .filter((route) => route.method !== 'ALL' && !route.path.includes('*'))
      .map((route) => ({
        method: route.method,
        pattern: new RegExp(
          `^${route.path
            .split('/')
            .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
            .join('/')}$`,
        ),
      }));
    const methods = new Set(table.filter((route) => route.pattern.test(path)).map((route) => route.method));
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  };
}
