import { sql } from 'drizzle-orm';
import type { Database } from '../db';

/** Rows one purge statement deletes: each statement stays short, whatever has piled up. */
export const PURGE_BATCH_ROWS = 1000;
/** Statements one scheduled run spends per table: at most PURGE_BATCH_ROWS × this rows go per run. */
export const PURGE_BATCHES_PER_RUN = 20;

/**
 * Deletes the rows of `table` where `expired` holds, PURGE_BATCH_ROWS at a
 * time (by rowid, through the index that serves `expired`), until none are
 * left or PURGE_BATCHES_PER_RUN statements ran. Returns how many went.
 */
export async function purgeInBatches(db: Database, table: 'revoked_tokens' | 'revoked_secrets' | 'revoked_clients' | 'client_assertion_jtis' | 'audit_events', expired: ReturnType<typeof sql>) {
  let purged = 0;
  for (let batch = 0; batch < PURGE_BATCHES_PER_RUN; batch++) {
    const result = await db.run(
      sql`DELETE FROM ${sql.identifier(table)} WHERE rowid IN (SELECT rowid FROM ${sql.identifier(table)} WHERE ${expired} LIMIT ${PURGE_BATCH_ROWS})`,
    );
    const deleted = result.meta.changes ?? 0;
    purged += deleted;
    if (deleted < PURGE_BATCH_ROWS) break;
  }
  return purged;
}

/** Revocation entries outlive their use once the tokens they refuse have expired. */
export async function purgeExpiredRevocations(db: Database, nowSeconds: number) {
  const expired = sql`expires_at < ${nowSeconds}`;
  return {
    tokens: await purgeInBatches(db, 'revoked_tokens', expired),
    secrets: await purgeInBatches(db, 'revoked_secrets', expired),
    clients: await purgeInBatches(db, 'revoked_clients', expired),
    // private_key_jwt replay entries: an expired assertion is refused anyway.
    assertions: await purgeInBatches(db, 'client_assertion_jtis', expired),
  };
}
