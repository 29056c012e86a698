import { and, eq, lt, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db';
import { auditEvents } from '../db/schema';
import { eventJson, toEvent } from './audit.repository';
import type { AuditEvent } from './audit.schemas';

/**
 * Delivery of audit events to AUDIT_QUEUE, at least once. Every event is
 * written with pending = 1 when the queue is bound (in the write's batch), so
 * the table is the outbox: right after a write commits, its events are sent
 * (off the response path) and marked delivered; whatever that misses (a failed
 * send, an isolate gone before its waitUntil ran) the scheduled handler sends
 * later. A crash between a send and its mark sends the event again: consumers
 * deduplicate by event id.
 */

/** Queues take messages up to 128 KB; an event above this goes without its changes (`truncated`). */
export const MAX_MESSAGE_BYTES = 100 * 1024;
/** sendBatch takes up to 100 messages and 256 KB in all. */
const MESSAGES_PER_SEND = 100;
const BYTES_PER_SEND = 200 * 1024;
/** Events one scheduled run sends at most: OUTBOX_PAGE × OUTBOX_PAGES_PER_RUN. */
export const OUTBOX_PAGE = 100;
export const OUTBOX_PAGES_PER_RUN = 20;

export type AuditMessage = AuditEvent | (Omit<AuditEvent, 'changes'> & { changes: null; truncated: true });

const encoder = new TextEncoder();

/** The message for an event: the event itself, or, too large for a queue, all of it but its changes. */
export function messageOf(event: AuditEvent): { body: AuditMessage; bytes: number } {
  const bytes = encoder.encode(JSON.stringify(event)).length;
  if (bytes <= MAX_MESSAGE_BYTES) return { body: event, bytes };
  const body = { ...event, changes: null, truncated: true as const };
  return { body, bytes: encoder.encode(JSON.stringify(body)).length };
}

async function pendingEvents(db: Database, where: SQL | undefined, limit: number) {
  const rows = await db.all<{ id: string; json: string }>(sql`
    SELECT ${auditEvents.id} AS id, ${eventJson} AS json FROM ${auditEvents}
    WHERE ${and(eq(auditEvents.pending, 1), where)}
    ORDER BY ${auditEvents.createdAt}, ${auditEvents.id} LIMIT ${limit}`);
  return rows.map((row) => ({ id: row.id, event: toEvent(row.json) }));
}

/** Sends the events in as few sendBatch calls as the limits allow, marking each batch delivered once sent. */
async function send(db: Database, queue: Queue, events: { id: string; event: AuditEvent }[]) {
  let batch: { id: string; body: AuditMessage; bytes: number }[] = [];
  const flush = async () => {
    if (!batch.length) return;
    await queue.sendBatch(batch.map(({ body }) => ({ body, contentType: 'json' as const })));
    // One bound parameter for all the ids (D1 allows 100 in a statement; the update adds its own).
    const ids = JSON.stringify(batch.map(({ id }) => id));
    await db.update(auditEvents).set({ pending: 0 }).where(sql`${auditEvents.id} IN (SELECT value FROM json_each(${ids}))`);
    batch = [];
  };
  for (const { id, event } of events) {
    const message = { id, ...messageOf(event) };
    const bytes = batch.reduce((sum, m) => sum + m.bytes, 0);
    if (batch.length === MESSAGES_PER_SEND || bytes + message.bytes > BYTES_PER_SEND) await flush();
    batch.push(message);
  }
  await flush();
  return events.length;
}

/** After a write: sends the events of one request (its X-Request-Id) that are still pending. */
export async function deliverRequestEvents(db: Database, queue: Queue, requestId: string) {
  return send(db, queue, await pendingEvents(db, eq(auditEvents.requestId, requestId), OUTBOX_PAGE));
}

/**
 * The scheduled sweep: pending events written before `writtenBefore` (epoch
 * ms; recent ones are left to their request's own delivery), oldest first,
 * at most OUTBOX_PAGES_PER_RUN pages. Returns how many were sent.
 */
export async function drainOutbox(db: Database, queue: Queue, writtenBefore: number) {
  let sent = 0;
  for (let page = 0; page < OUTBOX_PAGES_PER_RUN; page++) {
    const events = await pendingEvents(db, lt(auditEvents.createdAt, writtenBefore), OUTBOX_PAGE);
    sent += await send(db, queue, events);
    if (events.length < OUTBOX_PAGE) break;
  }
  return sent;
}
