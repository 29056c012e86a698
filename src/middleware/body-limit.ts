import { bodyLimit } from 'hono/body-limit';
import { ApiError } from '../lib/errors';

export const MAX_BODY_BYTES = 64 * 1024;

/** Refuses bodies over 64 KiB, by Content-Length or while streaming, with a 413 JSON error. */
export const limitBody = (maxSize = MAX_BODY_BYTES) =>
  bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError('PAYLOAD_TOO_LARGE', `Request body must be at most ${maxSize} bytes`);
    },
  });
