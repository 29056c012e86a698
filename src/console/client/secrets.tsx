import { api } from './api';
import { showSecretOnce } from './secret-once';
import { ConfirmButton, ErrorNote, formText, useAction, when } from './ui';

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
  const action = useAction();
  const create = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const submitter = (event as SubmitEvent).submitter as HTMLElement | null;
    const data = new FormData(form);
    const expiry = formText(data, 'expiresAt');
    const body = { name: formText(data, 'name').trim(), ...(expiry ? { expiresAt: new Date(expiry).toISOString() } : {}) };
    await action.run(async () => {
      const { data: secret } = await api('POST', `${props.path}/secrets`, { body });
      form.reset();
      props.reload();
      showSecretOnce({ name: secret.name, clear: secret.clear, returnTo: submitter });
    });
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
    </section>
  );
}
