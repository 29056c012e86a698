import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../lib/errors';

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

/**
 * Routes with a JSON body refuse other content types up front; otherwise the
 * validator would see an empty object and report misleading missing fields.
 */
export const requireJson: MiddlewareHandler = async (c, next) => {
  const mediaType = (c.req.header('content-type') ?? '').split(';')[0]!.trim();
  if (!JSON_MEDIA_TYPE.test(mediaType)) {
    throw new ApiError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Type must be application/json (got ${mediaType ? JSON.stringify(mediaType.slice(0, 100)) : 'none'})`,
    );
  }
  await next();
};
