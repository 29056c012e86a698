import { useState } from 'hono/jsx/dom';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { requestToken } from './api';
import { CommandBlock, CopyButton, ErrorNote, formText, useAction } from './ui';

const shellQuoted = (value: string) => value.replace(/["\\$`]/g, '\\$&');
const scopeArg = (scope?: string) => (scope ? ` --data-urlencode "scope=${shellQuoted(scope)}"` : '');

/** The token request a terminal can run; the secret comes from the shell, never from this page. */
export const tokenCurl = (origin: string, clientId: string, scope?: string, inBody = false) =>
  inBody
    ? `curl -s --data-urlencode "client_id=${shellQuoted(clientId)}" --data-urlencode "client_secret=$CLIENT_SECRET"` +
      ` -d grant_type=client_credentials${scopeArg(scope)} ${origin}/oauth/token`
    : `curl -s -u "${shellQuoted(clientId)}:$CLIENT_SECRET" -d grant_type=client_credentials${scopeArg(scope)} ${origin}/oauth/token`;

/** private_key_jwt: the request, with the assertion the client signed (in $CLIENT_ASSERTION). */
export const assertionCurl = (origin: string) =>
  'curl -s -d grant_type=client_credentials' +
  ' -d client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer' +
  ` --data-urlencode "client_assertion=$CLIENT_ASSERTION" ${origin}/oauth/token`;

/** A key client: the console holds no key of it, so it says how the client gets its tokens itself. */
function TryKeyClient() {
  const curl = assertionCurl(location.origin);
  return (
    <section aria-labelledby="try" class="panel">
      <h2 id="try">Try this client</h2>
      <p data-testid="try-key-client">
        This client authenticates with a <strong>signed assertion</strong> (private_key_jwt, RFC 7523): for every token
        it signs a short-lived JWT with its own private key (<code>iss</code> and <code>sub</code> its id,{' '}
        <code>aud</code> <code>{`${location.origin}/oauth/token`}</code>, a fresh <code>jti</code>, <code>exp</code> at
        most 5 minutes ahead, its key's <code>kid</code> in the header) and sends it to /oauth/token. The private key never
        leaves the client, so this console cannot get a token for it, and its secrets, if any, do not authenticate it.
      </p>
      <p>
        For a runnable example (Node and jose) see the README section “Secretless clients: private_key_jwt” and{' '}
        <code>examples/private-key-jwt/get-token.mjs</code>. With an assertion in <code>CLIENT_ASSERTION</code>:
      </p>
      <CommandBlock command={curl} />
    </section>
  );
}

/** Paste a secret, get a token for the client as it would, and see what the token says. */
export function TryClient({ clientId, method = 'client_secret_basic' }: { clientId: string; method?: string }) {
  if (method === 'private_key_jwt') return <TryKeyClient />;
  return <TrySecretClient clientId={clientId} inBody={method === 'client_secret_post'} />;
}

function TrySecretClient({ clientId, inBody }: { clientId: string; inBody: boolean }) {
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
      const answer = await requestToken(clientId, formText(data, 'secret'), scope, inBody);
      setResult({
        token: answer.access_token,
        header: decodeProtectedHeader(answer.access_token),
        claims: decodeJwt(answer.access_token),
        scope,
      });
    });
  };
  const curl = tokenCurl(location.origin, clientId, result?.scope, inBody);
  return (
    <section aria-labelledby="try" class="panel">
      <h2 id="try">Try this client</h2>
      <p>Paste one of its secrets to get a token exactly as the client would (client credentials at /oauth/token{inBody ? ', the secret in the request body: client_secret_post' : ''}).</p>
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
      <CommandBlock command={curl} />
    </section>
  );
}
