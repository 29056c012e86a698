// private_key_jwt in the console, against the real Worker: a client created with a pasted public key
// set, the refusals shown where they happen (JSON the console cannot parse, a private key member the
// API refuses), an existing client moved to a jwksUri and back to a secret; and the README's scripts
// (examples/private-key-jwt), run as the README shows, getting a real token from the Worker.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { readmeExamples, ROOT } from '../../scripts/readme-examples.mjs';
import { call, expect, signIn, test, unique } from './console-test';

const run = promisify(execFile);

/** A fresh ES256 key pair: the public JWK (with kid) to register, the private one (with d) to sign, or to paste by mistake. */
async function keyPair(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256' } as JWK, privateJwk: { ...(await exportJWK(privateKey)), kid } as JWK };
}

const METHOD = 'How it proves who it is at /oauth/token';
const KEYS = /^Public keys/;
const URI = /^Or the URL of its key set/;

test('create a private_key_jwt client with a pasted key set; bad JSON and a private member are refused inline', async ({
  page,
  admin,
  request,
  adminToken,
  expectNoSeriousA11yViolations,
}) => {
  const first = await keyPair('console-key-1');
  const second = await keyPair('console-key-2');
  await signIn(page, admin.clientId, admin.clientSecret);
  await page.getByText('New client').click();
  const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Create client' }) });
  await form.getByLabel('Name', { exact: true }).fill(unique('keyed'));
  // The key fields are only there for private_key_jwt.
  await expect(form.getByLabel(KEYS)).toBeHidden();
  await form.getByLabel(METHOD).selectOption('private_key_jwt');
  await expect(form.getByLabel(KEYS)).toBeVisible();

  // JSON the console cannot parse: said here, nothing sent.
  await form.getByLabel(KEYS).fill('{ "keys": [ { "kty": "EC", ');
  await form.getByRole('button', { name: 'Create client' }).click();
  await expect(form.getByRole('alert')).toContainText('jwks: not valid JSON');
  // One key instead of a set: said in words too.
  await form.getByLabel(KEYS).fill(JSON.stringify(first.publicJwk));
  await form.getByRole('button', { name: 'Create client' }).click();
  await expect(form.getByRole('alert')).toContainText('put it in a key set');

  // The private key pasted by mistake: the API's 400 names the member, next to the form.
  await form.getByLabel(KEYS).fill(JSON.stringify({ keys: [first.privateJwk] }, null, 2));
  await form.getByRole('button', { name: 'Create client' }).click();
  await expect(form.getByRole('alert')).toContainText('jwks.keys[0].d');
  await expect(form.getByRole('alert')).toContainText('private key member');

  // The public keys: created, and the page says how it authenticates and with which keys.
  await form.getByLabel(KEYS).fill(JSON.stringify({ keys: [first.publicJwk, second.publicJwk] }, null, 2));
  await form.getByRole('button', { name: 'Create client' }).click();
  await expect(page).toHaveURL(/#\/clients\/[\w-]+$/);
  const clientId = decodeURIComponent(page.url().split('#/clients/')[1]!);
  await expect(page.getByTestId('auth-method')).toContainText('private_key_jwt');
  await expect(page.getByTestId('auth-keys')).toHaveText('console-key-1, console-key-2');
  await expect(page.getByTestId('try-key-client')).toContainText('signed assertion');
  await expect(page.getByTestId('try-key-client')).toContainText('never leaves the client');
  await expect(page.getByLabel('Secret', { exact: true })).toHaveCount(0);

  const { data } = (await call(request, await adminToken(), 'GET', `/clients/${encodeURIComponent(clientId)}`)).body;
  expect(data.tokenEndpointAuthMethod).toBe('private_key_jwt');
  expect(data.jwksUri).toBeNull();
  expect(data.jwks.keys.map((key: JWK) => key.kid)).toEqual(['console-key-1', 'console-key-2']);
  expect(data.jwks.keys[0]).toEqual(first.publicJwk);
  expect(JSON.stringify(data)).not.toContain(String(first.privateJwk.d));

  // The page with the fieldset open (the edit form of a key client shows its key set).
  await expect(page.locator('#edit-jwks')).toBeVisible();
  await expectNoSeriousA11yViolations(page, 'client page, private_key_jwt');
});

test('an existing key client moves to a jwksUri, then back to a secret, which clears its keys', async ({ page, admin, request, adminToken }) => {
  const key = await keyPair('move-key');
  const token = await adminToken();
  const created = (await call(request, token, 'POST', '/clients', {
    name: unique('moving'),
    tokenEndpointAuthMethod: 'private_key_jwt',
    jwks: { keys: [key.publicJwk] },
  })).body;
  const path = `/clients/${encodeURIComponent(created.data.id)}`;
  await signIn(page, admin.clientId, admin.clientSecret);
  await page.goto(`/console#${path}`);
  const settings = page.getByRole('region', { name: 'Settings' });
  await expect(settings.getByLabel(METHOD)).toHaveValue('private_key_jwt');
  await expect(settings.getByLabel(KEYS)).toHaveValue(/"kid": "move-key"/);

  // Both: the API's rule, shown inline.
  await settings.getByLabel(URI).fill('https://keys.example.com/jwks.json');
  await settings.getByRole('button', { name: 'Save changes' }).click();
  await expect(settings.getByRole('alert')).toContainText('jwksUri: give jwks or jwksUri, not both');

  // The URI alone.
  await settings.getByLabel(KEYS).fill('');
  await settings.getByRole('button', { name: 'Save changes' }).click();
  await expect(settings.getByRole('status')).toHaveText('Saved.');
  await expect(page.getByTestId('auth-keys')).toHaveText('https://keys.example.com/jwks.json');
  let { data } = (await call(request, token, 'GET', path)).body;
  expect(data).toMatchObject({ tokenEndpointAuthMethod: 'private_key_jwt', jwks: null, jwksUri: 'https://keys.example.com/jwks.json' });

  // Back to a secret: the key fields go, and the edit sends jwks and jwksUri as null.
  await settings.getByLabel(METHOD).selectOption('client_secret_basic');
  await expect(settings.getByLabel(URI)).toBeHidden();
  await settings.getByRole('button', { name: 'Save changes' }).click();
  await expect(settings.getByRole('status')).toHaveText('Saved.');
  await expect(page.getByTestId('auth-method')).toContainText('client_secret_basic');
  await expect(page.getByTestId('auth-keys')).toHaveCount(0);
  ({ data } = (await call(request, token, 'GET', path)).body);
  expect(data).toMatchObject({ tokenEndpointAuthMethod: 'client_secret_basic', jwks: null, jwksUri: null });
  // A secret client can be tried again.
  await expect(page.getByLabel('Secret', { exact: true })).toBeVisible();
});

test("the README's scripts, run as it shows, get a token from the Worker under test", async ({ request, adminToken, baseURL }) => {
  // What the README shows is what runs here.
  const examples = readmeExamples();
  expect(examples.map((example) => example.file).sort()).toEqual([
    'examples/private-key-jwt/generate-key.mjs',
    'examples/private-key-jwt/get-token.mjs',
  ]);
  for (const { file, block, source } of examples) expect(block, `the README's copy of ${file}`).toBe(source);

  const dir = mkdtempSync(join(tmpdir(), 'pkjwt-'));
  try {
    const keyFile = join(dir, 'client-key.json');
    const generated = await run(process.execPath, ['examples/private-key-jwt/generate-key.mjs', keyFile], { cwd: ROOT });
    const jwks = JSON.parse(generated.stdout);
    expect(jwks.keys[0]).not.toHaveProperty('d');
    const client = (await call(request, await adminToken(), 'POST', '/clients', {
      name: unique('readme'),
      tokenEndpointAuthMethod: 'private_key_jwt',
      jwks,
    })).body;
    const env = { ...process.env, BASE_URL: baseURL!, CLIENT_ID: client.data.id as string, PRIVATE_JWK_FILE: keyFile };
    // Twice: every run signs a new assertion (a new jti), so the second is no replay.
    for (let round = 0; round < 2; round++) {
      const { stdout } = await run(process.execPath, ['examples/private-key-jwt/get-token.mjs'], { cwd: ROOT, env });
      const [, status, json] = /^(\d{3}) ([\s\S]*)$/.exec(stdout.trim()) ?? [];
      expect(status, stdout).toBe('200');
      const answer = JSON.parse(json!);
      expect(answer.token_type).toBe('Bearer');
      expect(answer.access_token).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a client_secret_post client is tried with its secret in the body (it refuses HTTP Basic)', async ({ page, admin, request, adminToken }) => {
  const token = await adminToken();
  const created = (await call(request, token, 'POST', '/clients', { name: unique('post'), tokenEndpointAuthMethod: 'client_secret_post' })).body;
  const path = `/clients/${encodeURIComponent(created.data.id)}`;
  const secret = (await call(request, token, 'POST', `${path}/secrets`, { name: 'try' })).body.data.clear as string;
  await signIn(page, admin.clientId, admin.clientSecret);
  await page.goto(`/console#${path}`);
  await expect(page.getByTestId('auth-method')).toContainText('client_secret_post');
  await page.getByLabel('Secret', { exact: true }).fill(secret);
  await page.getByRole('button', { name: 'Get a token' }).click();
  await expect(page.getByTestId('token-claims')).toContainText(created.data.id);
  await expect(page.getByTestId('token-curl')).toContainText('--data-urlencode "client_secret=$CLIENT_SECRET"');
  await expect(page.getByTestId('token-curl')).not.toContainText(secret);
});
