import { z } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';

// `zod` is src/lib/zod-slim.ts in the bundle (wrangler.toml [alias]) and here (vitest.config.ts).
describe('the zod the Worker ships', () => {
  it('is zod without its locales (the alias is in effect)', () => {
    expect('locales' in z).toBe(false);
    expect('core' in z).toBe(false);
    expect(typeof z.string).toBe('function');
  });

  it("still gives zod's English messages", () => {
    const result = z.object({ n: z.number().max(3), s: z.string().min(2) }).safeParse({ n: 5, s: 'x' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message)).toEqual([
      'Too big: expected number to be <=3',
      'Too small: expected string to have >=2 characters',
    ]);
  });

  it('keeps the OpenAPI extension @hono/zod-openapi installs', () => {
    expect(typeof z.string().openapi).toBe('function');
  });
});
