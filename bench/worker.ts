// The benchmark's Worker: the real app with the real bindings, plus bench-only
// routes. It is a separate entry point (bench/wrangler.toml), so none of this
// is in the deployed bundle (src/index.ts).
import type { MiddlewareHandler } from 'hono';
import { createApp } from '../src/app';
import { audienceOf, issuerOf } from '../src/config';
import { CountingD1 } from '../src/lib/counting-d1';
import type { AppBindings, AppEnv } from '../src/lib/create-router';
import { digestSecret, generateClearSecret, lastDigitsOf } from '../src/lib/secrets';
import { TokenVerifier, type VerifyOptions } from '../src/token-verifier';

/**
 * The RPC entrypoint of src/index.ts, exported here too so that bench/wrangler.toml can bind
 * this Worker to itself (AUTH): /__bench/verify calls it as a resource server would.
 */
export { TokenVerifier };

/**
 * The same entrypoint with its D1 counted (AUTH_COUNTED), for the probe of /__bench/verify only:
 * the measured requests go through AUTH, the real TokenVerifier. A new instance serves each RPC
 * call, so its count is that call's.
 */
export class CountingTokenVerifier extends TokenVerifier {
  readonly #counting: CountingD1;
  readonly #settled: () => Promise<number>;

  constructor(ctx: ExecutionContext, env: AppBindings) {
    const counting = new CountingD1(env.DB);
    const { tracked, settled } = trackingContext(ctx);
    super(tracked, { ...env, DB: counting.asBinding() });
    this.#counting = counting;
    this.#settled = settled;
  }

  /** verify's judgement, with the D1 round trips and waitUntil tasks of the call (its waitUntil work settled). */
  async verifyCounted(token: string, options: VerifyOptions) {
    const judgement = await this.verify(token, options);
    const waitUntilTasks = await this.#settled();
    return { judgement, roundTrips: this.#counting.roundTrips, waitUntilTasks };
  }
}

/** The bench Worker's bindings: the app's, and its two service bindings to itself (bench/wrangler.toml). */
interface BenchBindings extends AppBindings {
  AUTH: Service<TokenVerifier>;
  AUTH_COUNTED: Service<CountingTokenVerifier>;
}

/**
 * Stands in for bearer verification: an admin of the default tenant, nothing checked, not even
 * revocation (`external`: tokens this service cannot judge), so that "verification cost" counts
 * the signature and the revocation check together.
 */
const trustEveryone: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set('auth', {
    issuer: 'bench',
    subject: 'bench',
    clientId: 'bench',
    audience: 'bench',
    generation: 0,
    scopes: new Set(['auth:read', 'auth:write']),
    tenant: 'default',
    tenantClaim: 'tenant',
    expiresAt: Number.MAX_SAFE_INTEGER,
    external: true,
  });
  await next();
};

const app = createApp();
const unauthenticatedApp = createApp({ authenticate: trustEveryone });
const NO_AUTH_PREFIX = '/__bench/noauth';
/**
 * D1 round trips of the request. Under load: those started before the response was ready. For a
 * probe: all of them, once the work handed to ctx.waitUntil has settled too.
 */
const ROUND_TRIPS = 'x-d1-round-trips';
/** For a probe: how many promises the request handed to ctx.waitUntil (work the response did not wait for). */
const WAIT_UNTIL_TASKS = 'x-bench-wait-until-tasks';
/** Sent by the bench's one-off probe of a case, never under load. */
const PROBE = 'x-bench-probe';

function withRoundTrips(response: Response, roundTrips: number, waitUntilTasks?: number) {
  const out = new Response(response.body, response);
  out.headers.set(ROUND_TRIPS, String(roundTrips));
  if (waitUntilTasks !== undefined) out.headers.set(WAIT_UNTIL_TASKS, String(waitUntilTasks));
  return out;
}

/** The real ExecutionContext, remembering what was handed to waitUntil so a probe can wait for it. */
function trackingContext(ctx: ExecutionContext) {
  const pending: Promise<unknown>[] = [];
  const tracked = {
    waitUntil: (promise: Promise<unknown>) => {
      pending.push(promise);
      ctx.waitUntil(promise);
    },
    passThroughOnException: () => ctx.passThroughOnException(),
    get props() {
      return ctx.props;
    },
  } as ExecutionContext;
  /** Resolves once every waitUntil promise, including ones added meanwhile, has settled; gives their number. */
  const settled = async () => {
    for (let done = 0; done < pending.length; done = pending.length) await Promise.allSettled(pending.slice(done));
    return pending.length;
  };
  return { tracked, settled };
}

/**
 * Runs a request through an app with a counting D1. A probe also waits for the request's
 * waitUntil work, so its count includes background round trips (D1 counts a statement when it
 * starts, and the token endpoint starts its lastUsedAt write before handing it to waitUntil:
 * which trips the response waited for cannot be told apart here, only how many there were
 * and whether waitUntil work ran; bench/report.mjs compares with a probe without it).
 */
async function counted(target: typeof app, request: Request, env: AppBindings, ctx: ExecutionContext) {
  const counting = new CountingD1(env.DB);
  const { tracked, settled } = trackingContext(ctx);
  const response = await target.fetch(request, { ...env, DB: counting.asBinding() }, tracked);
  if (request.headers.get(PROBE) === null) return withRoundTrips(response, counting.roundTrips);
  const tasks = await settled();
  return withRoundTrips(response, counting.roundTrips, tasks);
}

/** Runs statements in batches of 500 (each statement stays under D1's 100 bound parameters). */
async function insertRows(db: D1Database, table: string, columns: string[], rows: unknown[][]) {
  const rowsPerStatement = Math.floor(100 / columns.length);
  const statements: D1PreparedStatement[] = [];
  for (let start = 0; start < rows.length; start += rowsPerStatement) {
    const chunk = rows.slice(start, start + rowsPerStatement);
    const placeholders = chunk.map(() => `(${columns.map(() => '?').join(', ')})`).join(', ');
    statements.push(db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${placeholders}`).bind(...chunk.flat()));
  }
  for (let i = 0; i < statements.length; i += 500) await db.batch(statements.slice(i, i + 500));
}

/**
 * `count` clients in `tenant`, all shaped alike: client i is "rare" when
 * i % rareEvery === rareOffset (name "rare client i", metadata kind "rare"),
 * else "seeded client i" with kind "common". Creation times are consecutive
 * milliseconds, so client i is the i-th in list order.
 */
async function seedClients(db: D1Database, body: { tenant: string; count: number; rareEvery: number; rareOffset: number }) {
  const { tenant, count, rareEvery, rareOffset } = body;
  const base = Date.now() - count;
  const rows = Array.from({ length: count }, (_, i) => {
    const rare = i % rareEvery === rareOffset;
    const metadata = JSON.stringify({ seq: String(i), kind: rare ? 'rare' : 'common' });
    return [`${tenant}-${String(i).padStart(7, '0')}`, tenant, `${rare ? 'rare' : 'seeded'} client ${i}`, metadata, base + i];
  });
  await insertRows(db, 'clients', ['id', 'tenant_id', 'name', 'metadata', 'created_at'], rows);
  return { seeded: count };
}

/**
 * `count` clients with one secret each, never used, and the given scopes
 * attached: for token requests that are each a secret's first use. Returns
 * their ids and clear secrets.
 */
async function seedTokenClients(db: D1Database, body: { tenant: string; prefix: string; count: number; scopeIds: string[] }) {
  const { tenant, prefix, count, scopeIds } = body;
  const now = Date.now();
  const credentials = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const secret = generateClearSecret();
      return { id: `${prefix}-${String(i).padStart(6, '0')}`, secret, digest: await digestSecret(secret) };
    }),
  );
  await insertRows(
    db,
    'clients',
    ['id', 'tenant_id', 'name', 'created_at'],
    credentials.map(({ id }, i) => [id, tenant, `token client ${i}`, now]),
  );
  await insertRows(
    db,
    'client_secrets',
    ['id', 'tenant_id', 'client_id', 'name', 'last_digits', 'digest', 'created_at'],
    credentials.map(({ id, secret, digest }) => [`${id}-secret`, tenant, id, 'bench', lastDigitsOf(secret), digest, now]),
  );
  await insertRows(
    db,
    'client_scopes',
    ['tenant_id', 'client_id', 'scope_id', 'created_at'],
    credentials.flatMap(({ id }) => scopeIds.map((scopeId) => [tenant, id, scopeId, now])),
  );
  return { clients: credentials.map(({ id, secret }) => ({ id, secret })) };
}

/** How many of the secrets of clients whose id starts with `prefix` have a lastUsedAt. */
async function secretsUsed(db: D1Database, prefix: string) {
  const row = await db
    .prepare('SELECT count(*) AS used, min(last_used_at) AS first, max(last_used_at) AS last FROM client_secrets WHERE client_id >= ? AND client_id < ? AND last_used_at IS NOT NULL')
    .bind(`${prefix}-`, `${prefix}.`)
    .first<{ used: number; first: number | null; last: number | null }>();
  return row;
}

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * What a resource server does per request (examples/resource-server): its bearer token judged by
 * TokenVerifier.verify through the service binding, for this service's audience, the tenant and
 * scopes of the query (`?tenant=…&scope=…&scope=…`). 200 with the judgement when active, else 401.
 * A probe goes through AUTH_COUNTED instead, to count the D1 round trips behind the binding.
 */
async function verifyThroughBinding(request: Request, url: URL, env: BenchBindings): Promise<Response> {
  const token = BEARER.exec(request.headers.get('authorization') ?? '')?.[1];
  if (token === undefined) return Response.json({ error: 'unauthorized' }, { status: 401 });
  const tenant = url.searchParams.get('tenant');
  const options: VerifyOptions = {
    audience: audienceOf(env, issuerOf(env)),
    requiredScopes: url.searchParams.getAll('scope'),
    ...(tenant === null ? {} : { tenant }),
  };
  const answer = (judgement: { active: boolean }) => Response.json(judgement, { status: judgement.active ? 200 : 401 });
  if (request.headers.get(PROBE) === null) return answer(await env.AUTH.verify(token, options));
  const { judgement, roundTrips, waitUntilTasks } = await env.AUTH_COUNTED.verifyCounted(token, options);
  return withRoundTrips(answer(judgement), roundTrips, waitUntilTasks);
}

export default {
  async fetch(request: Request, env: BenchBindings, ctx: ExecutionContext): Promise<Response> {
    const url = new URL(request.url);
    // Baseline 1: a request that touches nothing.
    if (url.pathname === '/__bench/empty') return withRoundTrips(new Response('ok'), 0, 0);
    // Baseline 2: one trivial D1 query, the floor for any request that reads D1 once.
    if (url.pathname === '/__bench/d1') {
      const counting = new CountingD1(env.DB);
      await counting.prepare('select 1').first();
      return withRoundTrips(Response.json({ ok: true }), counting.roundTrips, 0);
    }
    if (url.pathname === '/__bench/seed' && request.method === 'POST') {
      return Response.json(await seedClients(env.DB, await request.json()));
    }
    if (url.pathname === '/__bench/seed-token-clients' && request.method === 'POST') {
      return Response.json(await seedTokenClients(env.DB, await request.json()));
    }
    if (url.pathname === '/__bench/secrets-used') {
      return Response.json(await secretsUsed(env.DB, url.searchParams.get('prefix') ?? ''));
    }
    if (url.pathname === '/__bench/verify') return verifyThroughBinding(request, url, env);
    if (url.pathname.startsWith(`${NO_AUTH_PREFIX}/`)) {
      const inner = new Request(new URL(url.pathname.slice(NO_AUTH_PREFIX.length) + url.search, url), request);
      return counted(unauthenticatedApp, inner, env, ctx);
    }
    return counted(app, request, env, ctx);
  },
};
