import { env } from 'cloudflare:workers';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import { clientForTokenQuery } from '../src/oauth/token.repository';
import { api, basicAuth, createClient, createSecret, tokenRequest } from './helpers';

/** A client holding one root scope whose transient links reach `n` more scopes, written straight into D1. */
async function clientWithClosure(n: number) {
  const client = await createClient();
  const secret = await createSecret(client.id);
  const now = Date.now();
  const scope = env.DB.prepare('INSERT INTO scopes (id, tenant_id, label, created_at) VALUES (?, ?, ?, ?)');
  const link = env.DB.prepare('INSERT INTO scope_transients (tenant_id, scope_id, transient_scope_id, created_at) VALUES (?, ?, ?, ?)');
  const root = `${client.id}-root`;
  const statements = [scope.bind(root, 'default', root, now)];
  // A chain and a star at once: each scope links to the next and back to the root.
  for (let i = 0; i < n; i++) {
    const id = `${client.id}-${i}`;
    statements.push(scope.bind(id, "default", `label:${"x".repeat(200)}:${client.id}:${i}`, now));
    statements.push(link.bind('default', i === 0 ? root : `${client.id}-${i - 1}`, id, now));
    statements.push(link.bind('default', id, root, now));
  }
  statements.push(env.DB.prepare('INSERT INTO client_scopes (tenant_id, client_id, scope_id, created_at) VALUES (?, ?, ?, ?)').bind('default', client.id, root, now));
  for (let i = 0; i < statements.length; i += 100) await env.DB.batch(statements.slice(i, i + 100));
  return { client, secret };
}

const ROWS_READ_BOUND = 4000;

describe('the token endpoint over a scope graph written before the caps', () => {
  it('searches transient links by their whole key (EXPLAIN QUERY PLAN)', async () => {
    const plan = await drizzle(env.DB).all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${clientForTokenQuery('any', Date.now())}`);
    const details = plan.map((row) => row.detail);
    const transientSteps = details.filter((d) => /\bst\b/.test(d));
    expect(transientSteps.length).toBeGreaterThan(0);
    for (const step of transientSteps) expect(step).toMatch(/SEARCH st USING (COVERING )?INDEX .*\(tenant_id=\? AND scope_id=\?\)/);
    expect(details.join('\n')).not.toMatch(/SCAN st\b/);
  });

  it('refuses a 2,000-scope closure with invalid_scope, for the right secret; a wrong secret is just invalid_client', async () => {
    const { client, secret } = await clientWithClosure(2000);
    const res = await tokenRequest({ grant_type: 'client_credentials' }, { authorization: basicAuth(client.id, secret.clear) });
    expect({ status: res.status, error: res.body.error }).toEqual({ status: 400, error: 'invalid_scope' });
    expect(res.body.error_description).toBe("the client's scopes reach more than 256 scopes: detach some, or split them");
    const wrong = await tokenRequest({ grant_type: 'client_credentials' }, { authorization: basicAuth(client.id, 'wrong') });
    expect({ status: wrong.status, error: wrong.body.error }).toEqual({ status: 401, error: 'invalid_client' });
  });

  it('reads a bounded number of rows for a 2,000-scope closure: the walk stops after 257 scopes', async () => {
    const { client } = await clientWithClosure(2000);
    const { sql: text, params } = new SQLiteSyncDialect().sqlToQuery(clientForTokenQuery(client.id, Date.now()));
    const result = await env.DB.prepare(text).bind(...params).all();
    expect(result.results[0]).toMatchObject({ closure_size: 257 });
    // Two walks of at most 257 steps, each a few index rows (2,825 measured): not the whole graph.
    expect(result.meta.rows_read).toBeLessThan(ROWS_READ_BOUND);
  });

  it('grants a closure of exactly 256 scopes', async () => {
    const { client, secret } = await clientWithClosure(255);
    const res = await tokenRequest({ grant_type: 'client_credentials' }, { authorization: basicAuth(client.id, secret.clear) });
    expect(res.status).toBe(200);
    expect(res.body.scope.split(' ')).toHaveLength(256);
    expect((await api('GET', `/clients/${client.id}`)).status).toBe(200);
  });
});
