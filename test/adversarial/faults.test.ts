import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { api, countRows, createClient, createScope, createSecret, getAdminToken } from '../helpers';

const TABLES = ['clients', 'client_secrets', 'scopes', 'client_scopes', 'scope_transients', 'audit_events'];

async function snapshot() {
  const rows = await env.DB.batch(TABLES.map((t) => env.DB.prepare(`SELECT * FROM ${t} ORDER BY 1, 2, 3`)));
  return rows.map((r) => r.results);
}

const IO_ERROR = 'D1_ERROR: disk I/O error: SQLITE_IOERR';
/** One of the messages D1 documents as transient (src/lib/errors.ts): answered 503 + Retry-After. */
const TRANSIENT_ERROR = 'D1_ERROR: Network connection lost.';

/**
 * Fails only if the statement before it changed a row: so when it fails, the
 * batch's write had run inside D1 first.
 */
const FAIL_IF_CHANGED = "SELECT CASE WHEN changes() > 0 THEN json('{') ELSE 0 END";
/** Always fails: injected after the batch's statement N, D1 fails the batch there. */
const FAIL = "SELECT json('{')";

/** The statements of the audit trail (src/audit/audit-trail.ts), around every write. */
const AUDIT_STATEMENT = /^\s*(insert\s+into|update|delete\s+from)\s+"audit_events"/i;
const WRITE_STATEMENT = /^\s*(insert|update|delete)\b/i;

/**
 * A D1 binding with one injected fault. Statements are counted across
 * prepare().run/all/raw/first and batches (a batch of n counts n, and is one
 * round trip). The round trip holding the Nth statement fails:
 * - 'before': it never reaches D1;
 * - 'after': D1 runs it (and commits), then its answer is lost (the wrapper throws);
 * - 'inside': nothing is thrown by the wrapper; instead, every batch gets
 *   FAIL_IF_CHANGED right after its last write statement that is not the
 *   audit trail's (the write itself), so D1 itself fails the batch halfway
 *   through; or, given `failAfter`, FAIL right after its statement number
 *   `failAfter` (1-based).
 */
class FaultyD1 {
  executed = 0;
  injected = 0;
  constructor(
    readonly failAt: number,
    readonly message: string,
    readonly when: 'before' | 'after' | 'inside' = 'before',
    readonly failAfter?: number,
  ) {}

  async #roundTrip<T>(statements: number, run: () => Promise<T>): Promise<T> {
    const first = this.executed + 1;
    this.executed += statements;
    const hit = this.when !== 'inside' && first <= this.failAt && this.failAt <= this.executed;
    if (hit && this.when === 'before') throw new Error(this.message);
    const result = await run();
    if (hit) throw new Error(this.message);
    return result;
  }

  // Proxy → the real statement and its SQL, so a batch hands D1 what it expects.
  #real = new WeakMap<object, D1PreparedStatement>();
  #sql = new WeakMap<object, string>();

  #statement(statement: D1PreparedStatement, sql: string): D1PreparedStatement {
    const proxy = new Proxy(statement, {
      get: (target, prop) => {
        if (prop === 'bind') return (...values: unknown[]) => this.#statement(target.bind(...values), sql);
        if (prop === 'run' || prop === 'all' || prop === 'raw' || prop === 'first') {
          return (...args: unknown[]) =>
            this.#roundTrip(1, async () => (target[prop] as (...a: unknown[]) => unknown).apply(target, args));
        }
        return Reflect.get(target, prop, target);
      },
    });
    this.#real.set(proxy, statement);
    this.#sql.set(proxy, sql);
    return proxy;
  }

  #batch(inner: D1DatabaseSession | D1Database, statements: D1PreparedStatement[]) {
    const real = statements.map((s) => this.#real.get(s) ?? s);
    const sqlOf = (s: D1PreparedStatement) => this.#sql.get(s) ?? '';
    const write = statements.findLastIndex((s) => WRITE_STATEMENT.test(sqlOf(s)) && !AUDIT_STATEMENT.test(sqlOf(s)));
    const at = this.failAfter ?? write + 1;
    const inject = this.when === 'inside' && write >= 0 && at <= statements.length;
    if (inject) {
      real.splice(at, 0, inner.prepare(this.failAfter === undefined ? FAIL_IF_CHANGED : FAIL));
      this.injected++;
    }
    return this.#roundTrip(statements.length, async () => {
      const results = await inner.batch(real);
      if (inject) results.splice(at, 1); // the caller gets the results of its own statements
      return results;
    });
  }

  #database(inner: D1DatabaseSession | D1Database): D1DatabaseSession {
    return {
      prepare: (query: string) => this.#statement(inner.prepare(query), query),
      batch: (statements: D1PreparedStatement[]) => this.#batch(inner, statements),
      getBookmark: () => null,
    } as unknown as D1DatabaseSession;
  }

  binding(): D1Database {
    return new Proxy(env.DB, {
      get: (target, prop) => {
        if (prop === 'withSession') return (constraint?: string) => this.#database(target.withSession(constraint));
        if (prop === 'prepare' || prop === 'batch') return Reflect.get(this.#database(target), prop);
        return Reflect.get(target, prop, target);
      },
    });
  }
}

type Request = [method: string, path: string, body?: unknown, headers?: Record<string, string>];

async function callWithFault(db: FaultyD1, [method, path, body, extra = {}]: Request) {
  const headers: Record<string, string> = { authorization: `Bearer ${await getAdminToken()}`, ...extra };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await createApp().fetch(
    new Request(`https://registry.test${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }),
    { ...env, DB: db.binding() },
  );
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

/** The same request through the deployed entry, without a fault: what a client's retry gets. */
const retry = ([method, path, body, headers]: Request) => api(method, path, { body, headers });

/** Runs `action` with console.error captured; returns what was logged. */
async function capturingLog(action: () => Promise<void>): Promise<string> {
  const logged: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => logged.push(args.join(' '));
  try {
    await action();
  } finally {
    console.error = original;
  }
  return logged.join('\n');
}

interface Fixture {
  client: { id: string };
  secret: { id: string };
  scope: { id: string; label: string };
  linked: { id: string };
  other: { id: string };
}

async function fixture(): Promise<Fixture> {
  const client = await createClient();
  const secret = await createSecret(client.id);
  const scope = await createScope();
  const linked = await createScope();
  const other = await createScope();
  await api('PUT', `/clients/${client.id}/scopes/${linked.id}`);
  await api('PUT', `/scopes/${scope.id}/transient/${linked.id}`);
  return { client, secret, scope, linked, other };
}

const writes: [string, (f: Fixture) => Request][] = [
  ['createClient', () => ['POST', '/clients', { name: 'faulty' }]],
  ['updateClient', (f) => ['PUT', `/clients/${f.client.id}`, { name: 'faulty' }]],
  ['deleteClient', (f) => ['DELETE', `/clients/${f.client.id}`]],
  ['createSecret', (f) => ['POST', `/clients/${f.client.id}/secrets`, { name: 'faulty' }]],
  ['deleteSecret', (f) => ['DELETE', `/clients/${f.client.id}/secrets/${f.secret.id}`]],
  ['addScopeToClient', (f) => ['PUT', `/clients/${f.client.id}/scopes/${f.other.id}`]],
  ['deleteScopeFromClient', (f) => ['DELETE', `/clients/${f.client.id}/scopes/${f.linked.id}`]],
  ['createScope', () => ['POST', '/scopes', { label: `faulty:${crypto.randomUUID()}` }]],
  ['updateScope', (f) => ['PUT', `/scopes/${f.scope.id}`, { label: `faulty:${crypto.randomUUID()}` }]],
  ['deleteScope', (f) => ['DELETE', `/scopes/${f.linked.id}`]],
  ['addTransientScope', (f) => ['PUT', `/scopes/${f.scope.id}/transient/${f.other.id}`]],
  ['deleteTransientScope', (f) => ['DELETE', `/scopes/${f.scope.id}/transient/${f.linked.id}`]],
];

const failures: [kind: string, message: string, status: number][] = [
  ['an I/O error', IO_ERROR, 500],
  ['a transient error', TRANSIENT_ERROR, 503],
];

function expectFailureAnswer(res: { status: number; headers: Headers; body: unknown }, status: number) {
  expect(res.status).toBe(status);
  if (status === 500) {
    expect(res.body).toEqual({ errorCode: 'INTERNAL', errorMessage: 'An internal error occurred.' });
  } else {
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.body).toEqual({ errorCode: 'SERVICE_UNAVAILABLE', errorMessage: 'The database is temporarily unavailable; retry shortly.' });
  }
}

describe('a D1 statement failing before it reaches D1', () => {
  it.each(writes)(
    '%s: whichever statement fails, a generic 500 (503 + Retry-After if transient), the database unchanged, nothing secret logged',
    async (_name, request) => {
      const dryRun = new FaultyD1(Infinity, 'never');
      const ok = await callWithFault(dryRun, request(await fixture()));
      expect(ok.status).toBeLessThan(300);
      expect(dryRun.executed).toBeGreaterThan(0);

      for (let n = 1; n <= dryRun.executed; n++) {
        for (const [, message, status] of failures) {
          const req = request(await fixture());
          const before = await snapshot();
          const logged = await capturingLog(async () => {
            expectFailureAnswer(await callWithFault(new FaultyD1(n, message), req), status);
          });
          expect(await snapshot()).toEqual(before);
          expect(logged).toContain(message.replace('D1_ERROR: ', ''));
          expect(logged).not.toMatch(/params:|[0-9a-f]{64}/); // never bound values, never a digest
        }
      }
    },
  );
});

/**
 * The answer of a write lost after D1 committed it: what the caller sees, that
 * the write happened exactly once, and what retrying the same request does.
 */
interface LostAnswer {
  prepare?: (f: Fixture) => Promise<Record<string, string>>;
  request: (f: Fixture, mark: string, headers: Record<string, string>) => Request;
  /** Asserts the write was applied exactly once. */
  applied: (f: Fixture, mark: string, headers: Record<string, string>) => Promise<void>;
  retry: number;
  /** Asserts the state after the retry. */
  afterRetry?: (f: Fixture, mark: string, headers: Record<string, string>) => Promise<void>;
}

const etagOf = async (path: string) => (await api('GET', path)).headers.get('etag')!;
const nextEtag = (etag: string) => `"${Number(etag.slice(1, -1)) + 1}"`;
const clientEtag = async (f: Fixture) => ({ 'if-match': await etagOf(`/clients/${f.client.id}`) });

const lostAnswers: [string, LostAnswer][] = [
  [
    'createClient',
    {
      request: (_f, mark) => ['POST', '/clients', { name: mark }],
      applied: async (_f, mark) => expect(await countRows('clients', 'name = ?', mark)).toBe(1),
      retry: 201, // POST is not idempotent: the retry makes a second client
      afterRetry: async (_f, mark) => expect(await countRows('clients', 'name = ?', mark)).toBe(2),
    },
  ],
  [
    'createClient under a chosen id',
    {
      request: (_f, mark) => ['POST', '/clients', { id: mark, name: 'imported' }],
      applied: async (_f, mark) => expect(await countRows('clients', 'id = ?', mark)).toBe(1),
      retry: 409, // the id is taken: by the lost write itself
      afterRetry: async (_f, mark) => expect(await countRows('clients', 'id = ?', mark)).toBe(1),
    },
  ],
  [
    'updateClient with If-Match',
    {
      prepare: clientEtag,
      request: (f, mark, h) => ['PUT', `/clients/${f.client.id}`, { name: mark }, h],
      applied: async (f, mark, h) => {
        const read = await api('GET', `/clients/${f.client.id}`);
        expect(read.body.data.name).toBe(mark);
        expect(read.headers.get('etag')).toBe(nextEtag(h['if-match']!));
      },
      retry: 412, // the old If-Match no longer holds: the update already happened
      afterRetry: async (f, mark, h) => {
        const read = await api('GET', `/clients/${f.client.id}`);
        expect(read.body.data.name).toBe(mark);
        expect(read.headers.get('etag')).toBe(nextEtag(h['if-match']!));
      },
    },
  ],
  [
    'deleteClient',
    {
      request: (f) => ['DELETE', `/clients/${f.client.id}`],
      applied: async (f) => {
        expect(await countRows('clients', 'id = ?', f.client.id)).toBe(0);
        expect(await countRows('client_secrets', 'client_id = ?', f.client.id)).toBe(0);
        expect(await countRows('client_scopes', 'client_id = ?', f.client.id)).toBe(0);
      },
      retry: 404,
    },
  ],
  [
    'createSecret',
    {
      request: (f, mark) => ['POST', `/clients/${f.client.id}/secrets`, { name: mark }],
      // Stored, but its clear value never reached the caller.
      applied: async (f, mark) => expect(await countRows('client_secrets', 'client_id = ? AND name = ?', f.client.id, mark)).toBe(1),
      retry: 200, // a second secret
      afterRetry: async (f, mark) => expect(await countRows('client_secrets', 'client_id = ? AND name = ?', f.client.id, mark)).toBe(2),
    },
  ],
  [
    'deleteSecret',
    {
      request: (f) => ['DELETE', `/clients/${f.client.id}/secrets/${f.secret.id}`],
      applied: async (f) => expect(await countRows('client_secrets', 'id = ?', f.secret.id)).toBe(0),
      retry: 404,
    },
  ],
  [
    'addScopeToClient',
    {
      prepare: clientEtag,
      request: (f) => ['PUT', `/clients/${f.client.id}/scopes/${f.other.id}`],
      applied: async (f, _mark, h) => {
        expect(await countRows('client_scopes', 'client_id = ? AND scope_id = ?', f.client.id, f.other.id)).toBe(1);
        expect(await etagOf(`/clients/${f.client.id}`)).toBe(nextEtag(h['if-match']!));
      },
      retry: 204, // idempotent: still one link, no second version bump
      afterRetry: async (f, _mark, h) => {
        expect(await countRows('client_scopes', 'client_id = ? AND scope_id = ?', f.client.id, f.other.id)).toBe(1);
        expect(await etagOf(`/clients/${f.client.id}`)).toBe(nextEtag(h['if-match']!));
      },
    },
  ],
  [
    'deleteScopeFromClient',
    {
      request: (f) => ['DELETE', `/clients/${f.client.id}/scopes/${f.linked.id}`],
      applied: async (f) => expect(await countRows('client_scopes', 'client_id = ? AND scope_id = ?', f.client.id, f.linked.id)).toBe(0),
      retry: 204, // idempotent
    },
  ],
  [
    'createScope',
    {
      request: (_f, mark) => ['POST', '/scopes', { label: mark }],
      applied: async (_f, mark) => expect(await countRows('scopes', 'label = ?', mark)).toBe(1),
      retry: 409, // the label is taken: by the lost write itself
      afterRetry: async (_f, mark) => expect(await countRows('scopes', 'label = ?', mark)).toBe(1),
    },
  ],
  [
    'updateScope with If-Match',
    {
      prepare: async (f) => ({ 'if-match': await etagOf(`/scopes/${f.scope.id}`) }),
      request: (f, mark, h) => ['PUT', `/scopes/${f.scope.id}`, { label: mark }, h],
      applied: async (f, mark, h) => {
        const read = await api('GET', `/scopes/${f.scope.id}`);
        expect(read.body.data.label).toBe(mark);
        expect(read.headers.get('etag')).toBe(nextEtag(h['if-match']!));
      },
      retry: 412,
      afterRetry: async (f, mark) => expect((await api('GET', `/scopes/${f.scope.id}`)).body.data.label).toBe(mark),
    },
  ],
  [
    'deleteScope',
    {
      request: (f) => ['DELETE', `/scopes/${f.linked.id}`],
      applied: async (f) => {
        expect(await countRows('scopes', 'id = ?', f.linked.id)).toBe(0);
        expect(await countRows('client_scopes', 'scope_id = ?', f.linked.id)).toBe(0);
        expect(await countRows('scope_transients', 'transient_scope_id = ?', f.linked.id)).toBe(0);
      },
      retry: 404,
    },
  ],
  [
    'addTransientScope',
    {
      request: (f) => ['PUT', `/scopes/${f.scope.id}/transient/${f.other.id}`],
      applied: async (f) => expect(await countRows('scope_transients', 'scope_id = ? AND transient_scope_id = ?', f.scope.id, f.other.id)).toBe(1),
      retry: 204,
      afterRetry: async (f) => expect(await countRows('scope_transients', 'scope_id = ? AND transient_scope_id = ?', f.scope.id, f.other.id)).toBe(1),
    },
  ],
  [
    'deleteTransientScope',
    {
      request: (f) => ['DELETE', `/scopes/${f.scope.id}/transient/${f.linked.id}`],
      applied: async (f) => expect(await countRows('scope_transients', 'scope_id = ? AND transient_scope_id = ?', f.scope.id, f.linked.id)).toBe(0),
      retry: 204,
    },
  ],
];

describe('a D1 write whose answer is lost after D1 applied it', () => {
  const cases = lostAnswers.flatMap(([name, c]) => failures.map(([kind, message, status]) => [name, kind, message, status, c] as const));

  it.each(cases)('%s, then %s: the caller gets a 5xx, the write and its event happened exactly once, and a retry shows it', async (_name, _kind, message, status, c) => {
    const f = await fixture();
    const mark = `lost-${crypto.randomUUID()}`; // a valid client id and scope label
    const headers = (await c.prepare?.(f)) ?? {};
    const req = c.request(f, mark, headers);
    // Statement 1, the token's gate, leads the write's batch: its answer is the one lost.
    const db = new FaultyD1(1, message, 'after');
    let lost!: Awaited<ReturnType<typeof callWithFault>>;
    const logged = await capturingLog(async () => {
      lost = await callWithFault(db, req);
      expectFailureAnswer(lost, status);
    });
    expect(db.executed).toBeGreaterThan(0); // the one round trip of the write ran (and failed afterwards)
    expect(logged).toContain(message.replace('D1_ERROR: ', ''));
    await c.applied(f, mark, headers);
    // Its audit event committed with it, exactly once, under the request id the 5xx answer carried.
    const events = (requestId: string | null) => env.DB.prepare('SELECT action FROM audit_events WHERE request_id = ?').bind(requestId).all();
    expect((await events(lost.headers.get('x-request-id'))).results).toEqual([{ action: _name.split(' ')[0] }]);

    const again = await retry(req);
    expect(again.status, again.text).toBe(c.retry);
    await (c.afterRetry ?? c.applied)(f, mark, headers);
    // A retry that creates again (POST) is a second event; one refused, or idempotent, is none.
    expect((await events(again.headers.get('x-request-id'))).results).toHaveLength(c.retry === 200 || c.retry === 201 ? 1 : 0);
  });
});

describe('a statement failing inside D1 halfway through a batch', () => {
  it.each(writes)('%s: D1 fails the statement after the write, and rolls the whole batch back, its event included', async (_name, request) => {
    const req = request(await fixture());
    const before = await snapshot();
    const db = new FaultyD1(Infinity, 'never', 'inside');
    const logged = await capturingLog(async () => expectFailureAnswer(await callWithFault(db, req), 500));
    expect(db.injected).toBe(1);
    // The injected statement only fails when the write before it changed a row: D1 ran the write, then undid it.
    expect(logged).toContain('malformed JSON');
    expect(await snapshot()).toEqual(before);
  });

  it.each(writes)('%s: whichever statement of its batch D1 fails at, neither the write nor its event remains', async (_name, request) => {
    const dryRun = new FaultyD1(Infinity, 'never');
    const ok = await callWithFault(dryRun, request(await fixture()));
    expect(ok.status).toBeLessThan(300);
    expect(await countRows('audit_events', 'request_id = ?', ok.headers.get('x-request-id'))).toBe(1);
    // One batch: the token's gate, the audit statements (an INSERT before, an UPDATE and a DELETE
    // after) and the write.
    const batchStatements = dryRun.executed;
    expect(batchStatements).toBeGreaterThanOrEqual(4);
    for (let n = 1; n <= batchStatements; n++) {
      const req = request(await fixture());
      const before = await snapshot();
      const db = new FaultyD1(Infinity, 'never', 'inside', n);
      const logged = await capturingLog(async () => expectFailureAnswer(await callWithFault(db, req), 500));
      expect(db.injected, `after statement ${n}`).toBe(1);
      expect(logged).toContain('malformed JSON');
      expect(await snapshot(), `after statement ${n}`).toEqual(before);
    }
  });

  it('the injected statement is harmless when the write before it changed nothing (control)', async () => {
    const f = await fixture();
    // Detaching a scope that is not attached deletes no row: the batch succeeds with the injection.
    const db = new FaultyD1(Infinity, 'never', 'inside');
    const res = await callWithFault(db, ['DELETE', `/clients/${f.client.id}/scopes/${f.other.id}`]);
    expect(db.injected).toBe(1);
    expect(res.status).toBe(204);
  });
});

describe('the token endpoint under D1 faults', () => {
  async function tokenWithFault(db: FaultyD1, clientId: string, secret: string) {
    const background: Promise<unknown>[] = [];
    const ctx = { waitUntil: (p: Promise<unknown>) => background.push(p), passThroughOnException: () => {}, props: {} };
    const res = await createApp().fetch(
      new Request('https://registry.test/oauth/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `grant_type=client_credentials&client_id=${clientId}&client_secret=${secret}`,
      }),
      { ...env, DB: db.binding() },
      ctx as unknown as ExecutionContext,
    );
    await Promise.allSettled(background);
    return { status: res.status, headers: res.headers, body: await res.json() as any };
  }

  it('answers a D1 failure with an RFC 6749 error, never the admin API’s shape: 500 server_error, or 503 with Retry-After', async () => {
    const client = await createClient();
    const secret = await createSecret(client.id);
    let failed: Awaited<ReturnType<typeof tokenWithFault>> | undefined;
    const logged = await capturingLog(async () => {
      failed = await tokenWithFault(new FaultyD1(1, IO_ERROR), client.id, secret.clear);
    });
    expect(failed!.status).toBe(500);
    expect(failed!.body).toEqual({ error: 'server_error', error_description: 'An internal error occurred.' });
    expect(failed!.headers.get('cache-control')).toBe('no-store');
    expect(logged).toContain('disk I/O error');
    expect(logged).not.toContain(secret.clear);
    const transient = await capturingLog(async () => {
      failed = await tokenWithFault(new FaultyD1(1, TRANSIENT_ERROR), client.id, secret.clear);
    });
    expect(transient).toContain('Network connection lost');
    expect({ status: failed!.status, error: failed!.body.error, retryAfter: failed!.headers.get('retry-after') }).toEqual({
      status: 503,
      error: 'temporarily_unavailable',
      retryAfter: '1',
    });
  });

  it('a failing lastUsedAt write in the background is logged and does not touch the answer', async () => {
    const client = await createClient();
    const secret = await createSecret(client.id);
    let res: Awaited<ReturnType<typeof tokenWithFault>> | undefined;
    // Statement 1 is the lookup; statement 2, in waitUntil, the lastUsedAt write.
    const logged = await capturingLog(async () => {
      res = await tokenWithFault(new FaultyD1(2, IO_ERROR), client.id, secret.clear);
    });
    expect(res!.status).toBe(200);
    expect(logged).toContain('"task":"record secret use"');
    expect(await countRows('client_secrets', 'id = ? AND last_used_at IS NULL', secret.id)).toBe(1);
  });
});
