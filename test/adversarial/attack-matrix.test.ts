import { expect, it } from 'vitest';
import { api, countRows, createClient, createScope, createSecret } from '../helpers';
import { attackAuthorizations } from '../tokens';

it('refuses every RFC 8725 attack token on every protected route, changing nothing', async () => {
  const client = await createClient();
  const secret = await createSecret(client.id);
  const scope = await createScope();
  const other = await createScope();
  const routes: [string, string, unknown?][] = [
    ['GET', '/clients'],
    ['POST', '/clients', { name: 'x' }],
    ['GET', `/clients/${client.id}`],
    ['PUT', `/clients/${client.id}`, { name: 'x' }],
    ['DELETE', `/clients/${client.id}`],
    ['POST', `/clients/${client.id}/secrets`, { name: 'x' }],
    ['DELETE', `/clients/${client.id}/secrets/${secret.id}`],
    ['PUT', `/clients/${client.id}/scopes/${scope.id}`],
    ['DELETE', `/clients/${client.id}/scopes/${scope.id}`],
    ['GET', '/scopes'],
    ['POST', '/scopes', { label: 'x' }],
    ['GET', `/scopes/${scope.id}`],
    ['PUT', `/scopes/${scope.id}`, { label: 'x' }],
    ['DELETE', `/scopes/${scope.id}`],
    ['PUT', `/scopes/${scope.id}/transient/${other.id}`],
    ['DELETE', `/scopes/${scope.id}/transient/${other.id}`],
  ];
  const attacks = await attackAuthorizations();
  const before = await Promise.all(['clients', 'client_secrets', 'scopes', 'client_scopes', 'scope_transients'].map((t) => countRows(t)));
  let checked = 0;
  for (const prefix of ['', '/api/auth']) {
    for (const [method, path, body] of routes) {
      for (const [attack, authorization] of attacks) {
        const headers: Record<string, string> = authorization === null ? {} : { authorization };
        const res = await api(method, prefix + path, { body, headers, token: null });
        const label = `${attack}: ${method} ${prefix}${path}`;
        expect(res.status, label).toBe(401);
        expect(res.body.errorCode, label).toBe('UNAUTHORIZED');
        expect(res.headers.get('www-authenticate'), label).toMatch(/^Bearer error="invalid_token"/);
        checked++;
      }
    }
  }
  expect(checked).toBe(2 * 16 * attacks.length);
  const after = await Promise.all(['clients', 'client_secrets', 'scopes', 'client_scopes', 'scope_transients'].map((t) => countRows(t)));
  expect(after).toEqual(before);
});
