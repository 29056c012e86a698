import { formText, lines, metadataText, parseMetadata } from './ui';

export interface ClientValues {
  name?: string;
  description?: string;
  redirectUris?: string[];
  postLogoutRedirectUris?: string[];
  public?: boolean;
  trusted?: boolean;
  metadata?: Record<string, string>;
}

/** The fields of a client, for create and edit (uncontrolled: a new `key` resets them). */
export function ClientFields({ prefix, client = {} }: { prefix: string; client?: ClientValues }) {
  const id = (name: string) => `${prefix}-${name}`;
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
    </>
  );
}

/** The API's ClientOptions from the form (throws a VALIDATION failure on bad metadata). */
export const clientOptionsFrom = (data: FormData) => ({
  name: formText(data, 'name').trim(),
  description: formText(data, 'description'),
  redirectUris: lines(formText(data, 'redirectUris')),
  postLogoutRedirectUris: lines(formText(data, 'postLogoutRedirectUris')),
  metadata: parseMetadata(formText(data, 'metadata')),
  public: data.get('public') === 'on',
  trusted: data.get('trusted') === 'on',
});
