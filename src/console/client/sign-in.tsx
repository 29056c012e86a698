import { signIn } from './api';
import { ErrorNote, formText, useAction } from './ui';

/** Client id and secret, exchanged at /oauth/token; the secret is not kept anywhere. */
export function SignIn({ notice }: { notice: string | null }) {
  const action = useAction();
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const ok = await action.run(() => signIn(formText(data, 'clientId').trim(), formText(data, 'clientSecret')));
    // The secret was needed once: it does not stay in the page.
    if (!ok) (form.elements.namedItem('clientSecret') as HTMLInputElement).value = '';
  };
  return (
    <main id="main" class="sign-in">
      <h1>Sign in to the console</h1>
      <p>
        Use an OAuth2 client of this registry with scope <code>auth:read</code> or <code>auth:write</code>. The console exchanges its
        secret for an access token and keeps only the token, in this tab, until it expires or you sign out.
      </p>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <form onSubmit={submit} aria-describedby="sign-in-error">
        <label for="client-id">Client id</label>
        <input id="client-id" name="clientId" autocomplete="username" required spellcheck={false} />
        <label for="client-secret">Client secret</label>
        <input id="client-secret" name="clientSecret" type="password" autocomplete="current-password" required />
        <div id="sign-in-error">
          <ErrorNote error={action.error} />
        </div>
        <button type="submit" disabled={action.pending}>
          {action.pending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
