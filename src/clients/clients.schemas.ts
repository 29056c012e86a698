import { z } from '@hono/zod-openapi';
import { IdSchema, MetadataSchema, RedirectUriListSchema, text } from '../lib/schemas';

export const ClientOptionsSchema = z
  .object({
    name: text().min(1, 'must not be empty').max(256, 'must be at most 256 characters'),
    description: text().max(4096, 'must be at most 4096 characters').optional(),
    redirectUris: RedirectUriListSchema.optional(),
    postLogoutRedirectUris: RedirectUriListSchema.optional(),
    public: z.boolean().optional(),
    trusted: z.boolean().optional(),
    metadata: MetadataSchema.optional(),
  })
  .openapi('ClientOptions');

export const CreateClientRequestSchema = ClientOptionsSchema.extend({
  id: IdSchema.optional().openapi({
    description: 'Import an existing client under this id; a UUID is generated when absent.',
  }),
}).openapi('CreateClientRequest');

export const ClientSecretSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    lastDigits: z.string().openapi({ description: 'The last 4 characters of the clear secret' }),
    metadata: MetadataSchema,
    createdAt: z.string().openapi({ format: 'date-time' }),
    expiresAt: z.string().nullable().openapi({ format: 'date-time', description: 'null: never expires' }),
    lastUsedAt: z
      .string()
      .nullable()
      .openapi({ format: 'date-time', description: 'Last token issued with it, to within about an hour; null: never used' }),
  })
  .openapi('ClientSecret');

export const SecretSchema = ClientSecretSchema.extend({
  clear: z.string().openapi({ description: 'The secret itself. Returned once, here, and never again.' }),
}).openapi('Secret');

export const SecretOptionsSchema = z
  .object({
    // Optional, as in Formance: a secret without a name gets an empty one.
    name: text().max(256, 'must be at most 256 characters').default(''),
    metadata: MetadataSchema.optional(),
    expiresAt: z.iso
      .datetime({ offset: true, message: 'must be an RFC 3339 date-time, e.g. 2030-01-01T00:00:00Z' })
      .refine((value) => Date.parse(value) > Date.now(), 'must be in the future')
      .optional()
      .openapi({ description: 'After this instant the secret no longer authenticates the client' }),
  })
  .openapi('SecretOptions');

export const ClientSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    redirectUris: z.array(z.string()),
    postLogoutRedirectUris: z.array(z.string()),
    public: z.boolean(),
    trusted: z.boolean(),
    metadata: MetadataSchema,
    scopes: z.array(z.string()).openapi({ description: 'Ids of the attached scopes' }),
    secrets: z.array(ClientSecretSchema),
  })
  .openapi('Client');

export type ClientOptions = z.infer<typeof ClientOptionsSchema>;
export type Client = z.infer<typeof ClientSchema>;
export type ClientSecret = z.infer<typeof ClientSecretSchema>;
export type Secret = z.infer<typeof SecretSchema>;
export type SecretOptions = z.infer<typeof SecretOptionsSchema>;
