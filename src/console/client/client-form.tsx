import { useState } from 'hono/jsx/dom';
import { ApiFailure } from './api';
import { formText, lines, metadataText, parseMetadata } from './ui';

export type AuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';

export interface ClientValues {
  name?: string;
  description?: string;
  redirectUris?: string[];
  postLogoutRedirectUris?: string[];
  public?: boolean;
  trusted?: boolean;
  metadata?: Record<string, string>;
  tokenEndpointAuthMethod?: AuthMethod;
  jwks?: { keys: Array<Record<string, unknown>> } | null;
  jwksUri?: string | null;
}

/** The methods, in words first: what the client shows /oauth/token. */
export const AUTH_METHODS: Array<{ value: AuthMethod; label: string }> = [
  { value: 'client_secret_basic', label: 'Secret (client_secret_basic, the default)' },
  { value: 'client_secret_post', label: 'Secret in the body only (client_secret_post)' },
  { value: 'private_key_jwt', label: 'Own private key, no secret (private_key_jwt)' },
];

/** The fields of a client, for create and edit (uncontrolled: a new `key` resets them). */
export function ClientFields({ prefix, client = {} }: { prefix: string; client?: ClientValues }) {
  const id = (name: string) => `${prefix}-${name}`;
  const [method, setMethod] = useState<AuthMethod>(client.tokenEndpointAuthMethod ?? 'client_secret_basic');
  return (
    <>
      <label for={id('name')}>Name</label>
      <input id={id('name')} name="name" required maxlength={256} value={client.name ?? ''} />
      <label for={id('description')}>Description</label>
      <textarea id={id('description')} name="description" rows={2} maxlength={4096} value={client.description ?? ''} />
      <label for={id('redirect')}>Redirect URIs (one per line)</label>
      <textarea id={id('redirect')} name="redirectUris" rows={2} spellcheck={false} value={(client.redirectUris ?? []).join('\n')} />
      <label for={id('logout')}>Post-logout redirect URIs (one per line)</label>
      <textarea id={id('logout')} name="postLogoutRedirectUris" rows={2} spellcheck={false} value={(client.postLogoutRedirectUris ?? []).join('\n')} />
      <label for={id('metadata')}>Metadata (key=value, one per line)</label>
      <textarea id={id('metadata')} name="metadata" rows={2} spellcheck={false} value={metadataText(client.metadata)} />
      <div class="checks">
        <input id={id('public')} name="public" type="checkbox" checked={client.public ?? false} />
        <label for={id('public')}>Public (no secret; cannot use client credentials)</label>
      </div>
      <div class="checks">
        <input id={id('trusted')} name="trusted" type="checkbox" checked={client.trusted ?? false} />
        <label for={id('trusted')}>Trusted</label>
      </div>
      <fieldset class="auth">
        <legend>Authentication</legend>
        <label for={id('auth-method')}>How it proves who it is at /oauth/token</label>
        <select
          id={id('auth-method')}
          name="tokenEndpointAuthMethod"
          onChange={(event: Event) => setMethod((event.currentTarget as HTMLSelectElement).value as AuthMethod)}
        >
          {AUTH_METHODS.map((option) => (
            <option value={option.value} selected={option.value === method}>
              {option.label}
            </option>
          ))}
        </select>
        {/* Hidden, not removed: switching back and forth keeps what was typed; only private_key_jwt sends it. */}
        <div hidden={method !== 'private_key_jwt'}>
          <p class="muted" id={id('keys-hint')}>
            Give its public keys inline or the https URL where it publishes them, not both. At most 5 keys, each with a{' '}
            <code>kid</code>; ES256, ES384, EdDSA, RS256 or PS256 (RSA of 2048 bits or more). Public members only: never
            paste the private key.
          </p>
          <label for={id('jwks')}>Public keys (a JWK set: {'{ "keys": [ … ] }'})</label>
          <textarea
            id={id('jwks')}
            name="jwks"
            rows={6}
            spellcheck={false}
            aria-describedby={id('keys-hint')}
            value={client.jwks ? JSON.stringify(client.jwks, null, 2) : ''}
          />
          <label for={id('jwks-uri')}>Or the URL of its key set (jwksUri)</label>
          <input
            id={id('jwks-uri')}
            name="jwksUri"
            inputmode="url"
            spellcheck={false}
            aria-describedby={id('keys-hint')}
            placeholder="https://client.example.com/jwks.json"
            value={client.jwksUri ?? ''}
          />
        </div>
      </fieldset>
    </>
  );
}

/** The pasted key set, parsed here so a typo is named before anything is sent. */
export function parseJwks(text: string): { keys: Array<Record<string, unknown>> } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ApiFailure(400, 'VALIDATION', `jwks: not valid JSON (${(error as Error).message})`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value) || !Array.isArray((value as { keys?: unknown }).keys)) {
    const single = !!value && typeof value === 'object' && 'kty' in value;
    throw new ApiFailure(
      400,
      'VALIDATION',
      single ? 'jwks: this is one key: put it in a key set, { "keys": [ … ] }' : 'jwks: must be a JWK set, { "keys": [ … ] }',
    );
  }
  return value as { keys: Array<Record<string, unknown>> };
}

/**
 * The authentication options, always all three: the API leaves them as they are only when a body
 * names none, and an edit made here says exactly what the client is to be.
 */
export function authOptionsFrom(data: FormData) {
  const method = (formText(data, 'tokenEndpointAuthMethod') || 'client_secret_basic') as AuthMethod;
  if (method !== 'private_key_jwt') return { tokenEndpointAuthMethod: method, jwks: null, jwksUri: null };
  const jwks = formText(data, 'jwks').trim();
  const jwksUri = formText(data, 'jwksUri').trim();
  return { tokenEndpointAuthMethod: method, jwks: jwks ? parseJwks(jwks) : null, jwksUri: jwksUri || null };
}

/** The API's ClientOptions from the form (throws a VALIDATION failure on bad metadata or a bad key set). */
export const clientOptionsFrom = (data: FormData) => ({
  name: formText(data, 'name').trim(),
  description: formText(data, 'description'),
  redirectUris: lines(formText(data, 'redirectUris')),
  postLogoutRedirectUris: lines(formText(data, 'postLogoutRedirectUris')),
  metadata: parseMetadata(formText(data, 'metadata')),
  public: data.get('public') === 'on',
  trusted: data.get('trusted') === 'on',
  ...authOptionsFrom(data),
});
