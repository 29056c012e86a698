import { expect, it } from 'vitest';
import { api, countRows, createClient, createScope } from '../helpers';

it('100 parallel createSecret calls racing a deleteClient leave no orphan secret', async () => {
  const client = await createClient();
  const creations = Array.from({ length: 100 }, (_, i) => api('POST', `/clients/${client.id}/secrets`, { body: { name: `s${i}` } }));
  const deletion = api('DELETE', `/clients/${client.id}`);
  const results = await Promise.all([...creations, deletion]);
  const statuses = results.slice(0, 100).map((r) => r.status);
  // Each creation either happened before the delete (and was cascaded away) or found no client.
  expect(statuses.every((s) => s === 200 || s === 404)).toBe(true);
  expect(results[100]!.status).toBe(204);
  expect(await countRows('client_secrets', 'client_id = ?', client.id)).toBe(0);
  expect(await countRows('client_secrets', 'client_id NOT IN (SELECT id FROM clients)')).toBe(0);
});

it('parallel addScopeToClient of the same pair makes one link, and bumps the version once', async () => {
  const client = await createClient();
  const scope = await createScope();
  const results = await Promise.all(Array.from({ length: 50 }, () => api('PUT', `/clients/${client.id}/scopes/${scope.id}`)));
  expect(results.every((r) => r.status === 204)).toBe(true);
  expect(await countRows('client_scopes', 'client_id = ? AND scope_id = ?', client.id, scope.id)).toBe(1);
  expect((await api('GET', `/clients/${client.id}`)).headers.get('etag')).toBe('"2"');
});

it('parallel createScope with one label creates it once, the rest 409', async () => {
  const results = await Promise.all(Array.from({ length: 30 }, () => api('POST', '/scopes', { body: { label: 'race:label' } })));
  const statuses = results.map((r) => r.status).sort();
  expect(statuses.filter((s) => s === 201)).toHaveLength(1);
  expect(statuses.filter((s) => s === 409)).toHaveLength(29);
  expect(await countRows('scopes', 'label = ?', 'race:label')).toBe(1);
});
