import { useState } from 'hono/jsx/dom';
import { api } from './api';
import { ConfirmButton, CopyButton, Dialog, ErrorNote, formText, useAction, when } from './ui';

interface SecretMeta {
  id: string;
  name: string;
  lastDigits: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

const expired = (secret: SecretMeta) => secret.expiresAt !== null && Date.parse(secret.expiresAt) <= Date.now();

export function SecretsSection(props: { path: string; secrets: SecretMeta[]; reload: () => void }) {
  // The clear secret lives only here, in memory, while its dialog is open.
  const [created, setCreated] = useState<{ name: string; clear: string } | null>(null);
  const action = useAction();
  const create = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const expiry = formText(data, 'expiresAt');
    const body = { name: formText(data, 'name').trim(), ...(expiry ? { expiresAt: new Date(expiry).toISOString() } : {}) };
    await action.run(async () => {
      const { data: secret } = await api('POST', `${props.path}/secrets`, { body });
      form.reset();
      setCreated({ name: secret.name, clear: secret.clear });
    });
  };
  const close = () => {
    setCreated(null);
    props.reload();
  };
  return (
    <section aria-labelledby="secrets" class="panel">
      <h2 id="secrets">Secrets</h2>
      {props.secrets.length === 0 ? (
        <p>No secret yet.</p>
      ) : (
        <div class="table-wrap" tabindex={0} aria-label="Secrets table">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Ends with</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {props.secrets.map((secret) => (
                <tr>
                  <td>{secret.name || <em>unnamed</em>}</td>
                  <td>
                    <code>…{secret.lastDigits}</code>
                  </td>
                  <td>{when(secret.createdAt)}</td>
                  <td class={expired(secret) ? 'expired' : ''}>
                    {when(secret.expiresAt)}
                    {expired(secret) && ' (expired)'}
                  </td>
                  <td>{when(secret.lastUsedAt)}</td>
                  <td>
                    <ConfirmButton
                      label={`Delete secret ${secret.name || secret.lastDigits}`}
                      question={`Delete secret “${secret.name || `…${secret.lastDigits}`}”?`}
                      confirm="Delete secret"
                      onConfirm={async () => {
                        await api('DELETE', `${props.path}/secrets/${encodeURIComponent(secret.id)}`);
                        props.reload();
                      }}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form class="inline" onSubmit={create}>
        <div>
          <label for="secret-name">New secret's name</label>
          <input id="secret-name" name="name" maxlength={256} />
        </div>
        <div>
          <label for="secret-expiry">Expires (optional)</label>
          <input id="secret-expiry" name="expiresAt" type="datetime-local" />
        </div>
        <button type="submit" disabled={action.pending}>
          Create secret
        </button>
      </form>
      <ErrorNote error={action.error} />
      {created && <SecretOnce secret={created} onClose={close} />}
    </section>
  );
}

/** The one time a secret is shown. Closing the dialog drops it: nothing can show it again. */
function SecretOnce({ secret, onClose }: { secret: { name: string; clear: string }; onClose: () => void }) {
  return (
    <Dialog title="Copy the new secret now" labelId="secret-once-title" onClose={onClose}>
      <p class="warning">
        <strong>This is the only time this secret is shown.</strong> Copy it into your secret store now. Once you close this
        dialog it cannot be shown again, here or anywhere: if it is lost, create a new secret and delete this one.
      </p>
      <label for="secret-clear">Secret {secret.name ? `“${secret.name}”` : ''}</label>
      <input id="secret-clear" class="secret" readonly value={secret.clear} spellcheck={false} autocomplete="off" />
      <div class="actions">
        <CopyButton value={secret.clear} label="Copy secret" />
        <button type="button" onClick={onClose}>
          I have stored it: close
        </button>
      </div>
    </Dialog>
  );
}
