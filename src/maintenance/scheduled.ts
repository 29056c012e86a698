import { sql } from 'drizzle-orm';
import { drainOutbox } from '../audit/outbox';
import { createDb } from '../db';
import type { AppBindings } from '../lib/create-router';
import { logBackgroundError } from '../lib/errors';
import { purgeExpiredRevocations, purgeInBatches } from './purge';

export const DEFAULT_AUDIT_RETENTION_DAYS = 400;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Events younger than this are left to their own request's delivery (see audit/outbox.ts). */
export const OUTBOX_GRACE_MS = 60 * 1000;

/** AUDIT_RETENTION_DAYS as a whole number of days from 1 to 36,500; null (purge nothing) when it is not one. */
export function retentionDaysOf(env: Pick<AppBindings, 'AUDIT_RETENTION_DAYS'>): number | null {
  const raw = env.AUDIT_RETENTION_DAYS;
  if (raw === undefined || raw === '') return DEFAULT_AUDIT_RETENTION_DAYS;
  // Decimal digits only: Number() would also take "0x1f", "1e3" or " 7 ".
  const days = /^[0-9]{1,5}$/.test(raw) ? Number(raw) : NaN;
  return days >= 1 && days <= 36_500 ? days : null;
}

export interface MaintenanceReport {
  revokedTokensPurged: number;
  revokedSecretsPurged: number;
  revokedClientsPurged: number;
  auditEventsPurged: number;
  auditEventsSent: number;
}

/**
 * The Cron Trigger's work, each part bounded (see purge.ts and outbox.ts) and
 * independent: one failing does not keep the others from running. Expired
 * revocation entries go; audit events older than AUDIT_RETENTION_DAYS go
 * (none when the setting is invalid: a typo must not erase the trail); the
 * outbox is drained to AUDIT_QUEUE when it is bound.
 */
export async function runMaintenance(env: AppBindings, now: number): Promise<MaintenanceReport> {
  const db = createDb(env.DB);
  const report: MaintenanceReport = { revokedTokensPurged: 0, revokedSecretsPurged: 0, revokedClientsPurged: 0, auditEventsPurged: 0, auditEventsSent: 0 };
  const step = async (task: string, run: () => Promise<void>) => {
    try {
      await run();
    } catch (error) {
      logBackgroundError(task, error);
    }
  };
  await step('purge revocations', async () => {
    const purged = await purgeExpiredRevocations(db, Math.floor(now / 1000));
    report.revokedTokensPurged = purged.tokens;
    report.revokedSecretsPurged = purged.secrets;
    report.revokedClientsPurged = purged.clients;
  });
  await step('purge audit events', async () => {
    const days = retentionDaysOf(env);
    if (days === null) throw new Error('AUDIT_RETENTION_DAYS must be a whole number of days from 1 to 36500: no event was purged');
    report.auditEventsPurged = await purgeInBatches(db, 'audit_events', sql`created_at < ${now - days * DAY_MS}`);
  });
  const queue = env.AUDIT_QUEUE;
  if (queue) {
    await step('send audit events', async () => {
      report.auditEventsSent = await drainOutbox(db, queue, now - OUTBOX_GRACE_MS);
    });
  }
  console.log(JSON.stringify({ level: 'info', msg: 'maintenance', ...report }));
  return report;
}
