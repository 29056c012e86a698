import type { MiddlewareHandler } from 'hono';
import { createDb } from '../db';
import type { AppEnv } from '../lib/create-router';
import { ApiError } from '../lib/errors';
import { isReadMethod } from './require-scope';

export const BOOKMARK_HEADER = 'x-d1-bookmark';
export const BOOKMARK_PATTERN = /^[A-Za-z0-9_-]{1,256}$/;

/**
 * D1 Sessions API: reads may be served by the nearest replica, at least as
 * fresh as the caller's bookmark; writes go to the primary. Every response
 * returns the session's bookmark, so a caller echoing it reads its own writes.
 */
export const d1Session: MiddlewareHandler<AppEnv> = async (c, next) => {
  const bookmark = c.req.header(BOOKMARK_HEADER);
  if (bookmark !== undefined && !BOOKMARK_PATTERN.test(bookmark)) {
    throw new ApiError('VALIDATION', `${BOOKMARK_HEADER}: must be a bookmark returned by this service`);
  }
  const isRead = isReadMethod(c.req.method);
  const session = c.env.DB.withSession(isRead ? (bookmark ?? 'first-unconstrained') : 'first-primary');
  c.set('db', createDb(session));
  await next();
  const latest = session.getBookmark();
  if (latest) c.header(BOOKMARK_HEADER, latest);
};
