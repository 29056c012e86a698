import { describe, expect, it } from 'vitest';
import { apiCountingRoundTrips as call, createClient, createScope, createSecret, api } from './helpers';

// D1 round trips are the cost: reads take one, writes one batch, whatever the data.
describe('D1 round trips per request', () => {
  it('readClient and listClients take one, however many clients, secrets and scopes', async () => {
    for (let i = 0; i < 5; i++) {
      const client = await createClient();
      await createSecret(client.id);
      await createSecret(client.id);
      const scope = await createScope();
      await api('PUT', `/clients/${client.id}/scopes/${scope.id}`);
    }
    const list = await call('GET', '/clients');
    expect(list.body.data.length).toBeGreaterThanOrEqual(5);
    expect(list.roundTrips).toBe(1);
    const read = await call('GET', `/clients/${list.body.data[0].id}`);
    expect(read.body.data.secrets).toHaveLength(2);
    expect(read.roundTrips).toBe(1);
  });

  it('every write takes one', async () => {
    const client = await createClient();
    const scope = await createScope();
    const other = await createScope();
    const secret = await createSecret(client.id);
    const cases: [string, string, unknown?][] = [
      ['POST', '/clients', { name: 'x' }],
      ['PUT', `/clients/${client.id}`, { name: 'y' }],
      ['POST', `/clients/${client.id}/secrets`, { name: 's' }],
      ['DELETE', `/clients/${client.id}/secrets/${secret.id}`],
      ['PUT', `/clients/${client.id}/scopes/${scope.id}`],
      ['DELETE', `/clients/${client.id}/scopes/${scope.id}`],
      ['GET', '/scopes'],
      ['GET', `/scopes/${scope.id}`],
      ['POST', '/scopes', { label: 'rt:new' }],
      ['PUT', `/scopes/${scope.id}`, { label: 'rt:renamed' }],
      ['PUT', `/scopes/${scope.id}/transient/${other.id}`],
      ['DELETE', `/scopes/${scope.id}/transient/${other.id}`],
      ['DELETE', `/scopes/${other.id}`],
      ['DELETE', `/clients/${client.id}`],
    ];
    for (const [method, path, body] of cases) {
      const res = await call(method, path, { body });
      expect(res.status, `${method} ${path}`).toBeLessThan(300);
      expect(res.roundTrips, `${method} ${path}`).toBe(1);
    }
  });
});
