import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { describe, expect, it, vi } from 'vitest';
import worker from '../src/index';
import { PURGE_BATCH_ROWS, PURGE_BATCHES_PER_RUN } from '../src/maintenance/purge';
import { countRows } from './helpers';

const DAY_MS = 86_400_000;

/** The Cron Trigger, as workerd runs it: the module's scheduled handler at `at` (epoch ms). */
async function runCron(at = Date.now(), overrides: Record<string, unknown> = {}) {
  const ctx = createExecutionContext();
  await (worker as ExportedHandler<Cloudflare.Env>).scheduled!(createScheduledController({ cron: '*/10 * * * *', scheduledTime: at }), { ...env, ...overrides } as never, ctx);
  await waitOnExecutionContext(ctx);
}

/** Inserts rows 25 at a time (100 bound parameters a statement at most), in one batch. */
async function insert(table: string, columns: string[], rows: unknown[][]) {
  const per = Math.floor(100 / columns.length);
  const statements = [];
  for (let i = 0; i < rows.length; i += per) {
    const chunk = rows.slice(i, i + per);
    statements.push(
      env.DB.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${chunk.map(() => `(${columns.map(() => '?').join(', ')})`).join(', ')}`).bind(...chunk.flat()),
    );
  }
  for (let i = 0; i < statements.length; i += 500) await env.DB.batch(statements.slice(i, i + 500));
}

const revoked = (prefix: string, count: number, expiresAt: number) =>
  Array.from({ length: count }, (_, i) => [`${prefix}-${i}`, 't', 'c', expiresAt]);

function event(id: string, createdAt: number) {
  return [id, 'purge-tenant', createdAt, 'sub', 'https://registry.test', 'updateClient', 'client', 'c', 'r', 0];
}
const EVENT_COLUMNS = ['id', 'tenant_id', 'created_at', 'actor_sub', 'actor_issuer', 'action', 'target_type', 'target_id', 'request_id', 'pending'];

describe('the scheduled handler', () => {
  it('purges expired revocation entries and keeps live ones', async () => {
    const now = Math.floor(Date.now() / 1000);
    await insert('revoked_tokens', ['jti', 'tenant_id', 'client_id', 'expires_at'], [...revoked('gone', 3, now - 1), ...revoked('kept', 2, now + 600)]);
    await insert('revoked_secrets', ['secret_id', 'tenant_id', 'client_id', 'expires_at'], [...revoked('gone', 4, now - 1), ...revoked('kept', 1, now + 600)]);
    const clientRows = (prefix: string, count: number, at: number) => revoked(prefix, count, at).map(([id, tenant, , at2]) => [id, tenant, at2]);
    await insert('revoked_clients', ['client_id', 'tenant_id', 'expires_at'], [...clientRows('gone', 2, now - 1), ...clientRows('kept', 3, now + 600)]);
    await runCron();
    expect(await countRows('revoked_tokens', "jti LIKE 'gone-%'")).toBe(0);
    expect(await countRows('revoked_tokens', "jti LIKE 'kept-%'")).toBe(2);
    expect(await countRows('revoked_secrets', "secret_id LIKE 'gone-%'")).toBe(0);
    expect(await countRows('revoked_secrets', "secret_id LIKE 'kept-%'")).toBe(1);
    expect(await countRows('revoked_clients', "client_id LIKE 'gone-%'")).toBe(0);
    expect(await countRows('revoked_clients', "client_id LIKE 'kept-%'")).toBe(3);
  });

  it('purges audit events older than AUDIT_RETENTION_DAYS (default 400), and none when the setting is not a number of days', async () => {
    const now = Date.now();
    await insert('audit_events', EVENT_COLUMNS, [event('old', now - 401 * DAY_MS), event('month', now - 31 * DAY_MS), event('new', now - DAY_MS)]);
    const kept = async () => (await env.DB.prepare("SELECT id FROM audit_events WHERE tenant_id = 'purge-tenant' ORDER BY created_at").all()).results.map((r) => r.id);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      for (const invalid of ['30 days', '0x1', '1e1', '0', '36501']) {
        await runCron(now, { AUDIT_RETENTION_DAYS: invalid });
        expect(await kept(), invalid).toEqual(['old', 'month', 'new']);
      }
      expect(errors.mock.calls.flat().join('\n')).toContain('AUDIT_RETENTION_DAYS must be a whole number of days');
    } finally {
      errors.mockRestore();
    }
    await runCron(now);
    expect(await kept()).toEqual(['month', 'new']);
    await runCron(now, { AUDIT_RETENTION_DAYS: '30' });
    expect(await kept()).toEqual(['new']);
  });

  it(`deletes at most ${PURGE_BATCH_ROWS * PURGE_BATCHES_PER_RUN} rows of a table per run, through the expiry index`, async () => {
    const now = Math.floor(Date.now() / 1000);
    const cap = PURGE_BATCH_ROWS * PURGE_BATCHES_PER_RUN;
    await insert('revoked_tokens', ['jti', 'tenant_id', 'client_id', 'expires_at'], revoked('pile', cap + 7, now - 5));
    await runCron();
    expect(await countRows('revoked_tokens', "jti LIKE 'pile-%'")).toBe(7);
    await runCron();
    expect(await countRows('revoked_tokens', "jti LIKE 'pile-%'")).toBe(0);
    const plan = await drizzle(env.DB).all<{ detail: string }>(
      sql`EXPLAIN QUERY PLAN DELETE FROM revoked_tokens WHERE rowid IN (SELECT rowid FROM revoked_tokens WHERE expires_at < ${now} LIMIT 1000)`,
    );
    expect(plan.map((r) => r.detail).join('\n')).toMatch(/USING (COVERING )?INDEX revoked_tokens_expiry_idx/);
  });
});
