import type { Child } from 'hono/jsx';
import { isOperator, setActingTenant, signOut, type Session } from './api';
import { formText } from './ui';

const NAV = [
  ['#/clients', 'Clients'],
  ['#/scopes', 'Scopes'],
  ['#/audit', 'Audit trail'],
] as const;

/** An operator's tenant switcher: every request then carries X-Tenant-Id. */
function TenantSwitcher({ session }: { session: Session }) {
  const acting = session.actingTenant ?? session.tenant;
  const submit = (event: Event) => {
    event.preventDefault();
    const tenant = formText(new FormData(event.currentTarget as HTMLFormElement), 'tenant').trim();
    setActingTenant(tenant && tenant !== session.tenant ? tenant : null);
  };
  return (
    <form class="tenant-switcher" onSubmit={submit}>
      <label for="tenant">Tenant</label>
      <input id="tenant" name="tenant" value={acting} required spellcheck={false} autocomplete="off" />
      <button type="submit" class="secondary">
        Switch
      </button>
    </form>
  );
}

export function Layout({ session, route, children }: { session: Session; route: string; children: Child }) {
  const tenant = session.actingTenant ?? session.tenant;
  return (
    <>
      <a class="skip" href="#main" onClick={(event: Event) => (event.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <div class="brand">Client registry console</div>
        <nav aria-label="Console">
          {NAV.map(([href, label]) => (
            <a href={href} aria-current={route.startsWith(href.slice(1)) ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <div class="who" aria-label="Signed in">
          <span>
            Signed in as <strong data-testid="who-client">{session.clientId}</strong>
          </span>
          <span>
            tenant <strong data-testid="who-tenant">{tenant}</strong>
            {session.actingTenant && <span class="badge"> acting as operator (own: {session.tenant})</span>}
          </span>
          <span class="scopes" data-testid="who-scopes">
            {session.scopes.join(' ') || 'no scopes'}
          </span>
        </div>
        {isOperator(session) && <TenantSwitcher session={session} />}
        <button type="button" class="secondary" onClick={() => signOut('You signed out.')}>
          Sign out
        </button>
      </header>
      {children}
    </>
  );
}
