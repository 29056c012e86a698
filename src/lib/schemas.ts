import { z } from '@hono/zod-openapi';
import { ERROR_CODES } from './errors';
import { redirectUriProblem } from './redirect-uri';

export const MAX_METADATA_KEYS = 64;
/** The whole metadata of one object, as JSON text. */
export const MAX_METADATA_BYTES = 8 * 1024;

const jsonBytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).byteLength;

/**
 * A string of well-formed Unicode. JSON can carry lone surrogates ("\ud800"),
 * which SQLite would store mangled: refusing them keeps "reads back as sent" true.
 */
export const text = () => z.string().refine((s) => s.isWellFormed(), 'must be well-formed Unicode (no lone surrogates)');

const RESERVED_KEY = '__proto__';

const MetadataRecordSchema = z
  .record(
    text().min(1, 'keys must not be empty').max(256, 'keys must be at most 256 characters'),
    text().max(4096, 'values must be at most 4096 characters'),
  )
  .refine((m) => Object.keys(m).length <= MAX_METADATA_KEYS, `must have at most ${MAX_METADATA_KEYS} keys`)
  .refine((m) => jsonBytes(m) <= MAX_METADATA_BYTES, `must be at most ${MAX_METADATA_BYTES} bytes in total, as JSON`);

// JSON.parse keeps a "__proto__" key that a plain object cannot hold: zod would
// drop it silently, so it is refused before the record is built.
export const MetadataSchema = z
  .preprocess((value, ctx) => {
    if (value !== null && typeof value === 'object' && Object.hasOwn(value, RESERVED_KEY)) {
      ctx.issues.push({ code: 'custom', message: `key "${RESERVED_KEY}" is reserved`, path: [RESERVED_KEY], input: value });
    }
    return value;
  }, MetadataRecordSchema)
  .openapi('Metadata', {
    description: `String key/value pairs: at most ${MAX_METADATA_KEYS} keys, keys of 1-256 characters, values of at most 4096, and ${MAX_METADATA_BYTES} bytes in total as JSON.`,
    maxProperties: MAX_METADATA_KEYS,
    // OpenAPI 3.1 (JSON Schema 2020-12) keyword, missing from the library's 3.0 typings.
    ...({ propertyNames: { minLength: 1, maxLength: 256, not: { const: RESERVED_KEY } } } as object),
    example: { team: 'payments' },
  });

/**
 * Ids callers may choose (imported clients) and path parameters: RFC 3986 unreserved characters,
 * but never "." or "..": as a path segment, URL parsers (browsers, fetch, curl) resolve those away
 * (RFC 3986 §5.2.4), so such a client could be created, listed and used, yet never read, updated
 * or deleted. Written without a lookahead so that every JSON Schema tool can generate from it.
 */
export const ID_PATTERN = /^(?:[A-Za-z0-9_~-]|[A-Za-z0-9_~-][A-Za-z0-9._~-]|\.[A-Za-z0-9_~-]|[A-Za-z0-9._~-]{3,128})$/;
export const ID_RULE = 'must be 1-128 characters of A-Z a-z 0-9 . _ ~ -, and not "." or ".."';

export const IdSchema = z.string().regex(ID_PATTERN, ID_RULE);

export const RedirectUriSchema = text()
  .max(2048, 'must be at most 2048 characters')
  .superRefine((value, ctx) => {
    const problem = redirectUriProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const RedirectUriListSchema = z.array(RedirectUriSchema).max(100, 'must hold at most 100 URIs');

export const ErrorSchema = z
  .object({ errorCode: z.enum(ERROR_CODES), errorMessage: z.string() })
  .openapi('Error');

const errorDescriptions = {
  400: 'Invalid request: the message names the field and the rule',
  401: 'Missing or invalid bearer token',
  403: 'The token lacks the required scope',
  404: 'Not found',
  409: 'Conflict',
  412: 'If-Match does not match the current ETag; nothing was changed',
  429: 'Too many requests',
  413: 'Body larger than 64 KiB',
  415: 'Content-Type is not application/json',
  500: 'Internal error',
} as const;

type ErrorStatus = keyof typeof errorDescriptions;

/** OpenAPI error responses for a route; 400, 401, 403 and 500 apply to every admin route. */
export function errorResponses<S extends ErrorStatus>(...statuses: S[]) {
  const all = [...new Set<ErrorStatus>([400, 401, 403, 500, ...statuses])];
  return Object.fromEntries(
    all.map((status) => [
      status,
      { description: errorDescriptions[status], content: { 'application/json': { schema: ErrorSchema } } },
    ]),
  ) as Record<ErrorStatus, { description: string; content: { 'application/json': { schema: typeof ErrorSchema } } }>;
}

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const etagHeader = { ETag: { description: 'The version of the object, for If-Match', schema: { type: 'string' as const } } };

/** A response carrying one versioned object, with its ETag. */
export const versionedContent = <T extends z.ZodType>(schema: T, description: string) => ({
  ...jsonContent(schema, description),
  headers: etagHeader,
});

// Documentation only: handlers read the header themselves (preconditionOf).
export const IfMatchHeaderSchema = z.object({
  'If-Match': z
    .string()
    .optional()
    .openapi({
      param: { name: 'If-Match', in: 'header' },
      description: 'Apply only if the object (or for a link or secret, its parent) still has this ETag; else 412. At most 16 entity tags',
    }),
});

/**
 * OpenAPI links (stateful testing, generated clients): each named operation takes the given
 * parameters from this response or its request, e.g. `{ clientId: '$response.body#/data/id' }`.
 */
export const linksTo = (parameters: Record<string, string>, operationIds: string[]) =>
  Object.fromEntries(operationIds.map((operationId) => [operationId, { operationId, parameters }]));

export const envelope = <T extends z.ZodType>(schema: T) => z.object({ data: schema });
