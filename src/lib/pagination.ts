import { z } from '@hono/zod-openapi';
import { sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { decodeCursor, encodeCursor, InvalidCursorError, type CursorPosition, type CursorScope } from './cursor';
import { ApiError } from './errors';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

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

/** Rows were fetched with LIMIT pageSize + 1: the extra row only says there is more. */
export async function toPage<Row extends CursorPosition, T>(
  rows: Row[],
  pageSize: number,
  toItem: (row: Row) => T,
  key: CryptoKey,
  scope: CursorScope,
): Promise<Page<T>> {
  const hasMore = rows.length > pageSize;
  const pageRows = hasMore ? rows.slice(0, pageSize) : rows;
  const last = pageRows[pageRows.length - 1];
  const next = hasMore && last ? await encodeCursor(key, scope, last) : undefined;
  return { data: pageRows.map(toItem), cursor: { pageSize, hasMore, ...(next ? { next } : {}) } };
}

/**
 * One page of a keyset-paginated list: checks the caller's cursor, fetches
 * pageSize + 1 rows after it, and returns the page with its Link header.
 */
export async function readPage<Row extends CursorPosition, T>(
  request: { cursorKey: CryptoKey; scope: CursorScope; url: string; pageSize: number; cursor: string | undefined },
  fetchRows: (page: { limit: number; after?: CursorPosition }) => Promise<Row[]>,
  toItem: (row: Row) => T,
) {
  const { cursorKey, scope, pageSize } = request;
  const after = await readCursor(cursorKey, scope, request.cursor);
  const rows = await fetchRows({ limit: pageSize + 1, after });
  const page = await toPage(rows, pageSize, toItem, cursorKey, scope);
  return { page, headers: nextLink(request.url, page.cursor.next) };
}

/** RFC 8288 Link to the next page: the same request with the new cursor. */
export function nextLink(requestUrl: string, next: string | undefined): Record<string, string> {
  if (!next) return {};
  const url = new URL(requestUrl);
  url.searchParams.set('cursor', next);
  return { Link: `<${url.toString()}>; rel="next"` };
}
