import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { digestSecret } from '../src/lib/secrets';
import { api, type ApiResponse, countRows, createClient, createScope, createSecret, getAdminToken } from './helpers';
import { tenantToken } from './tokens';

/** What an audit event records of a client or scope: its read representation, secrets cut down, and its ETag. */
async function snapshotOf(path: string) {
  const res = await api('GET', path);
  if (res.status === 404) return null;
  const version = Number(res.headers.get('etag')!.slice(1, -1));
  const { secrets, ...rest } = res.body.data;
  if (!secrets) return { ...rest, version };
  return { ...rest, secrets: secrets.map(({ id, name, lastDigits }: Record<string, string>) => ({ id, name, lastDigits })), version };
}

const requestIdOf = (res: ApiResponse) => res.headers.get('x-request-id')!;
const eventRows = (requestId: string) => countRows('audit_events', 'request_id = ?', requestId);

interface Fixture {
  client: { id: string };
  secret: { id: string };
  scope: { id: string };
  linked: { id: string };
  other: { id: string };
}

async function fixture(): Promise<Fixture> {
  const client = await createClient({ metadata: { team: 'audit' }, redirectUris: ['https://app.test/cb'] });
  const secret = await createSecret(client.id);
  const [scope, linked, other] = [await createScope(), await createScope(), await createScope()];
  await api('PUT', `/clients/${client.id}/scopes/${linked.id}`);
  await api('PUT', `/scopes/${scope.id}/transient/${linked.id}`);
  return { client, secret, scope, linked, other };
}

type Target = { type: 'client' | 'scope'; id: string };
interface Write {
  request: (f: Fixture) => [method: string, path: string, body?: unknown];
  ok: number;
  /** The target; for a create, taken from the response. */
  target: (f: Fixture, res: ApiResponse) => Target;
  created?: boolean;
  deleted?: boolean;
}

const client = (f: Fixture): Target => ({ type: 'client', id: f.client.id });
const scope = (id: (f: Fixture) => string) => (f: Fixture): Target => ({ type: 'scope', id: id(f) });

const WRITES: [string, Write][] = [
  ['createClient', { request: () => ['POST', '/clients', { name: 'audited', metadata: { a: '1' } }], ok: 201, created: true, target: (_f, res) => ({ type: 'client', id: res.body.data.id }) }],
  ['updateClient', { request: (f) => ['PUT', `/clients/${f.client.id}`, { name: 'renamed', trusted: true }], ok: 200, target: client }],
  ['deleteClient', { request: (f) => ['DELETE', `/clients/${f.client.id}`], ok: 204, deleted: true, target: client }],
  ['createSecret', { request: (f) => ['POST', `/clients/${f.client.id}/secrets`, { name: 'second' }], ok: 200, target: client }],
  ['deleteSecret', { request: (f) => ['DELETE', `/clients/${f.client.id}/secrets/${f.secret.id}`], ok: 204, target: client }],
  ['addScopeToClient', { request: (f) => ['PUT', `/clients/${f.client.id}/scopes/${f.other.id}`], ok: 204, target: client }],
  ['deleteScopeFromClient', { request: (f) => ['DELETE', `/clients/${f.client.id}/scopes/${f.linked.id}`], ok: 204, target: client }],
  ['createScope', { request: () => ['POST', '/scopes', { label: `audited:${crypto.randomUUID()}` }], ok: 201, created: true, target: (_f, res) => ({ type: 'scope', id: res.body.data.id }) }],
  ['updateScope', { request: (f) => ['PUT', `/scopes/${f.scope.id}`, { label: `renamed:${crypto.randomUUID()}`, metadata: { b: '2' } }], ok: 200, target: scope((f) => f.scope.id) }],
  ['deleteScope', { request: (f) => ['DELETE', `/scopes/${f.linked.id}`], ok: 204, deleted: true, target: scope((f) => f.linked.id) }],
  ['addTransientScope', { request: (f) => ['PUT', `/scopes/${f.scope.id}/transient/${f.other.id}`], ok: 204, target: scope((f) => f.scope.id) }],
  ['deleteTransientScope', { request: (f) => ['DELETE', `/scopes/${f.scope.id}/transient/${f.linked.id}`], ok: 204, target: scope((f) => f.scope.id) }],
];

describe('every admin write records one audit event', () => {
  it('covers the twelve writes', () => expect(WRITES).toHaveLength(12));

  it.each(WRITES)('%s: one event, in the write’s request, with its actor, target, and the target before and after', async (action, w) => {
    const f = await fixture();
    const preset = w.created ? undefined : w.target(f, undefined as never);
    const pathOf = (t: Target) => `/${t.type === 'client' ? 'clients' : 'scopes'}/${t.id}`;
    const before = preset ? await snapshotOf(pathOf(preset)) : null;
    const start = Date.now();
    const [method, path, body] = w.request(f);
    const res = await api(method, path, { body });
    expect(res.status, res.text).toBe(w.ok);
    const target = w.target(f, res);
    const after = await snapshotOf(pathOf(target));
    if (w.created) expect(before).toBeNull();
    if (w.deleted) expect(after).toBeNull();
    expect(before).not.toEqual(after);

    const requestId = requestIdOf(res);
    expect(requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const listed = await api('GET', `/audit-events?targetId=${target.id}`);
    const events = listed.body.data.filter((e: { requestId: string }) => e.requestId === requestId);
    const { jti } = decodeJwt(await getAdminToken());
    expect(events).toEqual([
      {
        id: expect.any(String),
        tenant: 'default',
        at: expect.any(String),
        actor: { sub: 'admin', clientId: 'admin', issuer: 'https://registry.test', jti },
        action,
        target,
        changes: { before, after },
        requestId,
      },
    ]);
    expect(Date.parse(events[0].at)).toBeGreaterThanOrEqual(start);
    expect(Date.parse(events[0].at)).toBeLessThanOrEqual(Date.now());
    expect(await eventRows(requestId)).toBe(1);
    expect(await countRows('audit_events', 'pending = 0')).toBe(await countRows('audit_events')); // no AUDIT_QUEUE bound
  });

  it('records the caller as its token names it: another tenant’s client, without jti', async () => {
    const token = await tenantToken('audit-actor');
    const res = await api('POST', '/clients', { token, body: { name: 'by tester' } });
    const [event] = (await api('GET', `/audit-events?targetId=${res.body.data.id}`, { token })).body.data;
    expect(event.tenant).toBe('audit-actor');
    expect(event.actor).toEqual({ sub: 'tester', clientId: 'tester', issuer: 'https://registry.test', jti: null });
  });

  it('writes the event pending (the outbox) when AUDIT_QUEUE is bound; the write\'s own delivery sends it after the response', async () => {
    const sent: { body: { id: string; requestId: string } }[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const queue = { sendBatch: async (m: typeof sent) => { await held; sent.push(...m); } };
    const ctx = createExecutionContext();
    const res = await createApp().fetch(
      new Request('https://registry.test/clients', {
        method: 'POST',
        headers: { authorization: `Bearer ${await getAdminToken()}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'queued' }),
      }),
      { ...env, AUDIT_QUEUE: queue as unknown as Queue },
      ctx,
    );
    expect(res.status).toBe(201);
    const requestId = res.headers.get('x-request-id');
    const pending = () => env.DB.prepare('SELECT id, pending FROM audit_events WHERE request_id = ?').bind(requestId).all();
    // The answer did not wait for the queue: the event is in the outbox, not yet sent.
    const [row] = (await pending()).results as { id: string; pending: number }[];
    expect({ pending: row!.pending, sent: sent.length }).toEqual({ pending: 1, sent: 0 });
    release();
    await waitOnExecutionContext(ctx);
    expect(sent.map((m) => [m.body.id, m.body.requestId])).toEqual([[row!.id, requestId]]);
    expect((await pending()).results).toEqual([{ id: row!.id, pending: 0 }]);
  });

  it('an update that sets the same values is still recorded: it bumps the version', async () => {
    const { id } = await createClient({ name: 'same' });
    const res = await api('PUT', `/clients/${id}`, { body: { name: 'same' } });
    expect(res.status).toBe(200);
    expect(await eventRows(requestIdOf(res))).toBe(1);
  });
});

describe('a write that changes nothing records nothing', () => {
  async function expectNoEvent(res: ApiResponse, status: number, errorCode?: string) {
    expect(res.status, res.text).toBe(status);
    if (errorCode) expect(res.body.errorCode).toBe(errorCode);
    expect(await eventRows(requestIdOf(res))).toBe(0);
  }

  it('idempotent repeats: attaching an attached scope, detaching a detached one, the same for transient scopes', async () => {
    const f = await fixture();
    await expectNoEvent(await api('PUT', `/clients/${f.client.id}/scopes/${f.linked.id}`), 204);
    await expectNoEvent(await api('DELETE', `/clients/${f.client.id}/scopes/${f.other.id}`), 204);
    await expectNoEvent(await api('PUT', `/scopes/${f.scope.id}/transient/${f.linked.id}`), 204);
    await expectNoEvent(await api('DELETE', `/scopes/${f.scope.id}/transient/${f.other.id}`), 204);
  });

  it('404: the target, the secret or the linked scope is missing', async () => {
    const f = await fixture();
    await expectNoEvent(await api('PUT', '/clients/nope', { body: { name: 'x' } }), 404, 'NOT_FOUND');
    await expectNoEvent(await api('DELETE', '/clients/nope'), 404);
    await expectNoEvent(await api('POST', '/clients/nope/secrets', { body: {} }), 404);
    await expectNoEvent(await api('DELETE', `/clients/${f.client.id}/secrets/nope`), 404);
    await expectNoEvent(await api('PUT', `/clients/${f.client.id}/scopes/nope`), 404);
    await expectNoEvent(await api('DELETE', `/clients/${f.client.id}/scopes/nope`), 404);
    await expectNoEvent(await api('PUT', '/scopes/nope', { body: { label: 'x' } }), 404);
    await expectNoEvent(await api('DELETE', '/scopes/nope'), 404);
    await expectNoEvent(await api('PUT', `/scopes/${f.scope.id}/transient/nope`), 404);
    await expectNoEvent(await api('DELETE', `/scopes/nope/transient/${f.scope.id}`), 404);
  });

  it('412: a stale If-Match on every guarded write', async () => {
    const f = await fixture();
    const headers = { 'if-match': '"999"' };
    const stale: [string, string, unknown?][] = [
      ['PUT', `/clients/${f.client.id}`, { name: 'x' }],
      ['DELETE', `/clients/${f.client.id}/secrets/${f.secret.id}`],
      ['PUT', `/clients/${f.client.id}/scopes/${f.other.id}`],
      ['DELETE', `/clients/${f.client.id}/scopes/${f.linked.id}`],
      ['DELETE', `/clients/${f.client.id}`],
      ['PUT', `/scopes/${f.scope.id}`, { label: 'x:stale' }],
      ['PUT', `/scopes/${f.scope.id}/transient/${f.other.id}`],
      ['DELETE', `/scopes/${f.scope.id}/transient/${f.linked.id}`],
      ['DELETE', `/scopes/${f.scope.id}`],
    ];
    for (const [method, path, body] of stale) await expectNoEvent(await api(method, path, { body, headers }), 412, 'PRECONDITION_FAILED');
  });

  it('403: escalation refused (the client holds auth:introspect, the caller does not)', async () => {
    const f = await fixture();
    const privileged = await createScope('auth:introspect');
    await api('PUT', `/clients/${f.client.id}/scopes/${privileged.id}`);
    const token = await tenantToken('default', 'auth:write');
    const refused: [string, string, unknown?][] = [
      ['PUT', `/clients/${f.client.id}`, { name: 'x' }],
      ['POST', `/clients/${f.client.id}/secrets`, { name: 'x' }],
      ['DELETE', `/clients/${f.client.id}`],
      ['PUT', `/scopes/${f.scope.id}/transient/${privileged.id}`],
      ['PUT', `/scopes/${privileged.id}`, { label: 'renamed:x' }],
    ];
    for (const [method, path, body] of refused) await expectNoEvent(await api(method, path, { body, token }), 403, 'FORBIDDEN');
  });

  it('409: a taken client id or scope label', async () => {
    const f = await fixture();
    const taken = await createScope();
    await expectNoEvent(await api('POST', '/clients', { body: { id: f.client.id, name: 'dup' } }), 409, 'CONFLICT');
    await expectNoEvent(await api('POST', '/scopes', { body: { label: taken.label } }), 409, 'CONFLICT');
    await expectNoEvent(await api('PUT', `/scopes/${f.scope.id}`, { body: { label: taken.label } }), 409, 'CONFLICT');
  });

  it('400: a secret past the cap changes nothing, not even the purge of expired secrets', async () => {
    const { id } = await createClient();
    for (let i = 0; i < 20; i++) await createSecret(id, `live ${i}`);
    // An expired secret, which a successful createSecret would purge.
    const expired = { id: crypto.randomUUID() };
    await env.DB.prepare(
      "INSERT INTO client_secrets (id, tenant_id, client_id, name, last_digits, digest, created_at, expires_at) VALUES (?, 'default', ?, 'expired', 'abcd', 'x', ?, ?)",
    ).bind(expired.id, id, Date.now() - 2000, Date.now() - 1000).run();
    const before = await snapshotOf(`/clients/${id}`);
    await expectNoEvent(await api('POST', `/clients/${id}/secrets`, { body: { name: 'one too many' } }), 400, 'VALIDATION');
    expect(await snapshotOf(`/clients/${id}`)).toEqual(before);
    expect(await countRows('client_secrets', 'id = ?', expired.id)).toBe(1);
  });
});

it('no event, and no page of /audit-events, holds a secret’s clear value or digest', async () => {
  const f = await fixture();
  const second = await createSecret(f.client.id, 'second');
  const clears = [second.clear];
  const digests = (await env.DB.prepare('SELECT digest FROM client_secrets WHERE client_id = ?').bind(f.client.id).all<{ digest: string }>()).results.map((r) => r.digest);
  expect(digests).toHaveLength(2);
  expect(digests).toContain(await digestSecret(second.clear));
  await api('DELETE', `/clients/${f.client.id}/secrets/${second.id}`);
  await api('PUT', `/clients/${f.client.id}`, { body: { name: 'after secrets' } });
  await api('DELETE', `/clients/${f.client.id}`);
  const forbidden = [...clears, ...digests];

  const stored = await env.DB.prepare('SELECT * FROM audit_events').all();
  const texts = [JSON.stringify(stored.results)];
  let next: string | undefined = '/audit-events?pageSize=7';
  while (next) {
    const page: ApiResponse = await api('GET', next);
    texts.push(page.text);
    next = page.body.cursor.next ? `/audit-events?pageSize=7&cursor=${page.body.cursor.next}` : undefined;
  }
  expect(texts.length).toBeGreaterThan(3);
  const events = stored.results.filter((e) => e.target_id === f.client.id);
  expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(['createSecret', 'deleteSecret', 'deleteClient']));
  // The scan works: the events do name the secrets, by id and last digits.
  expect(texts.join('')).toContain(second.lastDigits);
  for (const text of texts) for (const value of forbidden) expect(text).not.toContain(value);
});
