import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { build } from 'esbuild';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { buildConsole } from './scripts/build-console.mjs';

/** Fresh keys every run: nothing private is committed, not even for tests. */
async function newPrivateJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: await calculateJwkThumbprint(jwk) };
}

const publicHalf = ({ kty, crv, x, y, kid }: JWK): JWK => ({ kty, crv, x, y, kid, alg: 'ES256', use: 'sig' });

export const EXTERNAL_IDP = {
  issuer: 'https://idp.example.test/',
  jwksUrl: 'https://idp.example.test/.well-known/jwks.json',
  audience: 'https://registry.test/admin',
  jwksFetchCountUrl: 'https://idp.example.test/__test/jwks-fetches',
  brokenJwksUrl: 'https://idp.example.test/__test/broken-jwks.json',
  failingJwksUrl: 'https://idp.example.test/__test/failing-jwks.json',
  hangingJwksUrl: 'https://idp.example.test/__test/hanging-jwks.json',
};

/** The audience and tenant the example resource server (examples/resource-server) is configured for. */
const RESOURCE_SERVER = { audience: 'https://registry.test', tenant: 'default' };

/**
 * The plugin renames the Worker under test to `vitest-plugin-runner-<project
 * name>` (no `test.name` here: `vitest-plugin-runner-`), and an auxiliary Worker
 * reaches it only by that name (not by wrangler.toml's). This relies on the
 * plugin's internals (getRunnerName in @cloudflare/vitest-plugin 1.5.0): if
 * the plugin or the project name changes, test/resource-server.test.ts breaks.
 */
const WORKER_UNDER_TEST = 'vitest-plugin-runner-';

/**
 * examples/resource-server as one ES module: auxiliary Workers take bundled
 * JavaScript, not TypeScript. Outside src/, so never in the service's bundle.
 */
async function bundleResourceServer(): Promise<string> {
  const outfile = './.wrangler/examples/resource-server.mjs';
  await build({
    entryPoints: [fileURLToPath(new URL('./examples/resource-server/src/index.ts', import.meta.url))],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    external: ['cloudflare:*', 'node:*'],
    logLevel: 'warning',
  });
  return outfile;
}

/** The audit queue of the tests, and a consumer that records each message in KV (key: the event id). */
const AUDIT_QUEUE_NAME = 'edge-oauth-clients-audit';
const AUDIT_SINK = `
export default {
  async queue(batch, env) {
    for (const message of batch.messages) {
      const previous = await env.AUDIT_LOG.get(message.body.id);
      const deliveries = previous === null ? 1 : JSON.parse(previous).deliveries + 1;
      await env.AUDIT_LOG.put(message.body.id, JSON.stringify({ deliveries, body: message.body }));
      message.ack();
    }
  },
};`;

const SLIM_ZOD = fileURLToPath(new URL('./src/lib/zod-slim.ts', import.meta.url));

/**
 * The client key sets of private_key_jwt clients (jwksUri): https://client-keys.example.test/<name>.json.
 * A test publishes a key set under a name (POST /__publish/<name>, the body served as is) and
 * can publish another later; the name's prefix picks how the host answers:
 *   failing-  500            hanging-  never answers       late-  the key set after 2.5 s
 *   oversize- the key set padded past 64 KiB                redirect-  302 to the key set
 * anything else: the published key set (404 when none). GET /__fetches/<name> counts fetches.
 */
export const CLIENT_KEYS_HOST = 'https://client-keys.example.test';
const publishedKeySets: Record<string, string> = {};
const keySetFetches: Record<string, number> = {};

async function clientKeysHost(request: Request): Promise<Response> {
  const { pathname } = new URL(request.url);
  if (pathname.startsWith('/__publish/')) {
    publishedKeySets[pathname.slice('/__publish/'.length)] = await request.text();
    return new Response(null, { status: 204 });
  }
  if (pathname.startsWith('/__fetches/')) return Response.json({ fetches: keySetFetches[pathname.slice('/__fetches/'.length)] ?? 0 });
  const name = pathname.slice(1).replace(/\.json$/, '');
  keySetFetches[name] = (keySetFetches[name] ?? 0) + 1;
  const published = publishedKeySets[name];
  const keySet = () => new Response(published ?? '{"keys":[]}', { headers: { 'content-type': 'application/json' } });
  if (name.startsWith('failing-')) return new Response('key host down', { status: 500 });
  if (name.startsWith('hanging-')) return new Promise<Response>(() => {});
  if (name.startsWith('late-')) return new Promise<Response>((resolve) => setTimeout(() => resolve(keySet()), 2_500));
  if (name.startsWith('oversize-')) {
    const padded = { ...JSON.parse(published ?? '{"keys":[]}'), padding: 'x'.repeat(70 * 1024) };
    return Response.json(padded);
  }
  if (name.startsWith('redirect-')) return Response.redirect(`${CLIENT_KEYS_HOST}/${name.slice('redirect-'.length)}.json`, 302);
  if (published === undefined) return new Response('no such key set', { status: 404 });
  return keySet();
}

let jwksFetches = 0;
const fetchesByUrl: Record<string, number> = {};

export default defineConfig(async () => {
  // The real drizzle-kit migrations, applied to each test file's isolated D1 by test/setup.ts.
  const migrations = await readD1Migrations(fileURLToPath(new URL('./migrations', import.meta.url)));
  const [signingKey, retiredKey, externalKey, strangerKey] = await Promise.all(
    Array.from({ length: 4 }, newPrivateJwk),
  );
  const resourceServerScript = await bundleResourceServer();
  // wrangler.toml's [assets] directory must exist: the console's assets, as `wrangler dev` builds them.
  await buildConsole({ quiet: true });
  // The example resource server, as auxiliary Workers the tests reach through service bindings.
  // RPC methods need a compatibility date (without one, verify is missing on the binding).
  const resourceServer = (name: string, options: Record<string, unknown>) => ({
    name,
    modules: true,
    scriptPath: resourceServerScript,
    compatibilityDate: '2026-04-20',
    ...options,
  });
  const toTokenVerifier = { AUTH: { name: WORKER_UNDER_TEST, entrypoint: 'TokenVerifier' } };
  return {
    plugins: [
      // As in the bundle (wrangler.toml [alias]): @hono/zod-openapi's `zod` (the only import of it
      // in the Worker) is src/lib/zod-slim.ts, so the tests run the zod the Worker ships. Only
      // there: the Formance SDKs the tests use import zod too (CommonJS), and keep the real one.
      {
        name: 'zod-slim',
        enforce: 'pre' as const,
        resolveId(source: string, importer: string | undefined) {
          if (source === 'zod' && importer?.includes('/node_modules/@hono/zod-openapi/')) return SLIM_ZOD;
          return null;
        },
      },
      cloudflareTest({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          serviceBindings: {
            RESOURCE_SERVER: 'resource-server',
            RESOURCE_SERVER_OTHER_AUDIENCE: 'resource-server-other-audience',
            RESOURCE_SERVER_JWKS: 'resource-server-jwks',
            // The binding the example holds, for the tests to call verify with what the example never sends.
            TOKEN_VERIFIER: toTokenVerifier.AUTH,
          },
          // The real local Queue: the audit outbox's tests bind it as AUDIT_QUEUE themselves (every other
          // test runs without one, as a deployment without a queue does); audit-sink consumes it into AUDIT_LOG.
          queueProducers: { TEST_AUDIT_QUEUE: { queueName: AUDIT_QUEUE_NAME } },
          kvNamespaces: { AUDIT_LOG: 'audit-log' },
          workers: [
            {
              name: 'audit-sink',
              modules: [{ type: 'ESModule', path: 'audit-sink.mjs', contents: AUDIT_SINK }],
              compatibilityDate: '2026-04-20',
              kvNamespaces: { AUDIT_LOG: 'audit-log' },
              queueConsumers: { [AUDIT_QUEUE_NAME]: { maxBatchTimeout: 0, maxBatchSize: 100, maxRetries: 0 } },
            },
            // As deployed: AUTH bound to this service's TokenVerifier entrypoint.
            resourceServer('resource-server', { serviceBindings: toTokenVerifier, bindings: { AUDIENCE: RESOURCE_SERVER.audience, TENANT: RESOURCE_SERVER.tenant } }),
            // The same, for an API of another audience: none of this service's tokens are for it.
            resourceServer('resource-server-other-audience', {
              serviceBindings: toTokenVerifier,
              bindings: { AUDIENCE: 'https://ledger.example', TENANT: RESOURCE_SERVER.tenant },
            }),
            // The fallback without AUTH: jose against this service's real /keys; its outbound
            // fetches (only the JWKS) go to the Worker under test's default export.
            resourceServer('resource-server-jwks', {
              bindings: { AUDIENCE: RESOURCE_SERVER.audience, TENANT: RESOURCE_SERVER.tenant, ISSUER: 'https://registry.test', JWKS_URL: 'https://registry.test/keys' },
              outboundService: WORKER_UNDER_TEST,
            }),
          ],
          bindings: {
            TEST_MIGRATIONS: migrations,
            SIGNING_KEYS: JSON.stringify({ keys: [signingKey, retiredKey] }),
            ISSUER: 'https://registry.test',
            ADMIN_CLIENT_ID: 'admin',
            ADMIN_CLIENT_SECRET: 'test-admin-secret-0123456789abcdef',
            EXTERNAL_ISSUER: EXTERNAL_IDP.issuer,
            EXTERNAL_JWKS_URL: EXTERNAL_IDP.jwksUrl,
            EXTERNAL_AUDIENCE: EXTERNAL_IDP.audience,
            // Private halves the tests sign with: a configured-but-not-first key,
            // the external provider's key, and a key nobody trusts.
            TEST_KEYS: JSON.stringify({ signingKey, retiredKey, externalKey, strangerKey }),
            TEST_JWKS_FETCH_COUNT_URL: EXTERNAL_IDP.jwksFetchCountUrl,
            TEST_BROKEN_JWKS_URL: EXTERNAL_IDP.brokenJwksUrl,
            TEST_FAILING_JWKS_URL: EXTERNAL_IDP.failingJwksUrl,
            TEST_HANGING_JWKS_URL: EXTERNAL_IDP.hangingJwksUrl,
            TEST_CLIENT_KEYS_HOST: CLIENT_KEYS_HOST,
          },
          // The only outbound traffic: the external identity provider's JWKS, and a
          // counter of how often it was fetched, which tests read to prove the caching;
          // and the client key sets of private_key_jwt clients (clientKeysHost).
          outboundService: (request: Request) => {
            if (request.url.startsWith(`${CLIENT_KEYS_HOST}/`)) return clientKeysHost(request);
            if (request.url === EXTERNAL_IDP.jwksFetchCountUrl) return Response.json({ fetches: jwksFetches, byUrl: fetchesByUrl });
            fetchesByUrl[request.url] = (fetchesByUrl[request.url] ?? 0) + 1;
            if (request.url === EXTERNAL_IDP.jwksUrl) {
              jwksFetches++;
              return Response.json({ keys: [publicHalf(externalKey!)] });
            }
            // Identity providers whose JWKS endpoint fails: not a key set, a server error, no answer.
            if (request.url.startsWith(EXTERNAL_IDP.brokenJwksUrl)) return Response.json({ not: 'a key set' });
            if (request.url.startsWith(EXTERNAL_IDP.failingJwksUrl)) return new Response('upstream down', { status: 502 });
            if (request.url.startsWith(EXTERNAL_IDP.hangingJwksUrl)) return new Promise<Response>(() => {});
            return new Response(`unexpected outbound request: ${request.url}`, { status: 599 });
          },
        },
      }),
    ],
    test: {
      include: ['test/**/*.test.ts'],
      setupFiles: ['./test/setup.ts'],
    },
  };
});
