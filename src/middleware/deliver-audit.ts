import type { MiddlewareHandler } from 'hono';
import { deliverRequestEvents } from '../audit/outbox';
import type { AppEnv } from '../lib/create-router';
import { logBackgroundError } from '../lib/errors';
import { isReadMethod } from './require-scope';

/**
 * After a successful write, when AUDIT_QUEUE is bound: sends the request's
 * audit events off the response path (waitUntil). If that fails, they stay
 * pending and the scheduled handler sends them (audit/outbox.ts).
 */
export const deliverAudit: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  const queue = c.env.AUDIT_QUEUE;
  const requestId = c.get('requestId');
  if (!queue || !requestId || isReadMethod(c.req.method) || c.res.status >= 300) return;
  c.executionCtx.waitUntil(
    deliverRequestEvents(c.var.db, queue, requestId).then(
      () => undefined,
      (error) => logBackgroundError('send audit events', error),
    ),
  );
};
