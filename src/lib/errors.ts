import { DrizzleQueryError } from 'drizzle-orm/errors';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';

/** Every error the API can answer, with its HTTP status. */
export const errorStatus = {
  VALIDATION: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INTERNAL: 500,
  TOO_MANY_REQUESTS: 429,
  SERVICE_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export const ERROR_CODES = Object.keys(errorStatus) as [ErrorCode, ...ErrorCode[]];

export interface ErrorBody {
  errorCode: ErrorCode;
  errorMessage: string;
}

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get status() {
    return errorStatus[this.code];
  }
}

export const notFound = (kind: string, id: string) => new ApiError('NOT_FOUND', `${kind} "${id}" not found`);

// For Hono's own HTTPExceptions (malformed JSON, body limit). Never 500: its message may be internal.
const codeForHttpStatus = new Map<number, ErrorCode>(
  (Object.entries(errorStatus) as [ErrorCode, number][])
    .filter(([, status]) => status !== 500)
    .map(([code, status]) => [status, code]),
);

export function errorJson(c: Context, code: ErrorCode, message: string, headers: Record<string, string> = {}) {
  const body: ErrorBody = { errorCode: code, errorMessage: message };
  return c.json(body, errorStatus[code], headers);
}

// D1 errors its documentation calls transient: the same request may succeed if retried.
const RETRYABLE_D1_ERROR =
  /Network connection lost|object to be reset|reset because its code was updated|transient issue|overloaded|exceeded its memory limit/i;

const rootCause = (err: Error): Error => (err.cause instanceof Error ? rootCause(err.cause) : err);

export const isRetryableD1Error = (err: Error) => RETRYABLE_D1_ERROR.test(rootCause(err).message);

/**
 * What goes to the log. Never drizzle's own message: it lists the bound
 * parameters, and those include secret digests.
 */
function loggable(err: Error) {
  const cause = rootCause(err);
  return {
    error: `${cause.name}: ${cause.message}`,
    ...(err instanceof DrizzleQueryError ? { query: err.query } : {}),
    stack: cause.stack?.split('\n').slice(1, 6).join('\n'),
  };
}

/** Logs a failure of background work (waitUntil), which has no response to carry it. */
export function logBackgroundError(task: string, err: unknown) {
  const error = err instanceof Error ? err : new Error(String(err));
  console.error(JSON.stringify({ level: 'error', msg: 'background task failed', task, ...loggable(error) }));
}

/** Logs an unexpected failure of a request (never its bound parameters) and says whether a retry may help. */
export function toInternalError(c: Context, err: Error) {
  const retryable = isRetryableD1Error(err);
  console.error(
    // requestId: the X-Request-Id the caller got (admin routes), to find this line from a report.
    JSON.stringify({ level: 'error', msg: 'request failed', method: c.req.method, path: c.req.path, requestId: c.get('requestId'), retryable, ...loggable(err) }),
  );
  return { retryable };
}

/**
 * The app's single onError: known errors keep their code and message; anything
 * else is logged and becomes a generic 500 (or 503 with Retry-After for a
 * transient D1 error) that says nothing about internals.
 */
export function handleError(err: Error, c: Context) {
  // An ApiError thrown under a drizzle query (the token check of a statement) arrives wrapped.
  if (err instanceof DrizzleQueryError && err.cause instanceof ApiError) err = err.cause;
  if (err instanceof ApiError) return errorJson(c, err.code, err.message, err.headers);
  if (err instanceof HTTPException) {
    const code = codeForHttpStatus.get(err.status);
    if (code) return errorJson(c, code, err.message || code);
  }
  const { retryable } = toInternalError(c, err);
  if (retryable) {
    return errorJson(c, 'SERVICE_UNAVAILABLE', 'The database is temporarily unavailable; retry shortly.', { 'Retry-After': '1' });
  }
  return errorJson(c, 'INTERNAL', 'An internal error occurred.');
}
