import { describe, expect, it } from 'vitest';
import { ADMIN_CREDENTIALS, api, countRows, createClient, createScope, createSecret, expectError } from './helpers';

const fullOptions = {
  name: 'Billing service',
  description: 'Charges customers',
  redirectUris: ['https://billing.example.com/callback', 'com.example.app:/oauth2redirect'],
  postLogoutRedirectUris: ['https://billing.example.com/bye'],
  public: true,
  trusted: true,
  metadata: { team: 'payments', tier: 'gold' },
};

describe('createClient', () => {
  it('creates a client with defaults for every unset option', async () => {
    const res = await api('POST', '/clients', { body: { name: 'minimal' } });
    expect(res.status).toBe(201);
    expect(res.body.data).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'minimal',
      description: '',
      redirectUris: [],
      postLogoutRedirectUris: [],
      public: false,
      trusted: false,
      metadata: {},
      scopes: [],
      secrets: [],
      tokenEndpointAuthMethod: 'client_secret_basic',
      jwks: null,
      jwksUri: null,
    });
  });

  it('stores every option, trusted included, and reads them back', async () => {
    const created = await api('POST', '/clients', { body: fullOptions });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject(fullOptions);
    const read = await api('GET', `/clients/${created.body.data.id}`);
    expect(read.body.data).toEqual({
      ...fullOptions,
      id: created.body.data.id,
      scopes: [],
      secrets: [],
      tokenEndpointAuthMethod: 'client_secret_basic',
      jwks: null,
      jwksUri: null,
    });
  });

  it('imports a client under a chosen id and refuses the same id twice with 409', async () => {
    const first = await api('POST', '/clients', { body: { id: 'legacy.client_1~x-y', name: 'imported' } });
    expect(first.status).toBe(201);
    expect(first.body.data.id).toBe('legacy.client_1~x-y');
    const again = await api('POST', '/clients', { body: { id: 'legacy.client_1~x-y', name: 'other' } });
    expect(expectError(again, 409, 'CONFLICT')).toContain('legacy.client_1~x-y');
    expect((await api('GET', '/clients/legacy.client_1~x-y')).body.data.name).toBe('imported');
  });

  it('refuses to import a client under the static admin client’s id', async () => {
    const res = await api('POST', '/clients', { body: { id: ADMIN_CREDENTIALS.id, name: 'impostor' } });
    expect(expectError(res, 409, 'CONFLICT')).toBe(`client "${ADMIN_CREDENTIALS.id}" already exists`);
  });

  it('ignores unknown keys, and scopes or secrets sent in the body', async () => {
    const res = await api('POST', '/clients', {
      body: { name: 'sneaky', scopes: ['admin'], secrets: [{ id: 's', clear: 'x' }], isAdmin: true },
    });
    expect(res.status).toBe(201);
    expect(res.body.data.scopes).toEqual([]);
    expect(res.body.data.secrets).toEqual([]);
    expect(res.body.data).not.toHaveProperty('isAdmin');
  });

  it.each([
    [{}, 'name: is required'],
    [{ name: '' }, 'name: must not be empty'],
    [{ name: 'x'.repeat(257) }, 'name: must be at most 256 characters'],
    [{ name: 42 }, 'name: Invalid input: expected string'],
    [{ name: 'a', description: 'd'.repeat(4097) }, 'description: must be at most 4096 characters'],
    [{ name: 'a', redirectUris: 'https://x.example' }, 'redirectUris: Invalid input: expected array'],
    [{ name: 'a', redirectUris: Array(101).fill('https://x.example/cb') }, 'redirectUris: must hold at most 100 URIs'],
    [{ name: 'a', redirectUris: [`https://x.example/${'p'.repeat(2048)}`] }, 'redirectUris[0]: must be at most 2048 characters'],
    [{ name: 'a', redirectUris: ['/relative/path'] }, 'redirectUris[0]: must be an absolute URI'],
    [{ name: 'a', redirectUris: ['https://ok.example/cb', 'https://x.example/cb#frag'] }, 'redirectUris[1]: must not contain a fragment'],
    [{ name: 'a', redirectUris: ['javascript:alert(1)'] }, 'redirectUris[0]: must not use the javascript: scheme'],
    [{ name: 'a', postLogoutRedirectUris: ['data:text/html,hi'] }, 'postLogoutRedirectUris[0]: must not use the data: scheme'],
    [{ name: 'a', postLogoutRedirectUris: ['file:///etc/passwd'] }, 'postLogoutRedirectUris[0]: must not use the file: scheme'],
    [{ name: 'a', public: 'yes' }, 'public: Invalid input: expected boolean'],
    [{ name: 'a', trusted: 1 }, 'trusted: Invalid input: expected boolean'],
    [{ name: 'a', metadata: { k: 1 } }, 'metadata.k: Invalid input: expected string'],
    [{ name: 'a', metadata: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])) }, 'metadata: must have at most 64 keys'],
    [{ name: 'a\ud800' }, 'name: must be well-formed Unicode (no lone surrogates)'],
    [{ name: 'a', metadata: { ['k\udc00']: 'v' } }, 'must be well-formed Unicode'],
    [{ name: 'a', id: 'has space' }, 'id: must be 1-128 characters of A-Z a-z 0-9 . _ ~ -, and not "." or ".."'],
    // Dot segments: URL parsers resolve them away, so such a client could never be read or deleted.
    [{ name: 'a', id: '..' }, 'id: must be 1-128 characters of A-Z a-z 0-9 . _ ~ -, and not "." or ".."'],
    [{ name: 'a', id: '.' }, 'id: must be 1-128 characters of A-Z a-z 0-9 . _ ~ -, and not "." or ".."'],
    [{ name: 'a', id: 'x'.repeat(129) }, 'id: must be 1-128 characters'],
    [[{ name: 'a' }], 'body: Invalid input: expected object, received array'],
  ])('refuses %j with a 400 naming the field and rule, storing nothing', async (body, message) => {
    const before = await countRows('clients');
    const res = await api('POST', '/clients', { body });
    expect(expectError(res, 400, 'VALIDATION')).toContain(message);
    expect(await countRows('clients')).toBe(before);
  });

  it('refuses a __proto__ metadata key and keeps other odd keys exactly', async () => {
    const refused = await api('POST', '/clients', { rawBody: '{"name":"p","metadata":{"__proto__":"x"}}', headers: { 'content-type': 'application/json' } });
    expect(expectError(refused, 400, 'VALIDATION')).toContain('metadata.__proto__: key "__proto__" is reserved');
    const metadata = { constructor: 'c', toString: 't', 'ключ 🔑': 'значение' };
    const created = await api('POST', '/clients', { body: { name: 'p', metadata } });
    expect((await api('GET', `/clients/${created.body.data.id}`)).body.data.metadata).toEqual(metadata);
  });

  it('leaves nothing behind when the body is invalid', async () => {
    const before = await countRows('clients');
    await api('POST', '/clients', { body: { name: 'ok', redirectUris: ['https://a.example', 'bad'] } });
    expect(await countRows('clients')).toBe(before);
  });
});

describe('readClient', () => {
  it('returns the client with its scopes and secrets, without digests', async () => {
    const client = await createClient();
    const scope = await createScope();
    await api('PUT', `/clients/${client.id}/scopes/${scope.id}`);
    const secret = await createSecret(client.id, 'ci');
    const res = await api('GET', `/clients/${client.id}`);
    expect(res.status).toBe(200);
    expect(res.body.data.scopes).toEqual([scope.id]);
    expect(res.body.data.secrets).toEqual([
      { id: secret.id, name: 'ci', lastDigits: secret.lastDigits, metadata: {}, createdAt: secret.createdAt, expiresAt: null, lastUsedAt: null },
    ]);
  });

  it('answers 404 with the JSON error for an unknown client', async () => {
    const res = await api('GET', '/clients/does-not-exist');
    expect(expectError(res, 404, 'NOT_FOUND')).toBe('client "does-not-exist" not found');
  });

  it('answers 400 for an id outside the allowed characters', async () => {
    const res = await api('GET', `/clients/${encodeURIComponent('a b')}`);
    expect(expectError(res, 400, 'VALIDATION')).toContain('clientId: must be 1-128 characters');
  });
});

describe('listClients', () => {
  it('lists clients ordered by creation then id, with their scopes and secrets', async () => {
    const ids: string[] = [];
    for (const name of ['one', 'two', 'three']) ids.push((await createClient({ name })).id);
    const scope = await createScope();
    await api('PUT', `/clients/${ids[1]}/scopes/${scope.id}`);
    await createSecret(ids[2]!);
    const res = await api('GET', '/clients');
    expect(res.status).toBe(200);
    const listed = res.body.data.filter((c: { id: string }) => ids.includes(c.id));
    expect(listed.map((c: { name: string }) => c.name)).toEqual(['one', 'two', 'three']);
    expect(listed[1].scopes).toEqual([scope.id]);
    expect(listed[2].secrets).toHaveLength(1);
  });
});

describe('updateClient', () => {
  it('replaces the options fully and keeps scopes and secrets', async () => {
    const client = await createClient(fullOptions);
    const scope = await createScope();
    await api('PUT', `/clients/${client.id}/scopes/${scope.id}`);
    const secret = await createSecret(client.id);
    const res = await api('PUT', `/clients/${client.id}`, {
      body: { name: 'renamed', trusted: true, scopes: [], secrets: [] },
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      id: client.id,
      name: 'renamed',
      description: '',
      redirectUris: [],
      postLogoutRedirectUris: [],
      public: false,
      trusted: true,
      metadata: {},
      scopes: [scope.id],
      secrets: [
        { id: secret.id, name: 'primary', lastDigits: secret.lastDigits, metadata: {}, createdAt: secret.createdAt, expiresAt: null, lastUsedAt: null },
      ],
      tokenEndpointAuthMethod: 'client_secret_basic',
      jwks: null,
      jwksUri: null,
    });
    expect((await api('GET', `/clients/${client.id}`)).body.data).toEqual(res.body.data);
  });

  it('answers 404 for an unknown client and 400 for an invalid body without changing anything', async () => {
    expectError(await api('PUT', '/clients/nope', { body: { name: 'x' } }), 404, 'NOT_FOUND');
    const client = await createClient({ name: 'keep' });
    expectError(await api('PUT', `/clients/${client.id}`, { body: { name: 'x', redirectUris: ['nope'] } }), 400, 'VALIDATION');
    expect((await api('GET', `/clients/${client.id}`)).body.data.name).toBe('keep');
  });
});

describe('deleteClient', () => {
  it('deletes the client, then answers 404', async () => {
    const client = await createClient();
    const res = await api('DELETE', `/clients/${client.id}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expectError(await api('GET', `/clients/${client.id}`), 404, 'NOT_FOUND');
    expectError(await api('DELETE', `/clients/${client.id}`), 404, 'NOT_FOUND');
  });
});

describe('createSecret', () => {
  it('returns the clear secret once: 256 random bits, URL-safe, lastDigits its last 4 characters', async () => {
    const client = await createClient();
    const res = await api('POST', `/clients/${client.id}/secrets`, { body: { name: 'deploy', metadata: { env: 'prod' } } });
    expect(res.status).toBe(200);
    const secret = res.body.data;
    expect(Object.keys(secret).sort()).toEqual(['clear', 'createdAt', 'expiresAt', 'id', 'lastDigits', 'lastUsedAt', 'metadata', 'name']);
    expect(Date.parse(secret.createdAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(secret.expiresAt).toBeNull();
    expect(secret.clear).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(secret.lastDigits).toBe(secret.clear.slice(-4));
    expect(secret.metadata).toEqual({ env: 'prod' });
    const other = await createSecret(client.id);
    expect(other.clear).not.toBe(secret.clear);
  });

  it('answers 404 for an unknown client, storing nothing; without a name, the secret gets an empty one, as in Formance', async () => {
    expectError(await api('POST', '/clients/ghost/secrets', { body: { name: 'x' } }), 404, 'NOT_FOUND');
    expect(await countRows('client_secrets', 'client_id = ?', 'ghost')).toBe(0);
    const client = await createClient();
    const unnamed = await api('POST', `/clients/${client.id}/secrets`, { body: {} });
    expect({ status: unnamed.status, name: unnamed.body.data.name }).toEqual({ status: 200, name: '' });
    expect(expectError(await api('POST', `/clients/${client.id}/secrets`, { body: { name: 'n'.repeat(257) } }), 400, 'VALIDATION')).toBe(
      'name: must be at most 256 characters',
    );
  });
});

describe('deleteSecret', () => {
  it('deletes one secret and keeps the others', async () => {
    const client = await createClient();
    const a = await createSecret(client.id, 'a');
    const b = await createSecret(client.id, 'b');
    expect((await api('DELETE', `/clients/${client.id}/secrets/${a.id}`)).status).toBe(204);
    const read = await api('GET', `/clients/${client.id}`);
    expect(read.body.data.secrets.map((s: { id: string }) => s.id)).toEqual([b.id]);
  });

  it('answers 404 for an unknown client, an unknown secret, and a secret of another client', async () => {
    const client = await createClient();
    const other = await createClient();
    const secret = await createSecret(other.id);
    expect(expectError(await api('DELETE', `/clients/ghost/secrets/${secret.id}`), 404, 'NOT_FOUND')).toContain('client "ghost"');
    expect(expectError(await api('DELETE', `/clients/${client.id}/secrets/nope`), 404, 'NOT_FOUND')).toContain('secret "nope"');
    expectError(await api('DELETE', `/clients/${client.id}/secrets/${secret.id}`), 404, 'NOT_FOUND');
    expect(await countRows('client_secrets', 'id = ?', secret.id)).toBe(1);
  });
});

describe('addScopeToClient / deleteScopeFromClient', () => {
  it('attaches once (idempotent) and detaches (idempotent)', async () => {
    const client = await createClient();
    const scope = await createScope();
    expect((await api('PUT', `/clients/${client.id}/scopes/${scope.id}`)).status).toBe(204);
    expect((await api('PUT', `/clients/${client.id}/scopes/${scope.id}`)).status).toBe(204);
    expect(await countRows('client_scopes', 'client_id = ?', client.id)).toBe(1);
    expect((await api('GET', `/clients/${client.id}`)).body.data.scopes).toEqual([scope.id]);
    expect((await api('DELETE', `/clients/${client.id}/scopes/${scope.id}`)).status).toBe(204);
    expect((await api('DELETE', `/clients/${client.id}/scopes/${scope.id}`)).status).toBe(204);
    expect((await api('GET', `/clients/${client.id}`)).body.data.scopes).toEqual([]);
  });

  it('answers 404 naming the unknown client or scope', async () => {
    const client = await createClient();
    const scope = await createScope();
    for (const method of ['PUT', 'DELETE']) {
      expect(expectError(await api(method, `/clients/ghost/scopes/${scope.id}`), 404, 'NOT_FOUND')).toContain('client "ghost"');
      expect(expectError(await api(method, `/clients/${client.id}/scopes/ghost`), 404, 'NOT_FOUND')).toContain('scope "ghost"');
    }
    expect(await countRows('client_scopes', 'client_id = ?', client.id)).toBe(0);
  });
});
