import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../lib/errors';

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

/**
 * Routes with a JSON body refuse other content types up front; otherwise the
 * validator would see an empty object and report misleading missing fields.
 * An empty JSON body means `{}`: the Formance SDKs send one when a request's
 * options are omitted, and every field left out then gets its rule or default.
 */
export const requireJson: MiddlewareHandler = async (c, next) => {
  const mediaType = (c.req.header('content-type') ?? '').split(';')[0]!.trim();
  if (!JSON_MEDIA_TYPE.test(mediaType)) {
    throw new ApiError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Type must be application/json (got ${mediaType ? JSON.stringify(mediaType.slice(0, 100)) : 'none'})`,
    );
  }
  if ((await c.req.raw.clone().text()).trim() === '') c.req.raw = new Request(c.req.raw, { body: '{}' });
  await next();
};
