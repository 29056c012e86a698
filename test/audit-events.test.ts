import { env } from 'cloudflare:workers';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { describe, expect, it } from 'vitest';
import { auditEventsQuery, type AuditFilters } from '../src/audit/audit.repository';
import { FILTERED_SCAN_BUDGET } from '../src/lib/pagination';
import { api, apiCountingRoundTrips, type ApiResponse, expectError } from './helpers';
import { tenantToken } from './tokens';

const T0 = 1_800_000_000_000;

interface Seeded {
  id: string;
  at: number;
  target: string;
  actor: string;
  action: string;
}

/** n events inserted directly, several per millisecond (the id breaks ties), cycling targets, actors and actions. */
async function seedEvents(tenant: string, n: number, shape = (i: number) => ({ target: `t${i % 5}`, actor: `a${i % 3}`, action: i % 2 ? 'updateClient' : 'createScope' })) {
  const seeded: Seeded[] = [];
  const statements = Array.from({ length: n }, (_, i) => {
    const e = { id: `${tenant}-${String(i).padStart(5, '0')}`, at: T0 + Math.floor(i / 3), ...shape(i) };
    seeded.push(e);
    return env.DB.prepare(
      `INSERT INTO audit_events (id, tenant_id, created_at, actor_sub, actor_issuer, action, target_type, target_id, request_id, "before", "after")
       VALUES (?, ?, ?, ?, 'https://issuer.test', ?, 'client', ?, ?, NULL, '{"version":1}')`,
    ).bind(e.id, tenant, e.at, e.actor, e.action, e.target, `req-${i}`);
  });
  for (let i = 0; i < statements.length; i += 100) await env.DB.batch(statements.slice(i, i + 100));
  return seeded;
}

/** Follows `next` to the end; returns the event ids and the pages. */
async function walk(query: string, token: string, headers: Record<string, string> = {}) {
  const ids: string[] = [];
  const pages: ApiResponse[] = [];
  let cursor: string | undefined;
  do {
    const res: ApiResponse = await api('GET', `/audit-events?${query}${cursor ? `&cursor=${cursor}` : ''}`, { token, headers });
    expect(res.status, res.text).toBe(200);
    pages.push(res);
    ids.push(...res.body.data.map((e: { id: string }) => e.id));
    cursor = res.body.cursor.next;
  } while (cursor);
  return { ids, pages };
}

const iso = (ms: number) => new Date(ms).toISOString();

describe('GET /audit-events', () => {
  it('pages in (time, id) order with signed cursors and Link, every event once, the event JSON complete', async () => {
    const token = await tenantToken('audit-pages');
    const seeded = await seedEvents('audit-pages', 95);
    const first = await api('GET', '/audit-events?pageSize=10', { token });
    expect(first.headers.get('link')).toMatch(/^<https:\/\/registry\.test\/audit-events\?pageSize=10&cursor=[^>]+>; rel="next"$/);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.body.data[0]).toEqual({
      id: 'audit-pages-00000',
      tenant: 'audit-pages',
      at: iso(T0),
      actor: { sub: 'a0', clientId: null, issuer: 'https://issuer.test', jti: null },
      action: 'createScope',
      target: { type: 'client', id: 't0' },
      changes: { before: null, after: { version: 1 } },
      requestId: 'req-0',
    });
    const { ids, pages } = await walk('pageSize=10', token);
    expect(ids).toEqual(seeded.map((e) => e.id));
    expect(pages).toHaveLength(10);
    expect(pages.at(-1)!.body.cursor).toEqual({ pageSize: 10, hasMore: false });
  });

  it.each<[string, string, (e: Seeded) => boolean]>([
    ['targetId', 'targetId=t2', (e) => e.target === 't2'],
    ['actorId', 'actorId=a1', (e) => e.actor === 'a1'],
    ['action', 'action=updateClient', (e) => e.action === 'updateClient'],
    ['since (inclusive)', `since=${iso(T0 + 10)}`, (e) => e.at >= T0 + 10],
    ['until (exclusive)', `until=${iso(T0 + 10)}`, (e) => e.at < T0 + 10],
    ['since and until, with an offset', `since=${encodeURIComponent('2027-01-15T10:00:00.005+02:00')}&until=${iso(T0 + 20)}`, (e) => e.at >= T0 + 5 && e.at < T0 + 20],
    ['every filter at once', `targetId=t1&actorId=a0&action=updateClient&since=${iso(T0 + 3)}&until=${iso(T0 + 90)}`, (e) => e.target === 't1' && e.actor === 'a0' && e.action === 'updateClient' && e.at >= T0 + 3 && e.at < T0 + 90],
    ['actorId and action', 'actorId=a2&action=createScope', (e) => e.actor === 'a2' && e.action === 'createScope'],
  ])('filters by %s, across pages', async (_name, query, keep) => {
    expect(iso(T0 + 5)).toBe('2027-01-15T08:00:00.005Z'); // the offset case above names this instant
    const tenant = `audit-f-${crypto.randomUUID().slice(0, 8)}`;
    const seeded = await seedEvents(tenant, 120);
    const expected = seeded.filter(keep).map((e) => e.id);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(seeded.length);
    expect((await walk(`pageSize=4&${query}`, await tenantToken(tenant))).ids).toEqual(expected);
  });

  it('binds the cursor to the tenant and the filters', async () => {
    const token = await tenantToken('audit-bound');
    await seedEvents('audit-bound', 30);
    const { next } = (await api('GET', '/audit-events?pageSize=2&actorId=a1', { token })).body.cursor;
    expect((await api('GET', `/audit-events?pageSize=2&actorId=a1&cursor=${next}`, { token })).status).toBe(200);
    for (const other of ['actorId=a2', '', 'actorId=a1&action=createScope', `actorId=a1&since=${iso(T0)}`]) {
      const res = await api('GET', `/audit-events?pageSize=2&${other}&cursor=${next}`, { token });
      expect(expectError(res, 400, 'VALIDATION'), other).toBe('cursor: belongs to another list, tenant or set of filters');
    }
    // Another list's cursor, and this one in another tenant.
    await api('POST', '/clients', { token, body: { name: 'one' } });
    await api('POST', '/clients', { token, body: { name: 'two' } });
    const clientsNext = (await api('GET', '/clients?pageSize=1', { token })).body.cursor.next;
    expectError(await api('GET', `/audit-events?cursor=${clientsNext}`, { token }), 400, 'VALIDATION');
    const otherTenant = await tenantToken('audit-bound-2');
    expectError(await api('GET', `/audit-events?pageSize=2&actorId=a1&cursor=${next}`, { token: otherTenant }), 400, 'VALIDATION');
  });

  it('shows a tenant only its own events; an operator sees another tenant’s with X-Tenant-Id', async () => {
    const a = await tenantToken('audit-iso-a');
    const b = await tenantToken('audit-iso-b');
    const created = (await api('POST', '/clients', { token: a, body: { name: 'in a' } })).body.data;
    await api('POST', '/clients', { token: b, body: { name: 'in b' } });
    const seenByA = (await api('GET', '/audit-events', { token: a })).body.data;
    expect(seenByA.map((e: { target: { id: string } }) => e.target.id)).toEqual([created.id]);
    expect(seenByA[0].tenant).toBe('audit-iso-a');
    expect((await api('GET', `/audit-events?targetId=${created.id}`, { token: b })).body.data).toEqual([]);
    const asOperator = await api('GET', '/audit-events', { headers: { 'X-Tenant-Id': 'audit-iso-a' } });
    expect(asOperator.body.data).toEqual(seenByA);
    expectError(await api('GET', '/audit-events', { token: b, headers: { 'X-Tenant-Id': 'audit-iso-a' } }), 403, 'FORBIDDEN');
  });

  it('needs auth:read or auth:write, answers under /api/auth, and is read-only', async () => {
    expect((await api('GET', '/audit-events', { token: await tenantToken('audit-auth', 'auth:read') })).status).toBe(200);
    expectError(await api('GET', '/audit-events', { token: await tenantToken('audit-auth', 'other:scope') }), 403, 'FORBIDDEN');
    expectError(await api('GET', '/audit-events', { token: null }), 401, 'UNAUTHORIZED');
    expect((await api('GET', '/api/auth/audit-events')).status).toBe(200);
    // A path that exists, with a method it does not take: 405 naming the ones it does (RFC 9110 §15.5.6).
    const post = await api('POST', '/audit-events', { body: {} });
    expectError(post, 405, 'METHOD_NOT_ALLOWED');
    expect(post.headers.get('Allow')).toBe('GET, HEAD');
  });

  it('names the field and the rule of an invalid query', async () => {
    const token = await tenantToken('audit-validation');
    const message = async (query: string) => expectError(await api('GET', `/audit-events?${query}`, { token }), 400, 'VALIDATION');
    expect(await message('since=yesterday')).toBe('since: must be an RFC 3339 date-time, e.g. 2030-01-01T00:00:00Z');
    expect(await message('until=2030-01-01')).toBe('until: must be an RFC 3339 date-time, e.g. 2030-01-01T00:00:00Z');
    expect(await message(`since=${iso(T0)}&until=${iso(T0)}`)).toBe('until: must be after since');
    expect(await message('action=drop%20table')).toBe('action: must be an operation id, e.g. updateClient');
    expect(await message('targetId=')).toBe('targetId: must not be empty');
    expect(await message(`actorId=${'x'.repeat(257)}`)).toBe('actorId: must be at most 256 characters');
    expect(await message('pageSize=0')).toBe('pageSize: must be from 1 to 1000');
  });
});

describe('the cost of a page', () => {
  it('is one D1 query', async () => {
    for (const query of ['', '?targetId=x', '?actorId=a&action=updateClient&since=2020-01-01T00:00:00Z']) {
      const res = await apiCountingRoundTrips('GET', `/audit-events${query}`);
      expect(res.status).toBe(200);
      expect(res.roundTrips, query).toBe(1);
    }
  });

  it('reads one index range, the most selective filter’s, with since, until and the cursor in it: never a scan of the table', async () => {
    const db = drizzle(env.DB);
    const planOf = async (filters: AuditFilters, after?: { createdAt: number; id: string }) =>
      (await db.all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${auditEventsQuery('t', { limit: 11, after, filters })}`)).map((r) => r.detail);
    const cases: [AuditFilters, index: string, key: string][] = [
      [{}, 'tenant', ''],
      [{ since: 1, until: 9 }, 'tenant', ''],
      [{ targetId: 'x', actorId: 'a', action: 'b' }, 'target', ' AND target_id=?'],
      [{ actorId: 'a', action: 'b', until: 9 }, 'actor', ' AND actor_sub=?'],
      [{ action: 'b', since: 1 }, 'action', ' AND action=?'],
      [{ action: 'b', since: 7 }, 'action', ' AND action=?'],
    ];
    for (const [filters, index, key] of cases) {
      for (const after of [undefined, { createdAt: 5, id: 'z' }]) {
        const plan = await planOf(filters, after);
        const search = plan.filter((d) => / audit_events /.test(` ${d} `) && !d.includes('INTEGER PRIMARY KEY'));
        expect(search, JSON.stringify(plan)).toHaveLength(1);
        // One lower bound, the later of the cursor and since; the upper bound, until.
        const cursorWins = after !== undefined && (filters.since === undefined || after.createdAt >= filters.since);
        const lower = cursorWins ? ' AND (created_at,id)>(?,?)' : filters.since !== undefined ? ' AND created_at>?' : '';
        const upper = filters.until !== undefined ? ' AND created_at<?' : '';
        expect(search[0]).toBe(`SEARCH audit_events USING COVERING INDEX audit_events_${index}_idx (tenant_id=?${key}${lower}${upper})`);
        expect(plan.filter((d) => /^SCAN audit_events\b/.test(d))).toEqual([]);
      }
    }
  });

  it('with a filter its index does not serve, looks at no more than the scan budget: a short page, then the rest', async () => {
    const tenant = 'audit-budget';
    const n = FILTERED_SCAN_BUDGET + 200;
    // Every event by actor a0, and one in ten updateClient: actorId picks the index, action is tested on the rows.
    await seedEvents(tenant, n, (i) => ({ target: `t${i}`, actor: 'a0', action: i % 10 === 9 ? 'updateClient' : 'createScope' }));
    const token = await tenantToken(tenant);
    const first = await api('GET', '/audit-events?pageSize=1000&actorId=a0&action=updateClient', { token });
    expect(first.body.data).toHaveLength(FILTERED_SCAN_BUDGET / 10);
    expect(first.body.cursor.hasMore).toBe(true);
    const { ids } = await walk('pageSize=1000&actorId=a0&action=updateClient', token);
    expect(ids).toHaveLength(n / 10);
    // With no filter left over, a page is just the next pageSize events of the index.
    expect((await api('GET', '/audit-events?pageSize=1000&actorId=a0', { token })).body.data).toHaveLength(1000);
  });
});
