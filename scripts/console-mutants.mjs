// The console's mutants for `npm run mutate:console` (scripts/console-mutate.mjs): each
// breaks one behaviour the console promises, and names the browser test (a -g pattern) that
// must fail because of it. Two faults are left out on purpose, as another layer does the same
// job: keeping an expired session on restore (the expiry timer and the per-call check sign out
// anyway) and a `style` set from script (CSSOM changes are allowed by the CSP, by design).
export const CONSOLE_MUTANTS = [
  {
    "name": "inline script in the shell",
    "file": "src/console/console.page.ts",
    "from": "<div id=\"console\">",
    "to": "<script>document.title = \"x\"</script><div id=\"console\">",
    "test": "expired token asks"
  },
  {
    "name": "third-party request",
    "file": "src/console/client/main.tsx",
    "from": "render(<App />",
    "to": "fetch('https://example.com/x').catch(() => {});\nrender(<App />",
    "test": "expired token asks"
  },
  {
    "name": "secret kept in sessionStorage",
    "file": "src/console/client/secret-once.tsx",
    "from": "export const showSecretOnce = (secret: ShownSecret) => publish(secret);",
    "to": "export const showSecretOnce = (secret: ShownSecret) => (sessionStorage.setItem('x', secret.clear), publish(secret));",
    "test": "secret is shown once"
  },
  {
    "name": "secret dialog not dropped on close",
    "file": "src/console/client/secret-once.tsx",
    "from": "onClose={() => publish(null)}",
    "to": "onClose={() => undefined}",
    "test": "secret is shown once"
  },
  {
    "name": "no If-Match",
    "file": "src/console/client/client-page.tsx",
    "from": "ifMatch: props.etag",
    "to": "ifMatch: null",
    "test": "old copy is refused"
  },
  {
    "name": "switcher for everyone",
    "file": "src/console/client/layout.tsx",
    "from": "{isOperator(session) && <TenantSwitcher",
    "to": "{<TenantSwitcher",
    "test": "tenant admin sees only"
  },
  {
    "name": "no escalation words",
    "file": "src/console/client/explain.ts",
    "from": "/would hand on/.test(errorMessage)",
    "to": "/would hand off/.test(errorMessage)",
    "test": "tenant admin sees only"
  },
  {
    "name": "no X-Tenant-Id",
    "file": "src/console/client/api.ts",
    "from": "headers['X-Tenant-Id'] = session.actingTenant",
    "to": "void session.actingTenant",
    "test": "operator switches tenant"
  },
  {
    "name": "sign out keeps storage",
    "file": "src/console/client/api.ts",
    "from": "  else sessionStorage.clear();\n",
    "to": "",
    "test": "sign in, see who"
  },
  {
    "name": "token in localStorage",
    "file": "src/console/client/api.ts",
    "from": "if (session) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));",
    "to": "if (session) { sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session)); localStorage.setItem(STORAGE_KEY, session.token); }",
    "test": "sign in, see who"
  },
  {
    "name": "401 does not end session",
    "file": "src/console/client/api.ts",
    "from": "if (res.status === 401) signOut(",
    "to": "if (res.status === 999) signOut(",
    "test": "revoked token ends"
  },
  {
    "name": "no focus outline",
    "file": "src/console/client/styles.css",
    "from": ":focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }",
    "to": ":focus-visible { outline: none; }",
    "test": "focus is visible"
  },
  {
    "name": "label dropped",
    "file": "src/console/client/clients.tsx",
    "from": "<label for=\"filter-name\">Name starts with</label>",
    "to": "",
    "test": "375 px"
  },
  {
    "name": "delete without confirmation",
    "file": "src/console/client/ui.tsx",
    "from": "onClick={() => setOpen(true)}",
    "to": "onClick={() => props.onConfirm()}",
    "test": "scopes: create"
  },
  {
    "name": "metadata filter ignored",
    "file": "src/console/client/clients.tsx",
    "from": "query[`metadata[${key}]`] = value;",
    "to": "void value;",
    "test": "secret is shown once"
  },
  {
    "name": "detach not sent",
    "file": "src/console/client/client-page.tsx",
    "from": "api('DELETE', `${props.path}/scopes/",
    "to": "api('GET', `${props.path}/scopes/",
    "test": "scopes: create"
  },
  {
    "name": "audit link wrong",
    "file": "src/console/client/client-page.tsx",
    "from": "#/audit?targetId=",
    "to": "#/audit?actorId=",
    "test": "audit trail shows"
  },
  {
    "name": "wide layout",
    "file": "src/console/client/styles.css",
    "from": "main { max-width: 72rem;",
    "to": "main { min-width: 40rem; max-width: 72rem;",
    "test": "375 px"
  },
  {
    "name": "curl with secret",
    "file": "src/console/client/try-client.tsx",
    "from": ":$CLIENT_SECRET\"",
    "to": ":$CLIENT_SECRET_X\"",
    "test": "secret is shown once"
  },
  {
    "name": "focus not returned",
    "file": "src/console/client/ui.tsx",
    "from": "if (opener?.isConnected) opener.focus();",
    "to": "void opener;",
    "test": "closing a dialog gives focus"
  },
  {
    "name": "crafted link crashes",
    "file": "src/console/client/main.tsx",
    "from": "const clientId = client && decoded(client[1]!);",
    "to": "const clientId = client && decodeURIComponent(client[1]!);",
    "test": "crafted link"
  },
  {
    "name": "secret dialog dropped on expiry",
    "file": "src/console/client/main.tsx",
    "from": "      <SecretOnceHost />",
    "to": "      {session && <SecretOnceHost />}",
    "test": "expiring while a new secret"
  }
];
