import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { api, countRows, createClient, createScope, createSecret, expectError, type ApiResponse } from './helpers';
import { tenantToken } from './tokens';

// Every count and size a caller can grow is capped with a 400 naming the limit.

const now = () => Date.now();

describe('caps', () => {
  it('at most 20 secrets per client that have not expired; an expired one does not count', async () => {
    const client = await createClient();
    for (let i = 0; i < 20; i++) await createSecret(client.id, `s${i}`);
    const refused = await api('POST', `/clients/${client.id}/secrets`, { body: { name: 'one too many' } });
    expect(expectError(refused, 400, 'VALIDATION')).toBe('secrets: a client may hold at most 20 secrets that have not expired');
    expect(await countRows('client_secrets', 'client_id = ?', client.id)).toBe(20);
    await env.DB.prepare('UPDATE client_secrets SET expires_at = ? WHERE client_id = ? AND name = ?').bind(now() - 1000, client.id, 's0').run();
    expect((await api('POST', `/clients/${client.id}/secrets`, { body: { name: 'replaces the expired one' } })).status).toBe(200);
  });

  it('expired secrets do not pile up past the cap: creating a secret removes the client’s expired ones', async () => {
    const client = await createClient();
    for (let i = 0; i < 20; i++) await createSecret(client.id, `old${i}`);
    await env.DB.prepare('UPDATE client_secrets SET expires_at = ? WHERE client_id = ?').bind(now() - 1000, client.id).run();
    const fresh = await api('POST', `/clients/${client.id}/secrets`, { body: { name: 'fresh' } });
    expect(fresh.status).toBe(200);
    const names = (await api('GET', `/clients/${client.id}`)).body.data.secrets.map((s: { name: string }) => s.name);
    expect(names).toEqual(['fresh']);
    // A refused request removes nothing.
    const other = await createClient();
    await createSecret(other.id, 'expired');
    await env.DB.prepare('UPDATE client_secrets SET expires_at = ? WHERE client_id = ?').bind(now() - 1000, other.id).run();
    const reader = await tenantToken('default', 'auth:read');
    expect((await api('POST', `/clients/${other.id}/secrets`, { token: reader, body: { name: 'x' } })).status).toBe(403);
    expect(await countRows('client_secrets', 'client_id = ?', other.id)).toBe(1);
  });

  it('at most 100 scopes attached to a client; re-attaching one it holds is still fine', async () => {
    const client = await createClient();
    const scopes = [];
    for (let i = 0; i < 101; i++) scopes.push(await createScope());
    for (const scope of scopes.slice(0, 100)) expect((await api('PUT', `/clients/${client.id}/scopes/${scope.id}`)).status).toBe(204);
    const refused = await api('PUT', `/clients/${client.id}/scopes/${scopes[100].id}`);
    expect(expectError(refused, 400, 'VALIDATION')).toBe('scopes: a client may hold at most 100 scopes');
    expect((await api('PUT', `/clients/${client.id}/scopes/${scopes[0].id}`)).status).toBe(204);
    expect(await countRows('client_scopes', 'client_id = ?', client.id)).toBe(100);
  });

  it('at most 100 transient scopes per scope', async () => {
    const parent = await createScope();
    const children = [];
    for (let i = 0; i < 101; i++) children.push(await createScope());
    for (const child of children.slice(0, 100)) expect((await api('PUT', `/scopes/${parent.id}/transient/${child.id}`)).status).toBe(204);
    const refused = await api('PUT', `/scopes/${parent.id}/transient/${children[100].id}`);
    expect(expectError(refused, 400, 'VALIDATION')).toBe('transient: a scope may have at most 100 transient scopes');
    expect(await countRows('scope_transients', 'scope_id = ?', parent.id)).toBe(100);
    expect((await api('PUT', `/scopes/${parent.id}/transient/${children[0].id}`)).status).toBe(204);
  });

  it('a client may be granted at most 256 scopes, transient ones included', async () => {
    // Three scopes of 100 transient scopes each (written straight into D1): 303 in all.
    const roots = [0, 1, 2].map((r) => `closure-root-${r}`);
    const statements = roots.flatMap((root) => [
      env.DB.prepare('INSERT INTO scopes (id, tenant_id, label, created_at) VALUES (?, ?, ?, ?)').bind(root, 'default', root, now()),
      ...Array.from({ length: 100 }, (_, i) => [
        env.DB.prepare('INSERT INTO scopes (id, tenant_id, label, created_at) VALUES (?, ?, ?, ?)').bind(`${root}-${i}`, 'default', `${root}-${i}`, now()),
        env.DB.prepare('INSERT INTO scope_transients (tenant_id, scope_id, transient_scope_id, created_at) VALUES (?, ?, ?, ?)').bind('default', root, `${root}-${i}`, now()),
      ]).flat(),
    ]);
    for (let i = 0; i < statements.length; i += 100) await env.DB.batch(statements.slice(i, i + 100));
    const client = await createClient();
    for (const root of roots.slice(0, 2)) expect((await api('PUT', `/clients/${client.id}/scopes/${root}`)).status).toBe(204);
    const refused = await api('PUT', `/clients/${client.id}/scopes/${roots[2]}`);
    expect(expectError(refused, 400, 'VALIDATION')).toBe('scopes: a client may be granted at most 256 scopes, transient scopes included');
    expect(await countRows('client_scopes', 'client_id = ?', client.id)).toBe(2);
    // Reached through transient links instead: the parent's own closure is capped the same way.
    const hub = await createScope();
    for (const root of roots.slice(0, 2)) expect((await api('PUT', `/scopes/${hub.id}/transient/${root}`)).status).toBe(204);
    const deep = await api('PUT', `/scopes/${hub.id}/transient/${roots[2]}`);
    expect(expectError(deep, 400, 'VALIDATION')).toBe('transient: a scope may reach at most 256 scopes, itself and transient scopes included');
  });

  it('metadata of at most 8 KiB per object, as JSON', async () => {
    const big = Object.fromEntries(Array.from({ length: 3 }, (_, i) => [`k${i}`, 'x'.repeat(3000)]));
    for (const [method, path, body] of [
      ['POST', '/clients', { name: 'x', metadata: big }],
      ['POST', '/scopes', { label: 'big:meta', metadata: big }],
      ['POST', `/clients/${(await createClient()).id}/secrets`, { name: 'x', metadata: big }],
    ] as const) {
      const res = await api(method, path, { body });
      expect(expectError(res, 400, 'VALIDATION')).toBe('metadata: must be at most 8192 bytes in total, as JSON');
    }
    const fits = Object.fromEntries(Array.from({ length: 2 }, (_, i) => [`k${i}`, 'x'.repeat(4000)]));
    expect((await api('POST', '/clients', { body: { name: 'x', metadata: fits } })).status).toBe(201);
  });

  it('rows written before the caps still read, alone and in a page', async () => {
    const client = await createClient({ name: 'legacy' });
    const metadata = JSON.stringify(Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`key${i}`, 'v'.repeat(4000)])));
    const insert = env.DB.prepare(
      'INSERT INTO client_secrets (id, tenant_id, client_id, name, last_digits, digest, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const rows = Array.from({ length: 40 }, (_, i) => insert.bind(`legacy-${i}`, 'default', client.id, `s${i}`, 'abcd', '0'.repeat(64), metadata, now() + i));
    for (let i = 0; i < rows.length; i += 10) await env.DB.batch(rows.slice(i, i + 10));
    const read = await api('GET', `/clients/${client.id}`);
    expect(read.status).toBe(200);
    expect(read.body.data.secrets).toHaveLength(40);
    const page = await api('GET', '/clients?pageSize=1000');
    expect(page.status).toBe(200);
    expect(page.body.data.map((c: { id: string }) => c.id)).toContain(client.id);
  });
});

describe('the byte budget of a page', () => {
  it('cuts a page of large rows short, with hasMore and a cursor, and a walk still returns every row once', async () => {
    const token = await tenantToken('heavy');
    const metadata = JSON.stringify(Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`key${i}`, 'v'.repeat(4000)])));
    const insert = env.DB.prepare('INSERT INTO clients (id, tenant_id, name, metadata, created_at) VALUES (?, ?, ?, ?, ?)');
    const ids = Array.from({ length: 40 }, (_, i) => `heavy-${String(i).padStart(3, '0')}`);
    await env.DB.batch(ids.map((id, i) => insert.bind(id, 'heavy', id, metadata, 1_700_000_000_000 + i)));
    const first = await api('GET', '/clients?pageSize=1000', { token });
    expect(first.status).toBe(200);
    // About 60 KB a row, 1 MiB a page: the page stops after the row that crosses it.
    expect(first.body.data.length).toBe(Math.floor((1024 * 1024) / first.body.data[0].metadata.key0.length / 15) + 1);
    expect(first.body.cursor).toMatchObject({ pageSize: 1000, hasMore: true });
    expect(first.text.length).toBeLessThan(1024 * 1024 + 70_000);
    const seen: string[] = [];
    let next: string | undefined = '/clients?pageSize=1000';
    while (next) {
      const res: ApiResponse = await api('GET', next, { token });
      seen.push(...res.body.data.map((c: { id: string }) => c.id));
      next = res.body.cursor.next ? `/clients?pageSize=1000&cursor=${encodeURIComponent(res.body.cursor.next)}` : undefined;
    }
    expect(seen).toEqual(ids);
  });

  it('applies to filtered pages and to scopes too', async () => {
    const token = await tenantToken('heavy-more');
    const metadata = JSON.stringify(Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`key${i}`, 'v'.repeat(4000)])));
    const client = env.DB.prepare('INSERT INTO clients (id, tenant_id, name, metadata, created_at) VALUES (?, ?, ?, ?, ?)');
    const scope = env.DB.prepare('INSERT INTO scopes (id, tenant_id, label, metadata, created_at) VALUES (?, ?, ?, ?, ?)');
    await env.DB.batch(Array.from({ length: 30 }, (_, i) => client.bind(`hm-${i}`, 'heavy-more', `match ${i}`, metadata, 1_700_000_000_000 + i)));
    await env.DB.batch(Array.from({ length: 30 }, (_, i) => scope.bind(`hs-${i}`, 'heavy-more', `s:${i}`, metadata, 1_700_000_000_000 + i)));
    for (const path of ['/clients?pageSize=1000&name=match', '/scopes?pageSize=1000']) {
      const res = await api('GET', path, { token });
      expect(res.status, path).toBe(200);
      expect(res.body.data.length, path).toBeLessThan(30);
      expect(res.body.cursor.hasMore, path).toBe(true);
    }
  });
});
