import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { Context } from 'hono';
import type { Database } from '../db';
import { auditEvents } from '../db/schema';
import type { AppEnv } from '../lib/create-router';

/**
 * The audit trail of admin writes: one row of audit_events per write that
 * changed something, written in the write's own D1 batch, so the event exists
 * if and only if the write committed.
 *
 * D1 has no interactive transactions and a batch cannot hand values from one
 * statement to the next, so whether an event is kept is decided in SQL, by
 * comparing two snapshots of the target taken inside the batch:
 *
 *   db.batch([...trail.before, <the write's statements, unchanged>, ...trail.after])
 *
 *   before  INSERT the event with `before` = the snapshot (JSON text, or NULL
 *           when the target does not exist);
 *   after   UPDATE its `after` = the same snapshot, taken again;
 *           DELETE it when `before IS after`: the write changed nothing.
 *
 * Contract for a snapshot (`AuditedWrite.snapshot`): a scalar SQL expression,
 * parenthesized, yielding the target's JSON text or NULL, that
 *   - is deterministic (same rows → same text: order every json_group_array),
 *   - changes whenever the write changes the target: include a version that
 *     every write bumps (clients' and scopes' `version`, triggers included),
 *     or the fields the write sets,
 *   - is scoped to the tenant (never another tenant's row),
 *   - never holds a secret's clear value or digest.
 * So a refused write (404, 409, 412, 403, 400: nothing written) and an
 * idempotent repeat (attaching an attached scope) leave no event: a repeated
 * write that changes nothing is, on purpose, not recorded. changes() is not
 * used: triggers and cascades make it say little about the target.
 *
 * Splice `before` first and `after` last, so the snapshots span the whole
 * batch (createSecret purges expired secrets before it inserts); the batch's
 * results then start with one item of `before`.
 */

export interface AuditActor {
  /** The token's `sub`. */
  sub: string;
  clientId: string | null;
  issuer: string;
  jti: string | null;
}

export interface AuditContext {
  /** The tenant the request acts in (an operator's X-Tenant-Id included). */
  tenantId: string;
  actor: AuditActor;
  /** The request's X-Request-Id. */
  requestId: string;
  /** AUDIT_QUEUE is bound: the event waits in the outbox (pending = 1) until it is sent there. */
  pending: boolean;
}

export interface AuditedWrite {
  /** The route's operationId, e.g. 'updateClient'. */
  action: string;
  /** 'client', 'scope', 'token', ... */
  targetType: string;
  targetId: string;
  /** See the contract above. */
  snapshot: SQL;
}

/** Statements to splice into a write's batch: `before` first, `after` last. */
export function aroundWrite(db: Database, ctx: AuditContext, write: AuditedWrite) {
  const id = crypto.randomUUID();
  const before = [
    db.insert(auditEvents).values({
      id,
      tenantId: ctx.tenantId,
      createdAt: Date.now(),
      actorSub: ctx.actor.sub,
      actorClientId: ctx.actor.clientId,
      actorIssuer: ctx.actor.issuer,
      actorJti: ctx.actor.jti,
      action: write.action,
      targetType: write.targetType,
      targetId: write.targetId,
      requestId: ctx.requestId,
      before: write.snapshot,
      pending: ctx.pending ? 1 : 0,
    }),
  ] as const;
  const after = [
    db.update(auditEvents).set({ after: write.snapshot }).where(eq(auditEvents.id, id)),
    db.delete(auditEvents).where(and(eq(auditEvents.id, id), sql`${auditEvents.before} IS ${auditEvents.after}`)),
  ] as const;
  return { before, after };
}

export type AuditItems = ReturnType<typeof aroundWrite>;

/** The audit context of an admin request: its tenant, the caller's token, its request id. */
export function auditContextOf(c: Context<AppEnv>): AuditContext {
  const { subject, clientId, issuer, jti } = c.var.auth;
  return {
    tenantId: c.var.tenantId,
    actor: { sub: subject, clientId: clientId || null, issuer, jti: jti ?? null },
    requestId: c.var.requestId,
    pending: c.env.AUDIT_QUEUE !== undefined,
  };
}
