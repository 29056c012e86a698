import { useState } from 'hono/jsx/dom';
import { api, listAll } from './api';
import { AUTH_METHODS, ClientFields, clientOptionsFrom, type AuthMethod } from './client-form';
import { SecretsSection } from './secrets';
import { TryClient } from './try-client';
import { ConfirmButton, ErrorNote, go, useAction, useLoad } from './ui';

interface Scope {
  id: string;
  label: string;
  transient: string[];
}

/** One client: its settings (edited with If-Match), secrets, scopes, a token to try, its audit trail. */
export function ClientPage({ clientId }: { clientId: string }) {
  const path = `/clients/${encodeURIComponent(clientId)}`;
  const client = useLoad(() => api('GET', path), [clientId]);
  if (client.error && !client.value) {
    return (
      <main id="main" tabindex={-1}>
        <h1>Client {clientId}</h1>
        <ErrorNote error={client.error} />
        <p>
          <a href="#/clients">Back to clients</a>
        </p>
      </main>
    );
  }
  if (!client.value) return <main id="main" tabindex={-1}><p role="status">Loading…</p></main>;
  const { data, etag } = client.value;
  return (
    <main id="main" tabindex={-1}>
      <p class="crumbs">
        <a href="#/clients">Clients</a> / <code>{data.id}</code>
      </p>
      <h1>{data.name}</h1>
      <p>
        <a href={`#/audit?targetId=${encodeURIComponent(data.id)}`}>Audit trail of this client</a>
      </p>
      <AuthSummary client={data} />
      <EditClient path={path} client={data} etag={etag} reload={client.reload} />
      <SecretsSection path={path} secrets={data.secrets} reload={client.reload} />
      <ClientScopes path={path} attached={data.scopes} reload={client.reload} />
      <TryClient clientId={data.id} method={data.tokenEndpointAuthMethod ?? 'client_secret_basic'} />
      <section aria-labelledby="danger" class="panel">
        <h2 id="danger">Delete</h2>
        <p>Deleting the client deletes its secrets and stops every token it was given.</p>
        <ConfirmButton
          label="Delete client"
          question={`Delete client “${data.name}”?`}
          confirm="Delete it for good"
          onConfirm={async () => {
            await api('DELETE', path);
            go('/clients');
          }}
        />
      </section>
    </main>
  );
}

/** How the client authenticates, and with which keys: the kids of its inline keys, or where it publishes them. */
function AuthSummary({ client }: { client: { tokenEndpointAuthMethod?: AuthMethod; jwks?: { keys: Array<{ kid?: string }> } | null; jwksUri?: string | null } }) {
  const method = client.tokenEndpointAuthMethod ?? 'client_secret_basic';
  const label = AUTH_METHODS.find((option) => option.value === method)?.label ?? method;
  return (
    <dl class="facts">
      <dt>Authentication</dt>
      <dd data-testid="auth-method">{label}</dd>
      {method === 'private_key_jwt' && client.jwksUri && (
        <>
          <dt>Keys published at</dt>
          <dd data-testid="auth-keys">
            <code>{client.jwksUri}</code>
          </dd>
        </>
      )}
      {method === 'private_key_jwt' && client.jwks && (
        <>
          <dt>Keys (kid)</dt>
          <dd data-testid="auth-keys">
            {client.jwks.keys.map((key, index) => (
              <>
                {index > 0 && ', '}
                <code>{key.kid ?? '?'}</code>
              </>
            ))}
          </dd>
        </>
      )}
    </dl>
  );
}

function EditClient(props: { path: string; client: any; etag: string | null; reload: () => void }) {
  const action = useAction();
  const [saved, setSaved] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    setSaved(false);
    // If-Match: a save based on an old copy is refused (412), never applied over someone else's.
    const ok = await action.run(() => api('PUT', props.path, { body: clientOptionsFrom(data), ifMatch: props.etag }));
    if (ok) {
      setSaved(true);
      props.reload();
    }
  };
  const conflict = (action.error as { status?: number } | null)?.status === 412;
  return (
    <section aria-labelledby="settings" class="panel">
      <h2 id="settings">Settings</h2>
      <form key={props.etag ?? 'none'} onSubmit={submit}>
        <ClientFields prefix="edit" client={props.client} />
        <ErrorNote error={action.error} />
        {conflict && (
          <button
            type="button"
            onClick={() => {
              action.setError(null);
              props.reload();
            }}
          >
            Reload the current version
          </button>
        )}
        {saved && <p role="status">Saved.</p>}
        <button type="submit" disabled={action.pending}>
          Save changes
        </button>
      </form>
    </section>
  );
}

function ClientScopes(props: { path: string; attached: string[]; reload: () => void }) {
  const scopes = useLoad(() => listAll<Scope>('/scopes'), []);
  const action = useAction();
  const byId = new Map((scopes.value?.items ?? []).map((scope) => [scope.id, scope]));
  const available = (scopes.value?.items ?? []).filter((scope) => !props.attached.includes(scope.id));
  const attach = async (event: Event) => {
    event.preventDefault();
    const scopeId = String(new FormData(event.currentTarget as HTMLFormElement).get('scopeId') ?? '');
    if (scopeId && (await action.run(() => api('PUT', `${props.path}/scopes/${encodeURIComponent(scopeId)}`)))) props.reload();
  };
  const detach = async (scopeId: string) => {
    if (await action.run(() => api('DELETE', `${props.path}/scopes/${encodeURIComponent(scopeId)}`))) props.reload();
  };
  return (
    <section aria-labelledby="client-scopes" class="panel">
      <h2 id="client-scopes">Scopes</h2>
      <ErrorNote error={scopes.error} />
      {props.attached.length === 0 ? (
        <p>No scope attached: its tokens carry no scope.</p>
      ) : (
        <ul class="chips">
          {props.attached.map((id) => (
            <li>
              <code>{byId.get(id)?.label ?? id}</code>
              <button type="button" class="link" onClick={() => detach(id)} aria-label={`Detach ${byId.get(id)?.label ?? id}`}>
                Detach
              </button>
            </li>
          ))}
        </ul>
      )}
      <form class="inline" onSubmit={attach}>
        <label for="attach-scope">Attach a scope</label>
        <select id="attach-scope" name="scopeId" required>
          <option value="">Choose a scope…</option>
          {available.map((scope) => (
            <option value={scope.id}>{scope.label}</option>
          ))}
        </select>
        <button type="submit" class="secondary" disabled={action.pending}>
          Attach
        </button>
      </form>
      <ErrorNote error={action.error} />
    </section>
  );
}
