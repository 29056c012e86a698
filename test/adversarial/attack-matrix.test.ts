import { expect, it } from 'vitest';
import { api, countRows, createClient, createScope, createSecret } from '../helpers';
import { attackAuthorizations } from '../tokens';

const TABLES = ['clients', 'client_secrets', 'scopes', 'client_scopes', 'scope_transients', 'audit_events'];
const PREFIXES = ['', '/api/auth'];

// The RFC 8725 cases of test/tokens.ts, named here so that dropping one fails the count.
const ATTACKS = [
  'no header',
  'not bearer',
  'empty bearer',
  'not a JWT',
  'alg none',
  'HS256 with the public key',
  'expired',
  'nbf in the future',
  'wrong issuer',
  'wrong audience',
  'no exp',
  'not at+jwt',
  'unknown kid',
  'tampered payload',
  'another key',
  'another key, trusted kid',
];

interface Fixture {
  client: string;
  secret: string;
  scope: string;
  other: string;
}

async function fixture(): Promise<Fixture> {
  const client = await createClient();
  const secret = await createSecret(client.id);
  return { client: client.id, secret: secret.id, scope: (await createScope()).id, other: (await createScope()).id };
}

const unique = (prefix: string) => `${prefix}:${crypto.randomUUID()}`;

// Every protected route, as its OpenAPI template; in an order where, with a good token and a fresh
// fixture, each one succeeds with the status given.
const ROUTES: [method: string, template: string, ok: number, body?: () => unknown][] = [
  ['GET', '/clients', 200],
  ['POST', '/clients', 201, () => ({ name: 'x' })],
  ['GET', '/clients/{clientId}', 200],
  ['PUT', '/clients/{clientId}', 200, () => ({ name: 'x' })],
  ['POST', '/clients/{clientId}/secrets', 200, () => ({ name: 'x' })],
  ['PUT', '/clients/{clientId}/scopes/{scopeId}', 204],
  ['GET', '/scopes', 200],
  ['POST', '/scopes', 201, () => ({ label: unique('created') })],
  ['GET', '/scopes/{scopeId}', 200],
  ['PUT', '/scopes/{scopeId}', 200, () => ({ label: unique('renamed') })],
  ['PUT', '/scopes/{scopeId}/transient/{transientScopeId}', 204],
  ['DELETE', '/scopes/{scopeId}/transient/{transientScopeId}', 204],
  ['DELETE', '/clients/{clientId}/scopes/{scopeId}', 204],
  ['DELETE', '/clients/{clientId}/secrets/{secretId}', 204],
  ['DELETE', '/scopes/{scopeId}', 204],
  ['DELETE', '/clients/{clientId}/tokens', 204],
  ['DELETE', '/clients/{clientId}', 204],
  ['GET', '/audit-events', 200],
];

const pathOf = (template: string, f: Fixture) =>
  template
    .replace('{clientId}', f.client)
    .replace('{secretId}', f.secret)
    .replace('{scopeId}', f.scope)
    .replace('{transientScopeId}', f.other);

/** The operations the OpenAPI document puts behind bearer authentication. */
async function protectedOperations(): Promise<string[]> {
  const doc = (await api('GET', '/openapi.json', { token: null })).body;
  const operations: string[] = [];
  for (const [path, methods] of Object.entries<Record<string, { security?: Record<string, string[]>[] }>>(doc.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const security = operation.security ?? doc.security;
      if (security.some((requirement: Record<string, string[]>) => 'bearerAuth' in requirement)) {
        operations.push(`${method.toUpperCase()} ${path}`);
      }
    }
  }
  return operations.sort();
}

it('refuses every RFC 8725 attack token on every protected route, changing nothing; a good token passes the same routes', async () => {
  // The route table is the service's: every operation the OpenAPI document protects, no more, no less.
  const operations = await protectedOperations();
  expect(ROUTES.map(([method, template]) => `${method} ${template}`).sort()).toEqual(operations);
  expect(operations).toHaveLength(18);
  const attacks = await attackAuthorizations();
  expect(attacks.map(([name]) => name)).toEqual(ATTACKS);

  const target = await fixture();
  const before = await Promise.all(TABLES.map((t) => countRows(t)));
  let checked = 0;
  for (const prefix of PREFIXES) {
    for (const [method, template, , body] of ROUTES) {
      for (const [attack, authorization] of attacks) {
        const headers: Record<string, string> = authorization === null ? {} : { authorization };
        const res = await api(method, prefix + pathOf(template, target), { body: body?.(), headers, token: null });
        const label = `${attack}: ${method} ${prefix}${template}`;
        expect(res.status, label).toBe(401);
        expect(res.body.errorCode, label).toBe('UNAUTHORIZED');
        expect(res.headers.get('www-authenticate'), label).toMatch(/^Bearer error="invalid_token"/);
        checked++;
      }
    }
  }
  expect(checked).toBe(PREFIXES.length * operations.length * ATTACKS.length);
  expect(await Promise.all(TABLES.map((t) => countRows(t)))).toEqual(before);

  // Positive control: the same routes, with and without the prefix, with the admin token, succeed.
  for (const prefix of PREFIXES) {
    const fresh = await fixture();
    for (const [method, template, ok, body] of ROUTES) {
      const res = await api(method, prefix + pathOf(template, fresh), { body: body?.() });
      expect(res.status, `${method} ${prefix}${template}: ${res.text}`).toBe(ok);
    }
  }
});
