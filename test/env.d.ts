import type { D1Migration } from '@cloudflare/vitest-plugin';

declare global {
  namespace Cloudflare {
    interface Env {
      DB: D1Database;
      TEST_MIGRATIONS: D1Migration[];
      SIGNING_KEYS: string;
      ISSUER: string;
      ADMIN_CLIENT_ID: string;
      ADMIN_CLIENT_SECRET: string;
      EXTERNAL_ISSUER: string;
      EXTERNAL_JWKS_URL: string;
      EXTERNAL_AUDIENCE: string;
      TEST_KEYS: string;
      /** Answers how often the external JWKS was fetched (vitest.config.ts). */
      TEST_JWKS_FETCH_COUNT_URL: string;
      /** An external JWKS URL that answers something that is not a key set. */
      TEST_BROKEN_JWKS_URL: string;
      /** External JWKS URLs that answer 502, and never. */
      TEST_FAILING_JWKS_URL: string;
      TEST_HANGING_JWKS_URL: string;
      TEST_CLIENT_KEYS_HOST: string;
      /** examples/resource-server, its AUTH bound to this Worker's TokenVerifier (vitest.config.ts). */
      RESOURCE_SERVER: Fetcher;
      /** The same, configured for another audience. */
      RESOURCE_SERVER_OTHER_AUDIENCE: Fetcher;
      /** The same without AUTH: its JWKS fallback, against this Worker's /keys. */
      RESOURCE_SERVER_JWKS: Fetcher;
      /** This Worker's TokenVerifier entrypoint through a service binding, as the example holds it. */
      TOKEN_VERIFIER: Service<import('../src/token-verifier').TokenVerifier>;
      TOKEN_RATE_LIMITER: RateLimit;
      TOKEN_ADDRESS_RATE_LIMITER: RateLimit;
      /** The local Queue the audit outbox tests bind as AUDIT_QUEUE; audit-sink consumes it. */
      TEST_AUDIT_QUEUE: Queue;
      /** What audit-sink received: event id → { deliveries, body }. */
      AUDIT_LOG: KVNamespace;
    }
    interface GlobalProps {
      mainModule: typeof import('../src/index');
    }
  }
}
