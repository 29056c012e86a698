// The operator console in Chromium, against the real Worker (wrangler dev, fresh local D1):
// the daily flows an operator and a tenant admin go through, an accessibility scan of every
// page, and the screenshots in docs/console/ (rewritten by every run).
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { call, expect, signIn, test, unique } from './console-test';

const SHOTS = fileURLToPath(new URL('../../docs/console/', import.meta.url));
mkdirSync(SHOTS, { recursive: true });
const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });

/** Everything the browser keeps for this origin, and where it has been: a secret must be in none of it. */
async function browserState(page: Page) {
  return page.evaluate(() => ({
    session: JSON.stringify({ ...sessionStorage }),
    local: JSON.stringify({ ...localStorage }),
    cookie: document.cookie,
    url: location.href,
    history: JSON.stringify(history.state),
    html: document.documentElement.outerHTML,
    inputs: [...document.querySelectorAll('input, textarea')].map((el) => (el as HTMLInputElement).value).join('\n'),
  }));
}


test('sign in, see who you are, keep the token in this tab only, sign out', async ({ page, admin, context, expectNoSeriousA11yViolations }) => {
  await page.goto('/console');
  await expectNoSeriousA11yViolations(page, 'sign-in page');
  await shot(page, 'sign-in');

  // A wrong secret is refused inline, and the secret field is emptied.
  await page.getByLabel('Client id').fill(admin.clientId);
  await page.getByLabel('Client secret').fill('not-the-secret');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('invalid_client');
  await expect(page.getByLabel('Client secret')).toHaveValue('');

  // Keyboard only: type, Tab, type, Enter.
  await page.getByLabel('Client id').focus();
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Client secret')).toBeFocused();
  await page.keyboard.type(admin.clientSecret);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('who-client')).toHaveText(admin.clientId);
  await expect(page.getByTestId('who-tenant')).toHaveText('default');
  await expect(page.getByTestId('who-scopes')).toContainText('auth:write');

  // The token is in sessionStorage; no cookie, no localStorage, and never the client secret.
  let state = await browserState(page);
  expect(JSON.parse(JSON.parse(state.session)['console.session']).token).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);
  expect(state.local).toBe('{}');
  expect(await context.cookies()).toEqual([]);
  for (const value of Object.values(state)) expect(value).not.toContain(admin.clientSecret);

  // A reload keeps the session; a new tab (another sessionStorage) does not have it.
  await page.reload();
  await expect(page.getByTestId('who-client')).toHaveText(admin.clientId);
  const other = await context.newPage();
  await other.goto('/console');
  await expect(other.getByRole('heading', { name: 'Sign in to the console' })).toBeVisible();
  await other.close();

  // Sign out clears everything.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in to the console' })).toBeVisible();
  state = await browserState(page);
  expect(state.session).toBe('{}');
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Sign in to the console' })).toBeVisible();
});

test('a token expiring while a new secret is on screen leaves the secret there until dismissed', async ({ page, admin, request, adminToken }) => {
  const token = await adminToken();
  const client = (await call(request, token, 'POST', '/clients', { name: unique('late') })).body.data;
  await signIn(page, admin.clientId, admin.clientSecret);
  // Ten seconds of token left: the console signs out five seconds before expiry.
  await page.evaluate(() => {
    const saved = JSON.parse(sessionStorage.getItem('console.session')!);
    sessionStorage.setItem('console.session', JSON.stringify({ ...saved, expiresAt: Date.now() + 10_000 }));
  });
  await page.goto(`/console#/clients/${client.id}`);
  await page.reload();
  await page.getByRole('button', { name: 'Create secret' }).click();
  const dialog = page.getByRole('dialog', { name: 'Copy the new secret now' });
  await expect(dialog).toBeVisible();
  const secret = await dialog.getByLabel(/Secret/).inputValue();
  await expect(page.getByText('Your session expired: sign in again.')).toBeAttached({ timeout: 10_000 });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel(/Secret/)).toHaveValue(secret);
  await dialog.getByRole('button', { name: 'I have stored it: close' }).click();
  await expect(dialog).toHaveCount(0);
  expect(await page.content()).not.toContain(secret);
});

test('a crafted link does not break the console', async ({ page, admin }) => {
  await signIn(page, admin.clientId, admin.clientSecret);
  // A fresh load of the link (as when it is clicked elsewhere), not a hash change in a page already up.
  await page.goto('about:blank');
  await page.goto('/console#/clients/%E0%A4%A');
  await expect(page.getByRole('heading', { level: 1, name: 'Clients' })).toBeVisible();
  await page.evaluate(() => (location.hash = '#/scopes'));
  await expect(page.getByRole('heading', { level: 1, name: 'Scopes' })).toBeVisible();
});

test('closing a dialog gives focus back to the control that opened it', async ({ page, admin, request, adminToken }) => {
  const token = await adminToken();
  const client = (await call(request, token, 'POST', '/clients', { name: unique('focus') })).body.data;
  await call(request, token, 'POST', `/clients/${client.id}/secrets`, { name: 'old' });
  await signIn(page, admin.clientId, admin.clientSecret);
  await page.goto(`/console#/clients/${client.id}`);
  const focused = () => page.evaluate(() => `${document.activeElement?.tagName} ${document.activeElement?.textContent?.trim()}`);
  await page.getByRole('button', { name: 'Create secret' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'I have stored it: close' }).focus();
  await page.keyboard.press('Enter');
  await expect.poll(focused).toBe('BUTTON Create secret');
  await page.getByRole('button', { name: /^Delete secret old/ }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).focus();
  await page.keyboard.press('Enter');
  await expect.poll(focused).toBe('BUTTON Delete secret old');
});

test('an expired token asks again', async ({ page, admin }) => {
  await signIn(page, admin.clientId, admin.clientSecret);
  // As if the hour had passed: the console must not use a token past its expiry.
  await page.evaluate(() => {
    const saved = JSON.parse(sessionStorage.getItem('console.session')!);
    sessionStorage.setItem('console.session', JSON.stringify({ ...saved, expiresAt: Date.now() - 1000 }));
  });
  await page.reload();
  await expect(page.getByText('Your session expired: sign in again.')).toBeVisible();
  expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
});

test('a revoked token ends the session on the next call', async ({ page, admin, request }) => {
  await signIn(page, admin.clientId, admin.clientSecret);
  const session = await page.evaluate(() => JSON.parse(sessionStorage.getItem('console.session')!));
  // The console's own token, revoked by the admin client (RFC 7009): the API says 401.
  const basic = Buffer.from(`${admin.clientId}:${admin.clientSecret}`).toString('base64');
  const revoke = await request.post('/oauth/revoke', { headers: { authorization: `Basic ${basic}` }, form: { token: session.token } });
  expect(revoke.status()).toBe(200);
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Scopes' }).click();
  await expect(page.getByText('Your session ended (the token expired or was revoked): sign in again.')).toBeVisible();
});

test('create a client; its secret is shown once, copied, and gone for good', async ({ page, admin, context, request, baseURL, expectNoSeriousA11yViolations }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  await signIn(page, admin.clientId, admin.clientSecret);
  await expectNoSeriousA11yViolations(page, 'clients page');

  const name = unique('billing');
  await page.getByText('New client').click();
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Metadata (key=value, one per line)').fill('team=billing');
  await page.getByRole('button', { name: 'Create client' }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  const clientId = decodeURIComponent(new URL(page.url()).hash.replace('#/clients/', ''));

  await page.getByLabel("New secret's name").fill('ci');
  await page.getByLabel('Expires (optional)').fill('2031-01-02T03:04');
  await page.getByRole('button', { name: 'Create secret' }).click();
  const dialog = page.getByRole('dialog', { name: 'Copy the new secret now' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('This is the only time this secret is shown.');
  const secret = await dialog.getByLabel(/Secret/).inputValue();
  expect(secret).toMatch(/^[\w-]{43,}$/);
  await expectNoSeriousA11yViolations(page, 'secret dialog');
  await shot(page, 'secret-once');

  await dialog.getByRole('button', { name: 'Copy secret' }).click();
  await expect(dialog.getByRole('status')).toHaveText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
  await dialog.getByRole('button', { name: 'I have stored it: close' }).click();
  await expect(dialog).toBeHidden();

  // Gone: not in the DOM, storage, the URL or history; not after a reload either.
  for (const value of Object.values(await browserState(page))) expect(value).not.toContain(secret);
  const row = page.getByRole('row', { name: /ci/ });
  await expect(row).toContainText(`…${secret.slice(-4)}`);
  await expect(row).toContainText('2031');
  await expect(row).toContainText('never'); // last used
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  for (const value of Object.values(await browserState(page))) expect(value).not.toContain(secret);
  await page.goBack();
  for (const value of Object.values(await browserState(page))) expect(value).not.toContain(secret);
  await page.goForward();

  // It is a real secret: "try a client" mints a token with it.
  await page.getByLabel('Secret', { exact: true }).fill(secret);
  await page.getByRole('button', { name: 'Get a token' }).click();
  const claims = JSON.parse((await page.getByTestId('token-claims').textContent())!);
  expect(claims).toMatchObject({ client_id: clientId, tenant: 'default' });
  await expect(page.getByLabel('Secret', { exact: true })).toHaveValue('');
  const curl = (await page.getByTestId('token-curl').textContent())!;
  expect(curl).toBe(`curl -s -u "${clientId}:$CLIENT_SECRET" -d grant_type=client_credentials ${baseURL}/oauth/token`);
  await page.getByRole('button', { name: 'Copy curl' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(curl);
  for (const value of Object.values(await browserState(page))) expect(value).not.toContain(secret);
  await expectNoSeriousA11yViolations(page, 'client page');
  await shot(page, 'client');

  // The list finds it by name prefix and by metadata.
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Clients' }).click();
  await page.getByLabel('Name starts with').fill(name.slice(0, 10));
  await page.getByLabel('Metadata (key=value, comma-separated)').fill('team=billing');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.getByRole('link', { name })).toBeVisible();
  await page.getByLabel('Metadata (key=value, comma-separated)').fill('team=other');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.getByText('No clients match.')).toBeVisible();
  await page.getByLabel('Metadata (key=value, comma-separated)').fill('');
  await page.getByLabel('Name starts with').fill('');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.getByRole('link', { name })).toBeVisible();
  await shot(page, 'clients');

  // Delete the secret (asked first); the token endpoint then refuses it.
  await page.getByRole('link', { name }).click();
  await page.getByRole('button', { name: /^Delete secret ci/ }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete secret' }).click();
  await expect(page.getByText('No secret yet.')).toBeVisible();
  const basic = Buffer.from(`${clientId}:${secret}`).toString('base64');
  const refused = await request.post('/oauth/token', { headers: { authorization: `Basic ${basic}` }, form: { grant_type: 'client_credentials' } });
  expect(refused.status()).toBe(401);
});

test('scopes: create, grant transitively (a tree), rename, attach to a client, detach, delete', async ({ page, admin, request, adminToken, expectNoSeriousA11yViolations }) => {
  const token = await adminToken();
  const client = (await call(request, token, 'POST', '/clients', { name: unique('ledger-app') })).body.data;
  const read = unique('ledger:read');
  const write = unique('ledger:write');
  await signIn(page, admin.clientId, admin.clientSecret);
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Scopes' }).click();
  for (const label of [read, write]) {
    await page.getByLabel("New scope's label").fill(label);
    await page.getByRole('button', { name: 'Create scope' }).click();
    await expect(page.locator('.scope-label', { hasText: label }).first()).toBeVisible();
  }
  // ledger:write also grants ledger:read: read moves under write in the tree.
  await page.getByLabel(`${write} also grants`).selectOption({ label: read });
  await page.getByLabel(`${write} also grants`).locator('xpath=..').getByRole('button', { name: 'Add' }).click();
  const writeNode = page.locator('.scope-tree > li', { has: page.locator('.scope-row > .scope-label', { hasText: write }) });
  await expect(writeNode.locator('ul .scope-label', { hasText: read })).toBeVisible();
  await expect(page.locator('.scope-tree > li > .scope-row > .scope-label', { hasText: read })).toHaveCount(0);
  await expectNoSeriousA11yViolations(page, 'scopes page');
  await shot(page, 'scopes');

  // A label that is not a scope-token is refused inline, naming the field and the rule.
  await page.getByLabel("New scope's label").fill('has space');
  await page.getByRole('button', { name: 'Create scope' }).click();
  await expect(page.getByRole('alert')).toContainText('VALIDATION');
  await expect(page.getByRole('alert')).toContainText('label');

  // Rename.
  const renamed = unique('ledger:admin');
  await writeNode.getByRole('button', { name: 'Rename' }).first().click();
  await page.getByLabel(`New label for ${write}`).fill(renamed);
  await page.getByRole('button', { name: 'Save label' }).click();
  await expect(page.locator('.scope-tree > li > .scope-row > .scope-label', { hasText: renamed })).toBeVisible();

  // Attach the renamed scope to the client: its token then carries both labels.
  await page.goto(`/console#/clients/${client.id}`);
  await page.getByLabel('Attach a scope').selectOption({ label: renamed });
  await page.getByRole('button', { name: 'Attach', exact: true }).click();
  await expect(page.locator('.chips code', { hasText: renamed })).toBeVisible();
  const secret = (await call(request, token, 'POST', `/clients/${client.id}/secrets`, {})).body.data.clear;
  await page.getByLabel('Secret', { exact: true }).fill(secret);
  await page.getByRole('button', { name: 'Get a token' }).click();
  const claims = JSON.parse((await page.getByTestId('token-claims').textContent())!);
  expect(claims.scope.split(' ').sort()).toEqual([read, renamed].sort());

  await page.getByRole('button', { name: `Detach ${renamed}` }).click();
  await expect(page.getByText('No scope attached: its tokens carry no scope.')).toBeVisible();
  expect((await call(request, token, 'GET', `/clients/${client.id}`)).body.data.scopes).toEqual([]);

  // Delete asks first; Cancel keeps it.
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Scopes' }).click();
  await page.getByRole('button', { name: `Delete ${renamed}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  await expect(page.locator('.scope-label', { hasText: renamed })).toBeVisible();
  await page.getByRole('button', { name: `Delete ${renamed}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete scope' }).click();
  await expect(page.locator('.scope-label', { hasText: renamed })).toHaveCount(0);
  await expect(page.locator('.scope-tree > li > .scope-row > .scope-label', { hasText: read })).toBeVisible();
});

test('a tenant admin sees only its tenant, and an escalation is refused and explained', async ({ page, request, adminToken }) => {
  const token = await adminToken();
  const tenant = unique('acme');
  // The operator sets up tenant acme: its admin client holds auth:read and auth:write only.
  const scope = async (label: string) => (await call(request, token, 'POST', '/scopes', { label }, tenant)).body.data.id;
  const [readId, writeId] = [await scope('auth:read'), await scope('auth:write')];
  await scope('auth:introspect'); // in the tenant, but not held by its admin
  const tenantAdmin = (await call(request, token, 'POST', '/clients', { name: 'acme admin' }, tenant)).body.data;
  for (const id of [readId, writeId]) await call(request, token, 'PUT', `/clients/${tenantAdmin.id}/scopes/${id}`, undefined, tenant);
  const secret = (await call(request, token, 'POST', `/clients/${tenantAdmin.id}/secrets`, {}, tenant)).body.data.clear;
  const worker = (await call(request, token, 'POST', '/clients', { name: 'acme worker' }, tenant)).body.data;

  await signIn(page, tenantAdmin.id, secret);
  await expect(page.getByTestId('who-tenant')).toHaveText(tenant);
  await expect(page.getByLabel('Tenant', { exact: true })).toHaveCount(0); // no switcher
  await expect(page.getByRole('link', { name: 'acme worker' })).toBeVisible();

  await page.getByRole('link', { name: 'acme worker' }).click();
  await page.getByLabel('Attach a scope').selectOption({ label: 'auth:introspect' });
  await page.getByRole('button', { name: 'Attach', exact: true }).click();
  const alert = page.locator('#client-scopes').locator('xpath=..').getByRole('alert');
  await expect(alert).toContainText('FORBIDDEN');
  await expect(alert).toContainText('auth:introspect');
  await expect(alert).toContainText('your own token does not carry it');
  await expect(alert).toContainText('Only a holder of a privilege can hand it on');
  await shot(page, 'escalation-refused');
  expect((await call(request, token, 'GET', `/clients/${worker.id}`, undefined, tenant)).body.data.scopes).toEqual([]);
});

test('an operator switches tenant: every page then acts in it', async ({ page, admin, request, adminToken }) => {
  const token = await adminToken();
  const tenant = unique('globex');
  const name = unique('globex-only');
  await call(request, token, 'POST', '/clients', { name }, tenant);
  const home = unique('home-only');
  await call(request, token, 'POST', '/clients', { name: home });

  await signIn(page, admin.clientId, admin.clientSecret);
  await expect(page.getByRole('link', { name: home })).toBeVisible();
  await expect(page.getByRole('link', { name })).toHaveCount(0);
  await page.getByLabel('Tenant', { exact: true }).fill(tenant);
  await page.getByRole('button', { name: 'Switch' }).click();
  await expect(page.getByTestId('who-tenant')).toHaveText(tenant);
  await expect(page.getByText('acting as operator')).toBeVisible();
  await expect(page.getByRole('link', { name })).toBeVisible();
  await expect(page.getByRole('link', { name: home })).toHaveCount(0);
  // A client created now lands in that tenant.
  const created = unique('made-in-globex');
  await page.getByText('New client').click();
  await page.getByLabel('Name', { exact: true }).fill(created);
  await page.getByRole('button', { name: 'Create client' }).click();
  await expect(page.getByRole('heading', { level: 1, name: created })).toBeVisible();
  const listed = (await call(request, token, 'GET', `/clients?name=${created}`, undefined, tenant)).body.data;
  expect(listed.map((c: { name: string }) => c.name)).toEqual([created]);
  // The choice survives a reload; switching back shows the home tenant again.
  await page.reload();
  await expect(page.getByTestId('who-tenant')).toHaveText(tenant);
  await page.getByLabel('Tenant', { exact: true }).fill('default');
  await page.getByRole('button', { name: 'Switch' }).click();
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Clients' }).click();
  await expect(page.getByRole('link', { name: home })).toBeVisible();
  await expect(page.getByText('acting as operator')).toHaveCount(0);
});

test('an edit based on an old copy is refused (412), never applied, and reloads on request', async ({ page, admin, request, adminToken }) => {
  const token = await adminToken();
  const client = (await call(request, token, 'POST', '/clients', { name: unique('shared') })).body.data;
  await signIn(page, admin.clientId, admin.clientSecret);
  await page.goto(`/console#/clients/${client.id}`);
  await expect(page.getByLabel('Name', { exact: true })).toHaveValue(client.name);

  // Someone else saves first.
  await call(request, token, 'PUT', `/clients/${client.id}`, { name: 'renamed elsewhere', description: 'theirs' });
  await page.getByLabel('Description').fill('mine');
  await page.getByRole('button', { name: 'Save changes' }).click();
  const alert = page.locator('#settings').locator('xpath=..').getByRole('alert');
  await expect(alert).toContainText('PRECONDITION_FAILED');
  await expect(alert).toContainText('changed since you opened it');
  await shot(page, 'edit-conflict');
  expect((await call(request, token, 'GET', `/clients/${client.id}`)).body.data).toMatchObject({ name: 'renamed elsewhere', description: 'theirs' });

  await page.getByRole('button', { name: 'Reload the current version' }).click();
  await expect(page.getByLabel('Name', { exact: true })).toHaveValue('renamed elsewhere');
  await expect(page.getByLabel('Description')).toHaveValue('theirs');
  await page.getByLabel('Description').fill('mine, on top of theirs');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('Saved.')).toBeVisible();
  expect((await call(request, token, 'GET', `/clients/${client.id}`)).body.data.description).toBe('mine, on top of theirs');
});

test('the audit trail shows what was done, from the client page', async ({ page, admin, expectNoSeriousA11yViolations }) => {
  await signIn(page, admin.clientId, admin.clientSecret);
  const name = unique('audited');
  await page.getByText('New client').click();
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByRole('button', { name: 'Create client' }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await page.getByRole('button', { name: 'Create secret' }).click();
  await page.getByRole('button', { name: 'I have stored it: close' }).click();
  await page.getByLabel('Description').fill('described');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('Saved.')).toBeVisible();
  const clientId = decodeURIComponent(new URL(page.url()).hash.replace('#/clients/', ''));

  await page.getByRole('link', { name: 'Audit trail of this client' }).click();
  await expect(page.getByLabel('Target id')).toHaveValue(clientId);
  const rows = page.getByTestId('audit-row');
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(0)).toContainText('createClient');
  await expect(rows.nth(1)).toContainText('createSecret');
  await expect(rows.nth(2)).toContainText('updateClient');
  for (let i = 0; i < 3; i++) await expect(rows.nth(i)).toContainText(admin.clientId);
  await rows.nth(2).getByText('Before and after').click();
  await expect(rows.nth(2)).toContainText('"description": "described"');
  await expectNoSeriousA11yViolations(page, 'audit page');
  await shot(page, 'audit');

  // Filter by actor: another actor matches nothing.
  await page.getByLabel('Actor (its token’s subject: a client id)').fill('someone-else');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.getByText('No events match.')).toBeVisible();

  // Deleting the client asks first, then it is gone and its deletion is in the trail.
  await page.goto(`/console#/clients/${clientId}`);
  await page.getByRole('button', { name: 'Delete client' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete it for good' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Clients' })).toBeVisible();
  await expect(page.getByRole('link', { name })).toHaveCount(0);
  await page.goto(`/console#/audit?targetId=${clientId}`);
  await expect(rows).toHaveCount(4);
  await expect(rows.nth(3)).toContainText('deleteClient');
});

test('works at 375 px wide: no sideways scrolling, nothing serious for axe', async ({ page, admin, request, adminToken, expectNoSeriousA11yViolations }) => {
  const token = await adminToken();
  const client = (await call(request, token, 'POST', '/clients', { name: unique('narrow'), metadata: { team: 'mobile' } })).body.data;
  await call(request, token, 'POST', `/clients/${client.id}/secrets`, { name: 'phone' });
  await page.setViewportSize({ width: 375, height: 812 });
  await signIn(page, admin.clientId, admin.clientSecret);
  for (const route of ['#/clients', `#/clients/${client.id}`, '#/scopes', '#/audit']) {
    await page.goto(`/console${route}`);
    await expect(page.locator('main h1')).toBeVisible();
    await page.waitForLoadState('networkidle');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${route} scrolls sideways`).toBeLessThanOrEqual(0);
    await expectNoSeriousA11yViolations(page, `${route} at 375 px`);
  }
  await page.goto(`/console#/clients/${client.id}`);
  await expect(page.locator('main h1')).toBeVisible();
  await shot(page, 'client-375px');
});

test('focus is visible on every control reached with Tab', async ({ page, admin }) => {
  await signIn(page, admin.clientId, admin.clientSecret);
  await page.reload(); // a fresh document: Tab starts at its top
  await expect(page.getByTestId('who-client')).toBeVisible();
  const seen: string[] = [];
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const style = getComputedStyle(el);
      return { name: `${el.tagName} ${el.id || el.textContent?.trim().slice(0, 20)}`, style: style.outlineStyle, width: parseFloat(style.outlineWidth) };
    });
    if (focused.name.startsWith('BODY')) break;
    seen.push(focused.name);
    expect(focused.style, focused.name).not.toBe('none');
    expect(focused.width, focused.name).toBeGreaterThanOrEqual(2);
  }
  // The skip link first, then the navigation, the session controls and the page's own.
  expect(seen[0]).toBe('A Skip to content');
  expect(seen).toEqual(expect.arrayContaining(['A Clients', 'A Scopes', 'A Audit trail', 'BUTTON Sign out', 'INPUT filter-name']));
});
