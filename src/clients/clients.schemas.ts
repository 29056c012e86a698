import { z } from '@hono/zod-openapi';
import { IdSchema, MetadataSchema, RedirectUriListSchema, text } from '../lib/schemas';
import { authOptionsProblems, JwksSchema, JwksUriSchema, TOKEN_ENDPOINT_AUTH_METHODS, type AuthOptions } from './client-keys';

const AUTH_OPTIONS_NOTE =
  'Not in Formance. When a body has none of tokenEndpointAuthMethod, jwks and jwksUri, the three are left as they are; ' +
  'when it has any of them, the three are set together (one left out goes back to its default).';

const authOptionsFields = {
  tokenEndpointAuthMethod: z.enum(TOKEN_ENDPOINT_AUTH_METHODS).optional().openapi({
    description:
      'How the client authenticates at /oauth/token. client_secret_basic (the default) also accepts client_secret_post; ' +
      'private_key_jwt (RFC 7523) needs jwks or jwksUri, and then its secrets do not authenticate it. ' +
      AUTH_OPTIONS_NOTE,
  }),
  jwks: JwksSchema.nullable().optional(),
  jwksUri: JwksUriSchema.nullable().optional(),
};

/** Exactly one of jwks and jwksUri for private_key_jwt, neither otherwise (each problem names its field). */
const checkAuthOptions = (options: AuthOptions, ctx: z.RefinementCtx) => {
  for (const { member, message } of authOptionsProblems(options)) ctx.addIssue({ code: 'custom', path: member ? [member] : [], message });
};

const ClientOptionsFields = z.object({
    name: text().min(1, 'must not be empty').max(256, 'must be at most 256 characters'),
    description: text().max(4096, 'must be at most 4096 characters').optional(),
    redirectUris: RedirectUriListSchema.optional(),
    postLogoutRedirectUris: RedirectUriListSchema.optional(),
    public: z.boolean().optional(),
    trusted: z.boolean().optional(),
    metadata: MetadataSchema.optional(),
    ...authOptionsFields,
});

export const ClientOptionsSchema = ClientOptionsFields.superRefine(checkAuthOptions).openapi('ClientOptions');

export const CreateClientRequestSchema = ClientOptionsFields.extend({
  id: IdSchema.optional().openapi({
    description: 'Import an existing client under this id; a UUID is generated when absent.',
  }),
})
  .superRefine(checkAuthOptions)
  .openapi('CreateClientRequest');

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
    tokenEndpointAuthMethod: z.enum(TOKEN_ENDPOINT_AUTH_METHODS).openapi({ description: 'Not in Formance: how it authenticates at /oauth/token' }),
    jwks: JwksSchema.nullable().openapi({ description: 'Not in Formance: its public keys (private_key_jwt), as stored: public members only' }),
    jwksUri: z.string().nullable().openapi({ description: 'Not in Formance: where its public keys are published (private_key_jwt)' }),
  })
  .openapi('Client');

export type ClientOptions = z.infer<typeof ClientOptionsSchema>;
export type Client = z.infer<typeof ClientSchema>;
export type ClientSecret = z.infer<typeof ClientSecretSchema>;
export type Secret = z.infer<typeof SecretSchema>;
export type SecretOptions = z.infer<typeof SecretOptionsSchema>;
