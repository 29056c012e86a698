import { drizzle, type DrizzleD1Database } from 'drizzle-orm/d1';

export type Database = DrizzleD1Database;

/** Drizzle over a D1 database or session (drizzle only uses prepare() and batch()). */
export const createDb = (d1: D1Database | D1DatabaseSession): Database => drizzle(d1 as D1Database);
