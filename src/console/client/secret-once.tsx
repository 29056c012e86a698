import { useEffect, useState } from 'hono/jsx/dom';
import { CopyButton, Dialog } from './ui';

interface ShownSecret {
  name: string;
  clear: string;
  /** The control that asked for it, where focus returns (it was busy, hence not focused, meanwhile). */
  returnTo?: HTMLElement | null;
}

// The clear secret lives only here, in memory, from its creation until its dialog closes.
let shown: ShownSecret | null = null;
const listeners = new Set<(secret: ShownSecret | null) => void>();

const publish = (secret: ShownSecret | null) => {
  shown = secret;
  for (const listener of listeners) listener(secret);
};

/** Shows a new secret, once. */
export const showSecretOnce = (secret: ShownSecret) => publish(secret);

/** Where the dialog is drawn: above the pages and the session, so nothing but its own button closes it. */
export function SecretOnceHost() {
  const [secret, setSecret] = useState<ShownSecret | null>(shown);
  useEffect(() => {
    listeners.add(setSecret);
    return () => listeners.delete(setSecret);
  }, []);
  return secret ? <SecretOnce secret={secret} onClose={() => publish(null)} /> : null;
}

/** The one time a secret is shown. Closing the dialog drops it: nothing can show it again. */
function SecretOnce({ secret, onClose }: { secret: ShownSecret; onClose: () => void }) {
  return (
    <Dialog title="Copy the new secret now" labelId="secret-once-title" onClose={onClose} returnTo={secret.returnTo}>
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
