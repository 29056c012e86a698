import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { FILTERED_SCAN_BUDGET as BUDGET } from '../src/lib/pagination';
import { api, apiCountingRoundTrips, expectError } from './helpers';
import { tenantToken } from './tokens';

// A filtered page looks at no more than BUDGET clients after its cursor. These
// tests seed more clients than that, straight into D1 (the API would take
// minutes), and walk filtered lists whose matches sit before, at and beyond
// the budget's edges.

interface Row {
  name: string;
  kind: string;
}

const idOf = (tenant: string, i: number) => `${tenant}-${String(i).padStart(6, '0')}`;

/** n clients, in creation order by index; several share a millisecond, so the id breaks ties. */
async function seed(tenant: string, n: number, row: (i: number) => Row) {
  const perStatement = 20; // 5 bound parameters a row: D1 allows 100 per statement
  const statements = [];
  for (let start = 0; start < n; start += perStatement) {
    const values: unknown[] = [];
    const count = Math.min(perStatement, n - start);
    for (let i = start; i < start + count; i++) {
      const { name, kind } = row(i);
      values.push(idOf(tenant, i), tenant, name, JSON.stringify({ kind, seq: String(i) }), 1_700_000_000_000 + Math.floor(i / 3));
    }
    statements.push(
      env.DB.prepare(`INSERT INTO clients (id, tenant_id, name, metadata, created_at) VALUES ${Array(count).fill('(?, ?, ?, ?, ?)').join(', ')}`).bind(...values),
    );
  }
  for (let i = 0; i < statements.length; i += 50) await env.DB.batch(statements.slice(i, i + 50));
}

/** The position a cursor points at (its payload is base64url JSON; the MAC is checked by the server). */
function cursorPosition(cursor: string) {
  const payload = JSON.parse(atob(cursor.split('.')[0]!.replace(/-/g, '+').replace(/_/g, '/')));
  return { createdAt: payload.c as number, id: payload.i as string };
}

/** Follows cursor.next from `path`, counting D1 round trips per page; gives up after `maxPages`. */
async function walk(path: string, token: string, maxPages = 50) {
  const pages = [];
  let cursor: string | undefined;
  do {
    const res = await apiCountingRoundTrips('GET', cursor ? `${path}&cursor=${encodeURIComponent(cursor)}` : path, { token });
    expect(res.status, res.text).toBe(200);
    pages.push(res);
    cursor = res.body.cursor.next;
    expect(res.body.cursor.hasMore).toBe(cursor !== undefined);
    if (pages.length > maxPages) throw new Error(`still not at the end after ${maxPages} pages`);
  } while (cursor);
  return pages;
}

describe('filtered listClients over more clients than the scan budget', () => {
  // 5 budgets of clients; the matches sit at both sides of the first budget's edge, alone in the
  // middle of the third budget, and at the very end. Two decoys match one filter each.
  const rows = 5 * BUDGET;
  const matches = [3, BUDGET - 1, BUDGET, BUDGET + 1, BUDGET + 2, 2 * BUDGET + 500, 5 * BUDGET - 1];
  const nameOnly = 10;
  const kindOnly = 11;
  const row = (i: number): Row => ({
    name: matches.includes(i) || i === nameOnly ? `rare client ${i}` : `client ${i}`,
    kind: matches.includes(i) || i === kindOnly ? 'rare' : 'common',
  });
  const filters: [string, string, number[]][] = [
    ['metadata', 'metadata[kind]=rare', [...matches, kindOnly]],
    ['name', 'name=rare', [...matches, nameOnly]],
    ['name and metadata', 'name=rare&metadata[kind]=rare', matches],
  ];

  it.each(filters)(
    'filtering by %s walks to exactly the matching clients, one D1 round trip a page, with short and empty pages before the end',
    async (label, query, expected) => {
      const tenant = `walk-${label.replace(/ /g, '-')}`;
      const token = await tenantToken(tenant);
      await seed(tenant, rows, row);
      const pageSize = 2;
      const pages = await walk(`/clients?pageSize=${pageSize}&${query}`, token);

      const ids = pages.flatMap((page) => page.body.data.map((client: { id: string }) => client.id));
      expect(ids).toEqual([...expected].sort((a, b) => a - b).map((i) => idOf(tenant, i)));
      expect(pages.map((page) => page.roundTrips)).toEqual(pages.map(() => 1));
      for (const page of pages) expect(page.body.data.length).toBeLessThanOrEqual(pageSize);

      const beforeEnd = pages.slice(0, -1);
      expect(beforeEnd.every((page) => page.body.cursor.hasMore && page.headers.get('link') !== null)).toBe(true);
      expect(beforeEnd.some((page) => page.body.data.length === 0)).toBe(true); // a budget's worth with no match
      expect(beforeEnd.some((page) => page.body.data.length === 1)).toBe(true); // one with a single match
      const last = pages.at(-1)!;
      expect(last.body.cursor).toEqual({ pageSize, hasMore: false });
      expect(last.headers.get('link')).toBeNull();
    },
  );
});

describe('the scan budget', () => {
  it(`stops the first page after ${BUDGET} clients: a match at the next one waits for the next page`, async () => {
    const tenant = 'budget-edge';
    const token = await tenantToken(tenant);
    // Client BUDGET - 1 is the last one the first page looks at, client BUDGET the first it does not.
    await seed(tenant, 2 * BUDGET, (i) => ({
      name: i === BUDGET - 1 ? 'last looked at' : i === 5 ? 'early match' : `client ${i}`,
      kind: i === BUDGET ? 'beyond' : 'common',
    }));

    const inside = await apiCountingRoundTrips('GET', '/clients?name=last', { token });
    expect(inside.body.data.map((c: { id: string }) => c.id)).toEqual([idOf(tenant, BUDGET - 1)]);
    expect(inside.body.cursor.hasMore).toBe(true);

    // A short page also resumes after the last client looked at: the clients after its match are not scanned again.
    const short = await api('GET', '/clients?name=early', { token });
    expect(short.body.data.map((c: { id: string }) => c.id)).toEqual([idOf(tenant, 5)]);
    expect(cursorPosition(short.body.cursor.next).id).toBe(idOf(tenant, BUDGET - 1));

    const first = await apiCountingRoundTrips('GET', '/clients?metadata[kind]=beyond', { token });
    expect(first.roundTrips).toBe(1);
    expect(first.body.data).toEqual([]);
    expect(first.body.cursor).toEqual({ pageSize: 100, hasMore: true, next: expect.any(String) });
    // The cursor resumes after the last client looked at, not after the last match (there is none).
    expect(cursorPosition(first.body.cursor.next).id).toBe(idOf(tenant, BUDGET - 1));
    expect(first.headers.get('link')).toContain(`cursor=${first.body.cursor.next}`);

    const second = await apiCountingRoundTrips('GET', `/clients?metadata[kind]=beyond&cursor=${first.body.cursor.next}`, { token });
    expect(second.roundTrips).toBe(1);
    expect(second.body.data.map((c: { id: string }) => c.id)).toEqual([idOf(tenant, BUDGET)]);
    expect(second.body.cursor).toEqual({ pageSize: 100, hasMore: false });
  });

  it('a full page before the budget runs out resumes after its last match', async () => {
    const tenant = 'budget-full-page';
    const token = await tenantToken(tenant);
    await seed(tenant, 2 * BUDGET, (i) => ({ name: `client ${i}`, kind: i % 100 === 7 ? 'rare' : 'common' }));
    const first = await api('GET', '/clients?pageSize=3&metadata[kind]=rare', { token });
    expect(first.body.data.map((c: { id: string }) => c.id)).toEqual([7, 107, 207].map((i) => idOf(tenant, i)));
    expect(cursorPosition(first.body.cursor.next).id).toBe(idOf(tenant, 207));
  });

  it('ends without an extra empty page when the scan reaches the last client within the budget', async () => {
    const exactly = 'budget-exactly';
    await seed(exactly, BUDGET, (i) => ({ name: `client ${i}`, kind: 'common' }));
    const only = await api('GET', '/clients?metadata[kind]=rare', { token: await tenantToken(exactly) });
    expect(only.body).toEqual({ data: [], cursor: { pageSize: 100, hasMore: false } });
    expect(only.headers.get('link')).toBeNull();

    const oneMore = 'budget-one-more';
    await seed(oneMore, BUDGET + 1, (i) => ({ name: `client ${i}`, kind: 'common' }));
    const pages = await walk('/clients?metadata[kind]=rare', await tenantToken(oneMore));
    expect(pages.map((page) => page.body.data.length)).toEqual([0, 0]);
  });

  it('keeps the resume cursor bound to its filters and tenant', async () => {
    const tenant = 'budget-cursor';
    const token = await tenantToken(tenant);
    await seed(tenant, BUDGET + 10, (i) => ({ name: `client ${i}`, kind: 'common' }));
    const next = (await api('GET', '/clients?metadata[kind]=rare', { token })).body.cursor.next as string;
    expect(next).toEqual(expect.any(String));
    for (const path of [`/clients?cursor=${next}`, `/clients?metadata[kind]=other&cursor=${next}`, `/clients?name=client&cursor=${next}`]) {
      expect(expectError(await api('GET', path, { token }), 400, 'VALIDATION'), path).toBe(
        'cursor: belongs to another list, tenant or set of filters',
      );
    }
    const elsewhere = await api('GET', `/clients?metadata[kind]=rare&cursor=${next}`, { token: await tenantToken('budget-other') });
    expectError(elsewhere, 400, 'VALIDATION');
  });
});
