import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { createClient, createScope, createSecret, getAdminToken, api } from '../helpers';

const TABLES = ['clients', 'client_secrets', 'scopes', 'client_scopes', 'scope_transients'];

async function snapshot() {
  const rows = await env.DB.batch(TABLES.map((t) => env.DB.prepare(`SELECT * FROM ${t} ORDER BY 1, 2, 3`)));
  return rows.map((r) => r.results);
}

/**
 * A D1 binding whose Nth statement fails (a batch fails whole, as D1 rolls it
 * back); statements are counted across prepare().run/all/raw/first and batches.
 */
class FaultyD1 {
  executed = 0;
  constructor(
    readonly failAt: number,
    readonly message: string,
  ) {}

  #gate(statements: number) {
    const first = this.executed + 1;
    this.executed += statements;
    if (first <= this.failAt && this.failAt <= this.executed) throw new Error(this.message);
  }

  // Proxy → the real statement, so a batch hands D1 what it expects.
  #real = new WeakMap<object, D1PreparedStatement>();

  #statement(statement: D1PreparedStatement): D1PreparedStatement {
    const proxy = new Proxy(statement, {
      get: (target, prop) => {
        if (prop === 'bind') return (...values: unknown[]) => this.#statement(target.bind(...values));
        if (prop === 'run' || prop === 'all' || prop === 'raw' || prop === 'first') {
          return async (...args: unknown[]) => {
            this.#gate(1);
            return (target[prop] as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return Reflect.get(target, prop, target);
      },
    });
    this.#real.set(proxy, statement);
    return proxy;
  }

  #database(inner: D1DatabaseSession | D1Database): D1DatabaseSession {
    return {
      prepare: (query: string) => this.#statement(inner.prepare(query)),
      batch: async (statements: D1PreparedStatement[]) => {
        this.#gate(statements.length);
        return inner.batch(statements.map((s) => this.#real.get(s) ?? s));
      },
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

async function callWithFault(db: FaultyD1, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = { authorization: `Bearer ${await getAdminToken()}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await createApp().fetch(
    new Request(`https://registry.test${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }),
    { ...env, DB: db.binding() },
  );
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
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

const writes: [string, (f: Fixture) => [string, string, unknown?]][] = [
  ['createClient', () => ['POST', '/clients', { name: 'faulty' }]],
  ['updateClient', (f) => ['PUT', `/clients/${f.client.id}`, { name: 'faulty' }]],
  ['deleteClient', (f) => ['DELETE', `/clients/${f.client.id}`]],
  ['createSecret', (f) => ['POST', `/clients/${f.client.id}/secrets`, { name: 'faulty' }]],
  ['deleteSecret', (f) => ['DELETE', `/clients/${f.client.id}/secrets/${f.secret.id}`]],
  ['addScopeToClient', (f) => ['PUT', `/clients/${f.client.id}/scopes/${f.other.id}`]],
  ['deleteScopeFromClient', (f) => ['DELETE', `/clients/${f.client.id}/scopes/${f.linked.id}`]],
  ['createScope', () => ['POST', '/scopes', { label: `faulty:${crypto.randomUUID()}` }]],
  ['updateScope', (f) => ['PUT', `/scopes/${f.scope.id}`, { label: 'faulty:renamed' }]],
  ['deleteScope', (f) => ['DELETE', `/scopes/${f.linked.id}`]],
  ['addTransientScope', (f) => ['PUT', `/scopes/${f.scope.id}/transient/${f.other.id}`]],
  ['deleteTransientScope', (f) => ['DELETE', `/scopes/${f.scope.id}/transient/${f.linked.id}`]],
];

describe('a failing D1 statement', () => {
  it.each(writes)('%s: every Nth statement failing answers a generic 500 and leaves the database unchanged', async (_name, request) => {
    const dryRun = new FaultyD1(Infinity, 'never');
    const [method, path, body] = request(await fixture());
    const ok = await callWithFault(dryRun, method, path, body);
    expect(ok.status).toBeLessThan(300);
    expect(dryRun.executed).toBeGreaterThan(0);

    for (let n = 1; n <= dryRun.executed; n++) {
      const [m, p, b] = request(await fixture());
      const before = await snapshot();
      const logged: string[] = [];
      const original = console.error;
      console.error = (...args: unknown[]) => logged.push(args.join(' '));
      try {
        const res = await callWithFault(new FaultyD1(n, 'D1_ERROR: disk I/O error: SQLITE_IOERR'), m, p, b);
        expect(res.status).toBe(500);
        expect(res.body).toEqual({ errorCode: 'INTERNAL', errorMessage: 'An internal error occurred.' });
      } finally {
        console.error = original;
      }
      expect(await snapshot()).toEqual(before);
      expect(logged.join('\n')).toContain('SQLITE_IOERR');
      expect(logged.join('\n')).not.toMatch(/params:|[0-9a-f]{64}/); // never bound values, never a digest
    }
  });

  it.each(writes)('%s: a transient D1 error answers 503 with Retry-After, database unchanged', async (_name, request) => {
    const [method, path, body] = request(await fixture());
    const before = await snapshot();
    const original = console.error;
    console.error = () => {};
    try {
      const res = await callWithFault(new FaultyD1(1, 'D1_ERROR: Network connection lost.'), method, path, body);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.body.errorCode).toBe('SERVICE_UNAVAILABLE');
    } finally {
      console.error = original;
    }
    expect(await snapshot()).toEqual(before);
  });
});
