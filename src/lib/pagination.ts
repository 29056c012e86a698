import { z } from '@hono/zod-openapi';
import { sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { decodeCursor, encodeCursor, InvalidCursorError, type CursorPosition, type CursorScope } from './cursor';
import { ApiError } from './errors';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;
/**
 * The most rows one filtered page looks at: a filter that rarely matches must
 * not walk the whole tenant in one request. When the budget runs out before
 * the page fills, the page comes back short (or empty) with hasMore and a
 * cursor at the last row looked at, where the next request resumes the scan.
 */
export const FILTERED_SCAN_BUDGET = 1000;
/**
 * The most JSON one page carries, so no page fails, or fills an isolate's
 * memory, because of what its rows hold: rows are taken while those before
 * them stay under it (the first one always). A page cut short has hasMore and
 * a cursor at its last row.
 */
export const PAGE_BYTE_BUDGET = 1024 * 1024;

/**
 * A page under PAGE_BYTE_BUDGET. `rows` yields the candidate rows in
 * (created_at, id) order as (rid, created_at, id, bytes), `bytes` a cheap
 * estimate of the row's JSON (octet_length reads no overflow page); the rows
 * are kept while the bytes before them stay under the budget, and only those
 * are built into JSON (`json`, `version`: expressions over `table`, joined by
 * rowid). `fetched` says how many candidates there were.
 */
export const withinPageBudget = (rows: SQL, table: SQLiteTable, json: SQL, version: SQL) => sql`
  WITH candidates AS (${rows}),
  measured AS (
    SELECT *, sum(bytes) OVER running - bytes AS bytes_before, count(*) OVER () AS fetched
    FROM candidates WINDOW running AS (ORDER BY created_at, id ROWS UNBOUNDED PRECEDING)
  )
  SELECT ${json} AS json, ${version} AS version, measured.created_at AS created_at, measured.id AS id, measured.fetched AS fetched
  FROM measured JOIN ${table} ON ${table}.rowid = measured.rid
  WHERE measured.bytes_before < ${PAGE_BYTE_BUDGET}
  ORDER BY measured.created_at, measured.id`;

/**
 * An unfiltered page of a list under the byte budget: the rows of `table`
 * matching `where` (the tenant) after the cursor, in (created_at, id) order.
 */
export function budgetedListQuery(
  table: SQLiteTable & KeysetColumns & { version: SQLiteColumn },
  where: SQL,
  page: { limit: number; after?: CursorPosition },
  bytes: SQL,
  json: SQL,
) {
  const after = afterPosition(table, page.after);
  return withinPageBudget(
    sql`SELECT ${table}.rowid AS rid, ${table.createdAt} AS created_at, ${table.id} AS id, ${bytes} AS bytes
      FROM ${table} WHERE ${where}${after ? sql` AND ${after}` : sql``}
      ORDER BY ${table.createdAt}, ${table.id} LIMIT ${page.limit}`,
    table,
    json,
    sql`${table.version}`,
  );
}

/** A row of a filtered scan: a page row (stop 0), or the marker of where the scan stopped (stop 1). */
export type ScannedRow = BudgetedRow & { stop: number };

/**
 * The page of a budgeted filtered scan (withinPageBudget rows plus an optional
 * stop marker): cut short by the byte budget, the next page resumes after its
 * last row; else where the scan stopped, if rows remained beyond it.
 */
export function scannedPage<Row>(rows: ScannedRow[], toRow: (row: BudgetedRow) => Row): BoundedScan<Row> {
  const hits = budgetedPage(
    rows.filter((row) => row.stop === 0),
    toRow,
  );
  if (hits.resumeAfter) return hits;
  const stop = rows.find((row) => row.stop === 1);
  return { rows: hits.rows, ...(stop ? { resumeAfter: { createdAt: stop.created_at, id: stop.id } } : {}) };
}

export interface BudgetedRow {
  json: string;
  version: number;
  created_at: number;
  id: string;
  fetched: number;
}

/** Rows of withinPageBudget as a page: cut short by the budget, the next page resumes after the last. */
export function budgetedPage<Row>(rows: BudgetedRow[], toRow: (row: BudgetedRow) => Row): BoundedScan<Row> {
  const last = rows[rows.length - 1];
  const cut = last !== undefined && rows.length < last.fetched;
  return {
    rows: rows.map(toRow),
    ...(cut ? { resumeAfter: { createdAt: last.created_at, id: last.id } } : {}),
  };
}

export const PageQuerySchema = z.object({
  pageSize: z.coerce
    .number()
    .int('must be a whole number')
    .min(1, `must be from 1 to ${MAX_PAGE_SIZE}`)
    .max(MAX_PAGE_SIZE, `must be from 1 to ${MAX_PAGE_SIZE}`)
    .default(DEFAULT_PAGE_SIZE)
    .openapi({ param: { name: 'pageSize', in: 'query' }, example: 100 }),
  cursor: z
    .string()
    .max(4096)
    .optional()
    .openapi({ param: { name: 'cursor', in: 'query' }, description: 'The `cursor.next` of the previous page' }),
});

export const PageCursorSchema = z
  .object({
    pageSize: z.number().int(),
    hasMore: z.boolean(),
    next: z.string().optional().openapi({ description: 'Pass as `cursor` for the next page; absent on the last page' }),
  })
  .openapi('Cursor');

/** The 200 of a list route: Formance's `data` plus `cursor`, and a Link header to the next page. */
export const pageContent = <T extends z.ZodType>(item: T, name: string, description: string) => ({
  description,
  content: {
    'application/json': { schema: z.object({ data: z.array(item), cursor: PageCursorSchema }).openapi(name) },
  },
  headers: { Link: { description: 'rel="next": the next page, when there is one', schema: { type: 'string' as const } } },
});

export interface KeysetColumns {
  createdAt: SQLiteColumn;
  id: SQLiteColumn;
}

/** Rows after a position in (created_at, id) order: a range on the tenant's creation index. */
export const afterPosition = (columns: KeysetColumns, position: CursorPosition | undefined): SQL | undefined =>
  position && sql`(${columns.createdAt}, ${columns.id}) > (${position.createdAt}, ${position.id})`;

export async function readCursor(key: CryptoKey, scope: CursorScope, cursor: string | undefined) {
  if (cursor === undefined) return undefined;
  try {
    return await decodeCursor(key, scope, cursor);
  } catch (error) {
    if (error instanceof InvalidCursorError || error instanceof SyntaxError) {
      throw new ApiError('VALIDATION', error instanceof InvalidCursorError ? error.message : 'cursor: is not valid');
    }
    throw error;
  }
}

export interface Page<T> {
  data: T[];
  cursor: z.infer<typeof PageCursorSchema>;
}

/** What a scan bounded by FILTERED_SCAN_BUDGET found, and where it stopped if rows remained. */
export interface BoundedScan<Row> {
  rows: Row[];
  /** Set when the budget ran out with rows left to scan: the last position scanned. */
  resumeAfter?: CursorPosition;
}

/**
 * Rows were fetched with LIMIT pageSize + 1: the extra row only says there is
 * more. A bounded scan that ran out of budget before the page filled also has
 * more: the next page resumes after `resumeAfter`, the last row it looked at.
 */
export async function toPage<Row extends CursorPosition, T>(
  rows: Row[],
  pageSize: number,
  toItem: (row: Row) => T,
  key: CryptoKey,
  scope: CursorScope,
  resumeAfter?: CursorPosition,
): Promise<Page<T>> {
  const full = rows.length > pageSize;
  const pageRows = full ? rows.slice(0, pageSize) : rows;
  const position = full ? pageRows[pageRows.length - 1] : resumeAfter;
  const hasMore = full || resumeAfter !== undefined;
  const next = hasMore && position ? await encodeCursor(key, scope, position) : undefined;
  return { data: pageRows.map(toItem), cursor: { pageSize, hasMore, ...(next ? { next } : {}) } };
}

/**
 * One page of a keyset-paginated list: checks the caller's cursor, fetches
 * pageSize + 1 rows after it (or a bounded scan's matches), and returns the
 * page with its Link header.
 */
export async function readPage<Row extends CursorPosition, T>(
  request: { cursorKey: CryptoKey; scope: CursorScope; url: string; pageSize: number; cursor: string | undefined },
  fetchRows: (page: { limit: number; after?: CursorPosition }) => Promise<Row[] | BoundedScan<Row>>,
  toItem: (row: Row) => T,
) {
  const { cursorKey, scope, pageSize } = request;
  const after = await readCursor(cursorKey, scope, request.cursor);
  const fetched = await fetchRows({ limit: pageSize + 1, after });
  const { rows, resumeAfter } = Array.isArray(fetched) ? { rows: fetched, resumeAfter: undefined } : fetched;
  const page = await toPage(rows, pageSize, toItem, cursorKey, scope, resumeAfter);
  return { page, headers: nextLink(request.url, page.cursor.next) };
}

/** RFC 8288 Link to the next page: the same request with the new cursor. */
export function nextLink(requestUrl: string, next: string | undefined): Record<string, string> {
  if (!next) return {};
  const url = new URL(requestUrl);
  url.searchParams.set('cursor', next);
  return { Link: `<${url.toString()}>; rel="next"` };
}
