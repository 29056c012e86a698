import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import { createApp } from '../src/app';
import worker from '../src/index';
import { OUTBOX_GRACE_MS } from '../src/maintenance/scheduled';
import { api, getAdminToken } from './helpers';

/** A request through the real app with AUDIT_QUEUE bound to `queue`, its waitUntil work awaited. */
async function withQueue(queue: Queue, method: string, path: string, body?: unknown) {
  const ctx = createExecutionContext();
  const res = await createApp().fetch(
    new Request(`https://registry.test${path}`, {
      method,
      headers: { authorization: `Bearer ${await getAdminToken()}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
    { ...env, AUDIT_QUEUE: queue },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

async function cron(at: number) {
  const ctx = createExecutionContext();
  await (worker as ExportedHandler<Cloudflare.Env>).scheduled!(
    createScheduledController({ cron: '*/10 * * * *', scheduledTime: at }),
    { ...env, AUDIT_QUEUE: env.TEST_AUDIT_QUEUE } as never,
    ctx,
  );
  await waitOnExecutionContext(ctx);
}

const eventOf = async (requestId: string) =>
  (await env.DB.prepare('SELECT id, pending FROM audit_events WHERE request_id = ?').bind(requestId).first<{ id: string; pending: number }>())!;

/** What the consumer received for an event: waits for it to arrive. */
const received = (id: string) =>
  vi.waitUntil(async () => {
    const raw = await env.AUDIT_LOG.get(id);
    return raw === null ? false : (JSON.parse(raw) as { deliveries: number; body: Record<string, unknown> });
  }, { timeout: 5000, interval: 20 });

describe('audit events on AUDIT_QUEUE (the local Queue)', () => {
  it('each write’s event reaches the queue once, as GET /audit-events shows it, and leaves the outbox', async () => {
    const res = await withQueue(env.TEST_AUDIT_QUEUE, 'POST', '/clients', { name: 'queued' });
    expect(res.status).toBe(201);
    const requestId = res.headers.get('x-request-id')!;
    const created = await res.json<{ data: { id: string } }>();
    const { id, pending } = await eventOf(requestId);
    expect(pending).toBe(0);
    const listed = (await api('GET', `/audit-events?targetId=${created.data.id}`)).body.data;
    const message = await received(id);
    expect(message.deliveries).toBe(1);
    expect(message.body).toEqual(listed[0]);
    expect(message.body).toMatchObject({ id, action: 'createClient', requestId });
  });

  it('a failed send leaves the event pending, and the scheduled handler sends it later, once', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const failing = { sendBatch: async () => Promise.reject(new Error('Queue send failed: 503')) } as unknown as Queue;
    let requestId: string;
    try {
      const res = await withQueue(failing, 'POST', '/scopes', { label: `queued:${crypto.randomUUID()}` });
      expect(res.status).toBe(201); // the write committed; only its delivery failed
      requestId = res.headers.get('x-request-id')!;
      expect(errors.mock.calls.flat().join('\n')).toContain('send audit events');
    } finally {
      errors.mockRestore();
    }
    const { id, pending } = await eventOf(requestId);
    expect(pending).toBe(1);
    expect(await env.AUDIT_LOG.get(id)).toBeNull();
    // Within the grace period the sweep leaves it to its request; after it, the sweep sends it.
    await cron(Date.now());
    expect((await eventOf(requestId)).pending).toBe(1);
    await cron(Date.now() + OUTBOX_GRACE_MS + 1000);
    expect((await eventOf(requestId)).pending).toBe(0);
    expect((await received(id)).body).toMatchObject({ id, action: 'createScope', requestId });
    await cron(Date.now() + OUTBOX_GRACE_MS + 2000);
    expect((await received(id)).deliveries).toBe(1);
  });

  it('the events of writes made without a queue are not sent when one is bound later', async () => {
    const res = await api('POST', '/clients', { body: { name: 'unqueued' } });
    const { id, pending } = await eventOf(res.headers.get('x-request-id')!);
    expect(pending).toBe(0);
    await cron(Date.now() + OUTBOX_GRACE_MS + 1000);
    expect(await env.AUDIT_LOG.get(id)).toBeNull();
  });

  it('a backlog of more than a page (150 pending events) is sent once each, and leaves the outbox', async () => {
    const at = Date.now() - 10 * 60_000;
    await env.DB.batch(
      Array.from({ length: 150 }, (_, i) =>
        env.DB.prepare(
          `INSERT INTO audit_events (id, tenant_id, created_at, actor_sub, actor_issuer, action, target_type, target_id, request_id, pending)
           VALUES (?, 'backlog', ?, 'sub', 'https://registry.test', 'updateClient', 'client', 'c', 'r', 1)`,
        ).bind(`backlog-${String(i).padStart(3, '0')}`, at + i),
      ),
    );
    await cron(Date.now());
    await cron(Date.now());
    expect(await env.DB.prepare("SELECT count(*) AS n FROM audit_events WHERE tenant_id = 'backlog' AND pending = 1").first('n')).toBe(0);
    const delivered = await vi.waitUntil(async () => {
      const { keys } = await env.AUDIT_LOG.list({ prefix: 'backlog-' });
      return keys.length === 150 && keys;
    }, { timeout: 5000, interval: 20 });
    const deliveries = await Promise.all(delivered.map(async ({ name }) => JSON.parse((await env.AUDIT_LOG.get(name))!).deliveries));
    expect(new Set(deliveries)).toEqual(new Set([1]));
  });
});
