import { expect, it } from 'vitest';
import { api, countRows, createClient, createScope, createSecret } from './helpers';

it('deleting a client removes its secrets and scope links, not the scopes', async () => {
  const client = await createClient();
  const keep = await createClient();
  const scope = await createScope();
  await createSecret(client.id);
  await createSecret(client.id);
  await createSecret(keep.id);
  await api('PUT', `/clients/${client.id}/scopes/${scope.id}`);
  await api('PUT', `/clients/${keep.id}/scopes/${scope.id}`);

  expect((await api('DELETE', `/clients/${client.id}`)).status).toBe(204);

  expect(await countRows('client_secrets', 'client_id = ?', client.id)).toBe(0);
  expect(await countRows('client_scopes', 'client_id = ?', client.id)).toBe(0);
  expect(await countRows('client_secrets', 'client_id = ?', keep.id)).toBe(1);
  expect((await api('GET', `/scopes/${scope.id}`)).status).toBe(200);
  expect((await api('GET', `/clients/${keep.id}`)).body.data.scopes).toEqual([scope.id]);
});

it('deleting a scope detaches it from every client and scope', async () => {
  const client = await createClient();
  const doomed = await createScope();
  const parent = await createScope();
  const child = await createScope();
  await api('PUT', `/clients/${client.id}/scopes/${doomed.id}`);
  await api('PUT', `/scopes/${parent.id}/transient/${doomed.id}`);
  await api('PUT', `/scopes/${doomed.id}/transient/${child.id}`);

  expect((await api('DELETE', `/scopes/${doomed.id}`)).status).toBe(204);

  expect((await api('GET', `/clients/${client.id}`)).body.data.scopes).toEqual([]);
  expect((await api('GET', `/scopes/${parent.id}`)).body.data.transient).toEqual([]);
  expect(await countRows('scope_transients', 'scope_id = ? OR transient_scope_id = ?', doomed.id, doomed.id)).toBe(0);
  expect((await api('GET', `/scopes/${child.id}`)).status).toBe(200);
});
