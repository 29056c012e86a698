import { render, useEffect, useState } from 'hono/jsx/dom';
import { onSessionChange, restoreSession, signOut, type Session } from './api';
import { AuditPage } from './audit';
import { ClientPage } from './client-page';
import { ClientsPage } from './clients';
import { Layout } from './layout';
import { ScopesPage } from './scopes';
import { SecretOnceHost } from './secret-once';
import { SignIn } from './sign-in';
import './styles.css';

/** The hash route: the server has one page, and the hash never reaches it (nor any log). */
function currentRoute() {
  const [path = '', query = ''] = location.hash.replace(/^#/, '').split('?');
  return { path: path || '/clients', params: new URLSearchParams(query) };
}

function useRoute() {
  const [route, setRoute] = useState(currentRoute());
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}

/** A hash segment as text; a malformed escape (a crafted link) is not a route. */
function decoded(segment: string) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

function Page({ path, params }: { path: string; params: URLSearchParams }) {
  const client = /^\/clients\/(.+)$/.exec(path);
  const clientId = client && decoded(client[1]!);
  if (clientId) return <ClientPage clientId={clientId} />;
  if (path === '/scopes') return <ScopesPage />;
  if (path === '/audit') {
    const pick = (name: string) => params.get(name) ?? undefined;
    return <AuditPage initial={{ targetId: pick('targetId'), actorId: pick('actorId'), action: pick('action') }} />;
  }
  return <ClientsPage />;
}

function App() {
  const [{ session, notice }, setState] = useState<{ session: Session | null; notice: string | null }>(() => {
    const restored = restoreSession();
    return { session: restored.session, notice: restored.expired ? 'Your session expired: sign in again.' : null };
  });
  const route = useRoute();
  useEffect(() => onSessionChange((next, reason) => setState({ session: next, notice: reason ?? null })), []);
  // When the token expires, ask again rather than fail on the next click.
  useEffect(() => {
    if (!session) return;
    const timer = setTimeout(() => signOut('Your session expired: sign in again.'), Math.max(0, session.expiresAt - Date.now() - 5_000));
    return () => clearTimeout(timer);
  }, [session?.token]);
  useEffect(() => {
    document.title = `${session ? 'Console' : 'Sign in'} · Edge OAuth2 client registry`;
  }, [session]);
  // The one-time secret dialog sits above the session: a token expiring while it is open
  // must not take the only view of the secret away before it is dismissed.
  return (
    <>
      {session ? (
        <Layout session={session} route={route.path}>
          {/* A new tenant is a new world: pages reload from scratch. */}
          <div key={`${session.actingTenant ?? ''}|${route.path}|${route.params}`}>
            <Page path={route.path} params={route.params} />
          </div>
        </Layout>
      ) : (
        <SignIn notice={notice} />
      )}
      <SecretOnceHost />
    </>
  );
}

render(<App />, document.getElementById('console')!);
