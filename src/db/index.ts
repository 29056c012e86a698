import type { SQL } from 'drizzle-orm';
import { drizzle, type DrizzleD1Database } from 'drizzle-orm/d1';
import { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core';

/** `$client`: the D1 database or session underneath, for batches drizzle cannot build (see rawBatch). */
export type Database = DrizzleD1Database & { $client: D1Database };

/** Drizzle over a D1 database or session (drizzle only uses prepare() and batch()). */
export const createDb = (d1: D1Database | D1DatabaseSession): Database => drizzle(d1 as D1Database) as Database;

const dialect = new SQLiteAsyncDialect();

/**
 * Raw SQL statements as one D1 batch (one round trip, one transaction): drizzle
 * batches only its query builders, not `db.all`/`db.run` of raw SQL.
 */
export function rawBatch(db: Database, queries: SQL[]): Promise<D1Result[]> {
  const d1 = db.$client;
  return d1.batch(queries.map((query) => prepareSql(d1, query)));
}

/** A drizzle SQL fragment as a D1 statement, bound. */
export function prepareSql(d1: D1Database, query: SQL): D1PreparedStatement {
  const { sql: text, params } = dialect.sqlToQuery(query);
  return d1.prepare(text).bind(...params);
}
