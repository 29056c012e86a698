import { z } from '@hono/zod-openapi';

// "is required" reads better than zod's "expected string, received undefined".
z.config({
  customError: (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined),
});

const targetNames: Record<string, string> = { json: 'body', param: 'path', query: 'query', header: 'header' };

/**
 * "redirectUris[0]: must be an absolute URI; name: is required" — each problem
 * names its field (or "body"/"path" when the whole input is wrong) and the rule.
 */
export function formatValidationError(error: z.ZodError, target: string): string {
  return error.issues
    .slice(0, 10)
    .map((issue) => {
      const field = issue.path.reduce<string>(
        (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
        '',
      );
      return `${field || targetNames[target] || target}: ${issue.message}`;
    })
    .join('; ');
}
