import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../lib/create-router';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/**
 * Names every admin request with a fresh UUID: in c.var.requestId (audit
 * events store it) and on the response, errors included, so a caller can
 * quote it and an operator find the event. It is always generated here: an
 * incoming X-Request-Id is ignored, since a caller could otherwise pass one
 * off as another request's in the audit trail. First in the admin chain, so
 * even a 401 or 413 carries it.
 */
export const requestId: MiddlewareHandler<AppEnv> = async (c, next) => {
  const id = crypto.randomUUID();
  c.set('requestId', id);
  await next();
  c.res.headers.set(REQUEST_ID_HEADER, id);
};
