import { drizzle, type DrizzleD1Database } from 'drizzle-orm/d1';

export type Database = DrizzleD1Database;

const cache = new WeakMap<D1Database, Database>();

/** One drizzle instance per D1 binding, reused across requests of an isolate. */
export function getDb(binding: D1Database): Database {
  let db = cache.get(binding);
  if (!db) {
    db = drizzle(binding);
    cache.set(binding, db);
  }
  return db;
}
