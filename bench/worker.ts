// The benchmark's Worker: the real app with the real bindings, plus bench-only
// routes. It is a separate entry point (bench/wrangler.toml), so none of this
// is in the deployed bundle (src/index.ts).
import type { MiddlewareHandler } from 'hono';
import { createApp } from '../src/app';
import { CountingD1 } from '../src/lib/counting-d1';
import type { AppBindings, AppEnv } from '../src/lib/create-router';

/** Stands in for bearer verification: an admin of the default tenant, nothing checked. */
const trustEveryone: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set('auth', {
    issuer: 'bench',
    subject: 'bench',
    scopes: new Set(['auth:read', 'auth:write']),
    tenant: 'default',
    tenantClaim: 'tenant',
    claims: {},
    external: false,
  });
  await next();
};

const app = createApp();
const unauthenticatedApp = createApp({ authenticate: trustEveryone });
const NO_AUTH_PREFIX = '/__bench/noauth';
const ROUND_TRIPS = 'x-d1-round-trips';

function withRoundTrips(response: Response, roundTrips: number) {
  const out = new Response(response.body, response);
  out.headers.set(ROUND_TRIPS, String(roundTrips));
  return out;
}

/**
 * Inserts `count` clients into `tenant` with direct batched INSERTs: 5 columns
 * a row, 20 rows a statement (D1 allows 100 bound parameters per statement),
 * 500 statements a batch.
 */
async function seedClients(db: D1Database, tenant: string, count: number) {
  const rowsPerStatement = 20;
  const statementsPerBatch = 500;
  const base = Date.now() - count;
  const statements: D1PreparedStatement[] = [];
  for (let start = 0; start < count; start += rowsPerStatement) {
    const rows = Math.min(rowsPerStatement, count - start);
    const values: unknown[] = [];
    for (let i = start; i < start + rows; i++) {
      values.push(`${tenant}-${String(i).padStart(7, '0')}`, tenant, `seeded client ${i}`, `{"seq":"${i}"}`, base + i);
    }
    statements.push(
      db
        .prepare(
          `INSERT INTO clients (id, tenant_id, name, metadata, created_at) VALUES ${Array(rows).fill('(?, ?, ?, ?, ?)').join(', ')}`,
        )
        .bind(...values),
    );
  }
  for (let i = 0; i < statements.length; i += statementsPerBatch) {
    await db.batch(statements.slice(i, i + statementsPerBatch));
  }
}

export default {
  async fetch(request: Request, env: AppBindings, ctx: ExecutionContext): Promise<Response> {
    const url = new URL(request.url);
    // Baseline 1: a request that touches nothing.
    if (url.pathname === '/__bench/empty') return withRoundTrips(new Response('ok'), 0);
    const counting = new CountingD1(env.DB);
    const countedEnv = { ...env, DB: counting.asBinding() };
    // Baseline 2: one trivial D1 query, the floor for any request that reads D1 once.
    if (url.pathname === '/__bench/d1') {
      await counting.prepare('select 1').first();
      return withRoundTrips(Response.json({ ok: true }), counting.roundTrips);
    }
    if (url.pathname === '/__bench/seed' && request.method === 'POST') {
      const { tenant, count } = (await request.json()) as { tenant: string; count: number };
      await seedClients(env.DB, tenant, count);
      return Response.json({ seeded: count });
    }
    if (url.pathname.startsWith(`${NO_AUTH_PREFIX}/`)) {
      const inner = new Request(new URL(url.pathname.slice(NO_AUTH_PREFIX.length) + url.search, url), request);
      return withRoundTrips(await unauthenticatedApp.fetch(inner, countedEnv, ctx), counting.roundTrips);
    }
    return withRoundTrips(await app.fetch(request, countedEnv, ctx), counting.roundTrips);
  },
};
