import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { api, countRows, createClient, createScope, createSecret, expectError } from './helpers';

const etagOf = async (path: string) => (await api('GET', path)).headers.get('etag')!;

describe('ETag', () => {
  it('is sent by create, read and update, and changes with every change to the representation', async () => {
    const created = await api('POST', '/clients', { body: { name: 'v' } });
    expect(created.headers.get('etag')).toBe('"1"');
    const path = `/clients/${created.body.data.id}`;
    expect(await etagOf(path)).toBe('"1"');
    const updated = await api('PUT', path, { body: { name: 'v2' } });
    expect(updated.headers.get('etag')).toBe('"2"');
    const secret = await createSecret(created.body.data.id);
    expect(await etagOf(path)).toBe('"3"');
    const scope = await createScope();
    await api('PUT', `${path}/scopes/${scope.id}`);
    expect(await etagOf(path)).toBe('"4"');
    await api('PUT', `${path}/scopes/${scope.id}`); // already attached: nothing changes
    expect(await etagOf(path)).toBe('"4"');
    await api('DELETE', `${path}/secrets/${secret.id}`);
    expect(await etagOf(path)).toBe('"5"');
    await api('DELETE', `/scopes/${scope.id}`); // cascades the link away
    expect(await etagOf(path)).toBe('"6"');
  });

  it('versions scopes too, transient links included', async () => {
    const scope = await createScope();
    const other = await createScope();
    const path = `/scopes/${scope.id}`;
    expect(await etagOf(path)).toBe('"1"');
    await api('PUT', `${path}/transient/${other.id}`);
    expect(await etagOf(path)).toBe('"2"');
    expect((await api('PUT', path, { body: { label: scope.label } })).headers.get('etag')).toBe('"3"');
  });
});

describe('If-Match', () => {
  it('applies a PUT when it matches and refuses it with 412 when stale, changing nothing', async () => {
    const client = await createClient({ name: 'original' });
    const path = `/clients/${client.id}`;
    const ok = await api('PUT', path, { body: { name: 'first' }, headers: { 'if-match': '"1"' } });
    expect(ok.status).toBe(200);
    const stale = await api('PUT', path, { body: { name: 'second' }, headers: { 'if-match': '"1"' } });
    expect(expectError(stale, 412, 'PRECONDITION_FAILED')).toBe(`client "${client.id}" has changed: its ETag is "2"`);
    expect((await api('GET', path)).body.data.name).toBe('first');
    expect((await api('PUT', path, { body: { name: 'any' }, headers: { 'if-match': '*' } })).status).toBe(200);
    expect((await api('PUT', path, { body: { name: 'list' }, headers: { 'if-match': '"9", "3"' } })).status).toBe(200);
    expectError(await api('PUT', path, { body: { name: 'weak' }, headers: { 'if-match': 'W/"4"' } }), 412, 'PRECONDITION_FAILED');
    expect((await api('PUT', path, { body: { name: 'last write wins' } })).status).toBe(200);
  });

  it('guards DELETE, and sub-resources by their parent’s ETag', async () => {
    const client = await createClient();
    const secret = await createSecret(client.id); // version 2
    const scope = await createScope();
    const path = `/clients/${client.id}`;
    expectError(await api('DELETE', `${path}/secrets/${secret.id}`, { headers: { 'if-match': '"1"' } }), 412, 'PRECONDITION_FAILED');
    expect(await countRows('client_secrets', 'id = ?', secret.id)).toBe(1);
    expectError(await api('PUT', `${path}/scopes/${scope.id}`, { headers: { 'if-match': '"1"' } }), 412, 'PRECONDITION_FAILED');
    expect(await countRows('client_scopes', 'client_id = ?', client.id)).toBe(0);
    expect((await api('PUT', `${path}/scopes/${scope.id}`, { headers: { 'if-match': '"2"' } })).status).toBe(204);
    expectError(await api('DELETE', `${path}/scopes/${scope.id}`, { headers: { 'if-match': '"2"' } }), 412, 'PRECONDITION_FAILED');
    expectError(await api('DELETE', path, { headers: { 'if-match': '"2"' } }), 412, 'PRECONDITION_FAILED');
    expect((await api('GET', path)).status).toBe(200);
    expect((await api('DELETE', path, { headers: { 'if-match': '"3"' } })).status).toBe(204);
    expectError(await api('DELETE', path, { headers: { 'if-match': '"3"' } }), 404, 'NOT_FOUND');
  });

  it('guards scope updates, deletes and transient links', async () => {
    const scope = await createScope();
    const other = await createScope();
    const path = `/scopes/${scope.id}`;
    expectError(await api('PUT', path, { body: { label: 'x:y' }, headers: { 'if-match': '"7"' } }), 412, 'PRECONDITION_FAILED');
    expectError(await api('PUT', `${path}/transient/${other.id}`, { headers: { 'if-match': '"7"' } }), 412, 'PRECONDITION_FAILED');
    expectError(await api('DELETE', path, { headers: { 'if-match': '"7"' } }), 412, 'PRECONDITION_FAILED');
    expect((await api('GET', path)).body.data).toEqual(scope);
    expect((await api('DELETE', path, { headers: { 'if-match': '"1"' } })).status).toBe(204);
  });

  it('refuses every guarded write with a stale If-Match with 412, and the database stays byte-for-byte the same', async () => {
    const client = await createClient();
    const secret = await createSecret(client.id);
    const [attached, loose, parent, child] = [await createScope(), await createScope(), await createScope(), await createScope()];
    await api('PUT', `/clients/${client.id}/scopes/${attached.id}`);
    await api('PUT', `/scopes/${parent.id}/transient/${child.id}`);
    const stale = { 'if-match': '"1"' }; // every object above has moved past version 1, except loose and child
    const guarded: [string, string, unknown?][] = [
      ['PUT', `/clients/${client.id}`, { name: 'stale' }],
      ['DELETE', `/clients/${client.id}`],
      ['DELETE', `/clients/${client.id}/secrets/${secret.id}`],
      ['PUT', `/clients/${client.id}/scopes/${loose.id}`],
      ['DELETE', `/clients/${client.id}/scopes/${attached.id}`],
      ['PUT', `/scopes/${parent.id}`, { label: 'stale:label' }],
      ['DELETE', `/scopes/${parent.id}`],
      ['PUT', `/scopes/${parent.id}/transient/${loose.id}`],
      ['DELETE', `/scopes/${parent.id}/transient/${child.id}`],
    ];
    const before = await databaseSnapshot();
    expect(before.scope_transients).toContainEqual(expect.objectContaining({ scope_id: parent.id, transient_scope_id: child.id }));
    for (const [method, path, body] of guarded) {
      const res = await api(method, path, { body, headers: stale });
      expect(`${method} ${path} ${res.status} ${res.body?.errorCode}`).toBe(`${method} ${path} 412 PRECONDITION_FAILED`);
      expect(await databaseSnapshot(), `${method} ${path}`).toEqual(before);
    }
  });

  it('accepts up to 16 entity tags in If-Match, and answers more with 400 on every guarded write', async () => {
    const client = await createClient();
    const tags = (n: number) => Array.from({ length: n }, (_, i) => `"${i + 1}"`).join(', ');
    expect((await api('PUT', `/clients/${client.id}`, { body: { name: 'sixteen' }, headers: { 'if-match': tags(16) } })).status).toBe(200);
    for (const [method, path, body] of [
      ['PUT', `/clients/${client.id}`, { name: 'many' }],
      ['DELETE', `/clients/${client.id}`],
      ['PUT', `/scopes/${(await createScope()).id}`, { label: 'many:tags' }],
    ] as const) {
      const res = await api(method, path, { body, headers: { 'if-match': tags(200) } });
      expect(expectError(res, 400, 'VALIDATION')).toBe('If-Match: must hold at most 16 entity tags');
    }
    expect((await api('GET', `/clients/${client.id}`)).body.data.name).toBe('sixteen');
  });

  it('lets exactly one of 50 concurrent PUTs with the same If-Match win', async () => {
    const client = await createClient();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        api('PUT', `/clients/${client.id}`, { body: { name: `writer ${i}` }, headers: { 'if-match': '"1"' } }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(49);
    const winner = results.find((r) => r.status === 200)!.body.data.name;
    expect((await api('GET', `/clients/${client.id}`)).body.data.name).toBe(winner);
  });
});

/** Every row of every table, in a stable order. */
async function databaseSnapshot() {
  const tables = ['clients', 'client_secrets', 'scopes', 'client_scopes', 'scope_transients'];
  const snapshot: Record<string, unknown[]> = {};
  for (const table of tables) {
    snapshot[table] = (await env.DB.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all()).results;
  }
  return snapshot;
}
