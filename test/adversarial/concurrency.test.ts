import { expect, it } from 'vitest';
import { api, countRows, createClient, createScope } from '../helpers';

// A client holds at most 20 live secrets: 10 before, 10 racing, and 30 after stay within it.
it('50 createSecret calls around a deleteClient: 10 answered before it (200), 10 racing it, 30 sent after it (404); never a 500, no orphan', async () => {
  const client = await createClient();
  const create = (i: number) => api('POST', `/clients/${client.id}/secrets`, { body: { name: `s${i}` } });

  // Issued and answered before the delete is sent: every one must have succeeded.
  const before = await Promise.all(Array.from({ length: 10 }, (_, i) => create(i)));
  expect(before.map((r) => r.status)).toEqual(Array(10).fill(200));
  expect(await countRows('client_secrets', 'client_id = ?', client.id)).toBe(10);

  // Sent together with the delete: each one lands before it (200, then cascaded away) or after it (404).
  const racing = Array.from({ length: 10 }, (_, i) => create(10 + i));
  const deletion = await api('DELETE', `/clients/${client.id}`);
  const during = await Promise.all(racing);
  expect(deletion.status).toBe(204);
  for (const res of during) expect([200, 404], res.text).toContain(res.status);

  // Sent after the delete answered: the client is gone, so every one must be a 404.
  const after = await Promise.all(Array.from({ length: 30 }, (_, i) => create(20 + i)));
  expect(after.map((r) => r.status)).toEqual(Array(30).fill(404));
  for (const res of after) expect(res.body).toEqual({ errorCode: 'NOT_FOUND', errorMessage: `client "${client.id}" not found` });

  // Not one secret survived its client, whichever side of the delete it landed on.
  expect(await countRows('client_secrets', 'client_id = ?', client.id)).toBe(0);
  expect(await countRows('client_secrets', 'client_id NOT IN (SELECT id FROM clients)')).toBe(0);
});

it('40 parallel createSecret calls on one client stop at the cap: 20 made, 20 refused with 400', async () => {
  const client = await createClient();
  const results = await Promise.all(Array.from({ length: 40 }, (_, i) => api('POST', `/clients/${client.id}/secrets`, { body: { name: `p${i}` } })));
  const statuses = results.map((r) => r.status);
  expect(statuses.filter((s) => s === 200)).toHaveLength(20);
  expect(statuses.filter((s) => s === 400)).toHaveLength(20);
  expect(await countRows('client_secrets', 'client_id = ?', client.id)).toBe(20);
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
