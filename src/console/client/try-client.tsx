import { useState } from 'hono/jsx/dom';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { requestToken } from './api';
import { CopyButton, ErrorNote, formText, useAction } from './ui';

/** The token request a terminal can run; the secret comes from the shell, never from this page. */
export const tokenCurl = (origin: string, clientId: string, scope?: string) =>
  `curl -s -u "${clientId.replace(/["\\$`]/g, '\\$&')}:$CLIENT_SECRET" -d grant_type=client_credentials` +
  `${scope ? ` --data-urlencode "scope=${scope.replace(/["\\$`]/g, '\\$&')}"` : ''} ${origin}/oauth/token`;

/** Paste a secret, get a token for the client as it would, and see what the token says. */
export function TryClient({ clientId }: { clientId: string }) {
  const action = useAction();
  const [result, setResult] = useState<{ token: string; header: unknown; claims: unknown; scope?: string } | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const scope = formText(data, 'scope').trim() || undefined;
    // The pasted secret is used once and dropped from the form.
    (form.elements.namedItem('secret') as HTMLInputElement).value = '';
    setResult(null);
    await action.run(async () => {
      const answer = await requestToken(clientId, formText(data, 'secret'), scope);
      setResult({
        token: answer.access_token,
        header: decodeProtectedHeader(answer.access_token),
        claims: decodeJwt(answer.access_token),
        scope,
      });
    });
  };
  const curl = tokenCurl(location.origin, clientId, result?.scope);
  return (
    <section aria-labelledby="try" class="panel">
      <h2 id="try">Try this client</h2>
      <p>Paste one of its secrets to get a token exactly as the client would (client credentials at /oauth/token).</p>
      <form class="inline" onSubmit={submit}>
        <div>
          <label for="try-secret">Secret</label>
          <input id="try-secret" name="secret" type="password" autocomplete="off" required />
        </div>
        <div>
          <label for="try-scope">Scopes to ask for (optional, space-separated)</label>
          <input id="try-scope" name="scope" spellcheck={false} />
        </div>
        <button type="submit" disabled={action.pending}>
          Get a token
        </button>
      </form>
      <ErrorNote error={action.error} />
      {result && (
        <div class="token-result">
          <h3>Decoded token</h3>
          <pre data-testid="token-claims" tabindex={0} aria-label="Token claims">
            {JSON.stringify(result.claims, null, 2)}
          </pre>
          <details>
            <summary>Header and encoded token</summary>
            <pre tabindex={0}>{JSON.stringify(result.header, null, 2)}</pre>
            <CopyButton value={result.token} label="Copy token" />
          </details>
        </div>
      )}
      <h3>The same with curl</h3>
      <p>
        Set <code>CLIENT_SECRET</code> in your shell first (the console never puts a secret in a command line):
      </p>
      <pre data-testid="token-curl" tabindex={0} aria-label="curl command">
        {curl}
      </pre>
      <CopyButton value={curl} label="Copy curl" />
    </section>
  );
}
