import { describe, expect, it } from 'vitest';
import { apiCountingRoundTrips as call, createClient, createScope, createSecret, api } from './helpers';
import { EXTERNAL_CLAIMS, signToken, testKeys } from './tokens';

const externalToken = () =>
  signToken({ key: testKeys.externalKey, claims: { ...EXTERNAL_CLAIMS, tenant: 'default', scope: 'auth:read auth:write' } });

// D1 round trips are the cost: reads take one, writes one batch, whatever the data; the token's
// liveness check rides in that same batch (a read's, or a write's as its gate).
describe('D1 round trips per request', () => {
  it('every read (readClient, listClients, readScope, listScopes) takes one, however many clients, secrets and scopes', async () => {
    const scopes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const client = await createClient();
      await createSecret(client.id);
      await createSecret(client.id);
      const scope = await createScope();
      await api('PUT', `/clients/${client.id}/scopes/${scope.id}`);
      if (scopes.length) await api('PUT', `/scopes/${scope.id}/transient/${scopes.at(-1)}`);
      scopes.push(scope.id);
    }
    const list = await call('GET', '/clients');
    expect(list.body.data.length).toBeGreaterThanOrEqual(5);
    expect(list.roundTrips).toBe(1);
    const read = await call('GET', `/clients/${list.body.data[0].id}`);
    expect(read.body.data.secrets).toHaveLength(2);
    expect(read.roundTrips).toBe(1);
    const scopeList = await call('GET', '/scopes');
    expect(scopeList.body.data.length).toBeGreaterThanOrEqual(5);
    expect(scopeList.roundTrips).toBe(1);
    const scope = await call('GET', `/scopes/${scopes.at(-1)}`);
    expect(scope.body.data.transient).toEqual([scopes.at(-2)]);
    expect(scope.roundTrips).toBe(1);
  });

  it('every write takes one, with our own tokens (checked in the batch) as with the external provider\'s', async () => {
    const client = await createClient();
    const scope = await createScope();
    const other = await createScope();
    const secret = await createSecret(client.id);
    // The twelve writes, in an order where each one succeeds.
    const writes: [string, string, unknown?][] = [
      ['POST', '/clients', { name: 'x' }],
      ['PUT', `/clients/${client.id}`, { name: 'y' }],
      ['POST', `/clients/${client.id}/secrets`, { name: 's' }],
      ['DELETE', `/clients/${client.id}/secrets/${secret.id}`],
      ['PUT', `/clients/${client.id}/scopes/${scope.id}`],
      ['DELETE', `/clients/${client.id}/scopes/${scope.id}`],
      ['POST', '/scopes', { label: 'rt:new' }],
      ['PUT', `/scopes/${scope.id}`, { label: 'rt:renamed' }],
      ['PUT', `/scopes/${scope.id}/transient/${other.id}`],
      ['DELETE', `/scopes/${scope.id}/transient/${other.id}`],
      ['DELETE', `/scopes/${other.id}`],
      ['DELETE', `/clients/${client.id}`],
    ];
    expect(writes.filter(([method]) => method === 'GET')).toEqual([]);
    expect(writes).toHaveLength(12);
    for (const [i, [method, path, body]] of writes.entries()) {
      // Alternating: our own token is checked against revocation in the batch; the external one cannot be revoked here.
      const external = i % 2 === 1;
      const res = await call(method, path, { body, ...(external ? { token: await externalToken() } : {}) });
      expect(res.status, `${method} ${path}`).toBeLessThan(300);
      expect(res.roundTrips, `${method} ${path}`).toBe(1);
    }
  });
});
