import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { api, apiCountingRoundTrips, expectError, type ApiResponse } from './helpers';
import { tenantToken } from './tokens';

/** Inserts n clients directly (batched, ≤ 100 bound parameters per statement), with distinct creation times. */
async function seedClients(tenant: string, n: number, name = (i: number) => `client ${i}`, metadata = (_i: number) => ({})) {
  const statements = Array.from({ length: n }, (_, i) =>
    env.DB.prepare('INSERT INTO clients (id, tenant_id, name, metadata, created_at) VALUES (?, ?, ?, ?, ?)').bind(
      `${tenant}-${String(i).padStart(5, '0')}`,
      tenant,
      name(i),
      JSON.stringify(metadata(i)),
      1_700_000_000_000 + Math.floor(i / 3), // several clients share a millisecond: the id breaks ties
    ),
  );
  for (let i = 0; i < statements.length; i += 100) await env.DB.batch(statements.slice(i, i + 100));
}

async function walk(path: string, token: string) {
  const ids: string[] = [];
  const pages: any[] = [];
  let next: string | undefined = path;
  while (next) {
    const res: ApiResponse = await api('GET', next, { token });
    expect(res.status).toBe(200);
    pages.push(res);
    ids.push(...res.body.data.map((c: { id: string }) => c.id));
    const link: string | null = res.headers.get('link');
    const url = link ? new URL(/^<([^>]+)>; rel="next"$/.exec(link)![1]!) : undefined;
    next = url ? url.pathname + url.search : undefined;
  }
  return { ids, pages };
}

describe('listClients pagination', () => {
  it('pages by 100 by default, in creation-then-id order, with cursor and Link', async () => {
    const token = await tenantToken('paging');
    await seedClients('paging', 250);
    const first = await api('GET', '/clients', { token });
    expect(first.body.data).toHaveLength(100);
    expect(first.body.cursor).toEqual({ pageSize: 100, hasMore: true, next: expect.any(String) });
    expect(first.headers.get('link')).toMatch(/^<https:\/\/registry\.test\/clients\?cursor=[^>]+>; rel="next"$/);

    const { ids, pages } = await walk('/clients?pageSize=40', token);
    expect(pages).toHaveLength(7);
    expect(ids).toEqual(Array.from({ length: 250 }, (_, i) => `paging-${String(i).padStart(5, '0')}`));
    const last = pages.at(-1).body;
    expect(last.cursor).toEqual({ pageSize: 40, hasMore: false });
    expect(pages.at(-1).headers.get('link')).toBeNull();
  });

  it('ends a list that fills its last page exactly: that page says hasMore false, with no next and no Link', async () => {
    const token = await tenantToken('exact');
    await seedClients('exact', 20);
    const { ids, pages } = await walk('/clients?pageSize=5', token);
    expect(ids).toEqual(Array.from({ length: 20 }, (_, i) => `exact-${String(i).padStart(5, '0')}`));
    expect(pages.map((p) => [p.body.data.length, p.body.cursor.hasMore, 'next' in p.body.cursor, p.headers.get('link') !== null])).toEqual([
      [5, true, true, true],
      [5, true, true, true],
      [5, true, true, true],
      [5, false, false, false],
    ]);
    const whole = await api('GET', '/clients?pageSize=20', { token });
    expect(whole.body.cursor).toEqual({ pageSize: 20, hasMore: false });
    const oneShort = await api('GET', '/clients?pageSize=19', { token });
    expect(oneShort.body.cursor).toEqual({ pageSize: 19, hasMore: true, next: expect.any(String) });
  });

  it('costs one D1 query per page', async () => {
    const token = await tenantToken('paging-cost');
    await seedClients('paging-cost', 30);
    const first = await apiCountingRoundTrips('GET', '/clients?pageSize=10', { token });
    const second = await apiCountingRoundTrips('GET', `/clients?pageSize=10&cursor=${encodeURIComponent(first.body.cursor.next)}`, { token });
    expect([first.roundTrips, second.roundTrips]).toEqual([1, 1]);
    expect(second.body.data[0].id).toBe('paging-cost-00010');
  });

  it('accepts pageSize from 1 to 1000', async () => {
    const token = await tenantToken('sizes');
    await seedClients('sizes', 3);
    for (const pageSize of [1, 1000]) {
      const res = await api('GET', `/clients?pageSize=${pageSize}`, { token });
      expect({ status: res.status, size: res.body.cursor.pageSize, rows: res.body.data.length }).toEqual({ status: 200, size: pageSize, rows: Math.min(pageSize, 3) });
    }
  });

  it.each([['0'], ['1001'], ['-1'], ['1.5'], ['ten']])('refuses pageSize=%s with 400', async (pageSize) => {
    const res = await api('GET', `/clients?pageSize=${pageSize}`, { token: await tenantToken('x') });
    expect(expectError(res, 400, 'VALIDATION')).toMatch(/^pageSize: /);
  });

  it('refuses tampered, foreign and malformed cursors with 400', async () => {
    const token = await tenantToken('cursors');
    await seedClients('cursors', 5);
    const next = (await api('GET', '/clients?pageSize=2', { token })).body.cursor.next as string;
    const [body, mac] = next.split('.');
    const payload = JSON.parse(atob(body!.replace(/-/g, '+').replace(/_/g, '/')));
    const forged = btoa(JSON.stringify({ ...payload, i: 'cursors-00000' })).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
    const cases = {
      tampered: `/clients?cursor=${forged}.${mac}`,
      garbage: '/clients?cursor=not-a-cursor',
      otherList: `/scopes?cursor=${next}`,
      otherFilters: `/clients?name=client&cursor=${next}`,
    };
    for (const [label, path] of Object.entries(cases)) {
      const res = await api('GET', path, { token });
      expect(res.status, label).toBe(400);
      expect(res.body.errorMessage, label).toMatch(/^cursor: /);
    }
    const otherTenant = await api('GET', `/clients?cursor=${next}`, { token: await tenantToken('someone-else') });
    expect(expectError(otherTenant, 400, 'VALIDATION')).toBe('cursor: belongs to another list, tenant or set of filters');
  });

  it('filters by name prefix and by every metadata[key]=value given, across pages', async () => {
    const token = await tenantToken('filters');
    await seedClients(
      'filters',
      60,
      (i) => (i % 2 ? `billing-${i}` : `Billing-${i}`),
      (i) => ({ team: i % 3 ? 'core' : 'edge', 'odd.key "q"': String(i % 2) }),
    );
    const byName = await walk('/clients?name=billing&pageSize=7', token);
    expect(byName.ids).toHaveLength(30); // case-sensitive: "Billing" does not match
    const edge = await walk('/clients?metadata[team]=edge&pageSize=5', token);
    expect(edge.ids).toHaveLength(20);
    const both = await walk(`/clients?metadata[team]=edge&metadata[${encodeURIComponent('odd.key "q"')}]=1&name=billing`, token);
    expect(both.ids).toEqual(
      Array.from({ length: 60 }, (_, i) => i).filter((i) => i % 3 === 0 && i % 2 === 1).map((i) => `filters-${String(i).padStart(5, '0')}`),
    );
    const none = await api('GET', '/clients?name=%25', { token });
    expect(none.body.data).toEqual([]); // "%" is not a wildcard
  });

  it('filters by a name prefix that starts outside the Basic Multilingual Plane (emoji)', async () => {
    const token = await tenantToken('emoji');
    const names = ['🚀 launch', '🚀🚀 twice', 'plain', '🛰 other'];
    for (const name of names) await api('POST', '/clients', { token, body: { name } });
    const rocket = await api('GET', `/clients?name=${encodeURIComponent('🚀')}`, { token });
    expect(rocket.body.data.map((c: { name: string }) => c.name)).toEqual(['🚀 launch', '🚀🚀 twice']);
    const twice = await api('GET', `/clients?name=${encodeURIComponent('🚀🚀')}`, { token });
    expect(twice.body.data.map((c: { name: string }) => c.name)).toEqual(['🚀🚀 twice']);
  });
});

describe('listScopes pagination', () => {
  it('pages scopes the same way', async () => {
    const token = await tenantToken('scope-pages');
    for (let i = 0; i < 5; i++) await api('POST', '/scopes', { token, body: { label: `s:${i}` } });
    const { ids, pages } = await walk('/scopes?pageSize=2', token);
    expect(ids).toHaveLength(5);
    expect(new Set(ids).size).toBe(5);
    expect(pages.map((p) => p.body.cursor.hasMore)).toEqual([true, true, false]);
    expect(pages[0].body.data.map((s: { label: string }) => s.label)).toEqual(['s:0', 's:1']);
  });
});
