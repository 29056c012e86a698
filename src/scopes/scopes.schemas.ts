import { z } from '@hono/zod-openapi';
import { MetadataSchema } from '../lib/schemas';

// RFC 6749 §3.3 scope-token: labels end up space-separated in tokens' `scope` claim.
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export const ScopeOptionsSchema = z
  .object({
    label: z
      .string()
      .min(1, 'must not be empty')
      .max(256, 'must be at most 256 characters')
      .regex(SCOPE_TOKEN, 'must be printable ASCII without spaces, quotes or backslashes (RFC 6749 scope-token)'),
    metadata: MetadataSchema.optional(),
  })
  .openapi('ScopeOptions');

export const ScopeSchema = z
  .object({
    id: z.string(),
    label: z.string(),
    metadata: MetadataSchema,
    transient: z.array(z.string()).openapi({ description: 'Ids of the scopes this scope grants too' }),
  })
  .openapi('Scope');

export type ScopeOptions = z.infer<typeof ScopeOptionsSchema>;
export type Scope = z.infer<typeof ScopeSchema>;
