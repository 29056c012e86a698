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
      const field = issue.path.reduce<string>((acc, key) => {
        if (typeof key === 'number') return `${acc}[${key}]`;
        const name = String(key);
        // Keys that are not plain identifiers (metadata keys are free text) are quoted.
        if (!/^[A-Za-z_$][\w$-]*$/.test(name)) return `${acc}[${JSON.stringify(name)}]`;
        return acc ? `${acc}.${name}` : name;
      }, '');
      // A record key's own rule is nested: say it instead of zod's generic "Invalid key in record".
      const message = issue.code === 'invalid_key' && issue.issues[0] ? issue.issues[0].message : issue.message;
      return `${field || targetNames[target] || target}: ${message}`;
    })
    .join('; ');
}
