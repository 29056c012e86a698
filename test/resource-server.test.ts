/**
 * examples/resource-server, a second Worker, protecting GET /ledger (scope
 * ledger:read) with its AUTH service binding to this service's TokenVerifier
 * entrypoint: every request goes test → example Worker → binding → this
 * service and this file's D1. Clients, secrets and scopes are real ones made
 * through the admin API. Then the example without the binding: its JWKS
 * fallback, which cannot see revocation.
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, basicAuth, createScope, tokenRequest } from './helpers';
import type { VerifyOptions } from '../src/token-verifier';
import { signToken, testKeys } from './tokens';

const LEDGER_URL = 'https://resource.test/ledger';
const OTHER_TENANT = 'acme';
const INVALID_TOKEN = { status: 401, body: { error: 'invalid_token' }, wwwAuthenticate: 'Bearer error="invalid_token"' };

interface LedgerClient {
  id: string;
  secrets: { id: string; clear: string }[];
}

async function ledger(server: Fetcher, authorization: string | null) {
  const res = await server.fetch(LEDGER_URL, { headers: authorization === null ? {} : { authorization } });
  return { status: res.status, body: await res.json(), wwwAuthenticate: res.headers.get('www-authenticate') };
}

const callAs = (token: string, server: Fetcher = env.RESOURCE_SERVER) => ledger(server, `Bearer ${token}`);

const allowed = (client: LedgerClient, scope: string, verifiedBy = 'binding') => ({
  status: 200,
  body: { caller: { client_id: client.id, sub: client.id, tenant: 'default', scope }, verifiedBy, entries: [] },
  wwwAuthenticate: null,
});

/** A client of `tenant` holding the scopes `scopeIds`, with `secrets` secrets. */
async function ledgerClient(scopeIds: string[], { secrets = 1, tenant }: { secrets?: number; tenant?: string } = {}): Promise<LedgerClient> {
  const headers: Record<string, string> = tenant ? { 'x-tenant-id': tenant } : {};
  const created = await api('POST', '/clients', { body: { name: 'ledger reader' }, headers });
  expect(created.status).toBe(201);
  const id: string = created.body.data.id;
  for (const scopeId of scopeIds) expect((await api('PUT', `/clients/${id}/scopes/${scopeId}`, { headers })).status).toBe(204);
  const made: LedgerClient['secrets'] = [];
  for (let i = 0; i < secrets; i++) {
    const res = await api('POST', `/clients/${id}/secrets`, { body: { name: `secret ${i}` }, headers });
    expect(res.status).toBe(200);
    made.push({ id: res.body.data.id, clear: res.body.data.clear });
  }
  return { id, secrets: made };
}

async function tokenOf(client: LedgerClient, secret = client.secrets[0]!, form: Record<string, string> = {}) {
  const res = await tokenRequest({ grant_type: 'client_credentials', ...form }, { authorization: basicAuth(client.id, secret.clear) });
  expect(res.status).toBe(200);
  return res.body.access_token as string;
}

let ledgerRead: string;
let ledgerWrite: string;

beforeAll(async () => {
  ledgerRead = (await createScope('ledger:read')).id;
  ledgerWrite = (await createScope('ledger:write')).id;
});

describe('the example resource server through its TokenVerifier binding', () => {
  it("lets a token of its tenant, for its audience, holding ledger:read through, saying who called", async () => {
    const client = await ledgerClient([ledgerRead]);
    expect(await callAs(await tokenOf(client))).toEqual(allowed(client, 'ledger:read'));
  });

  it("refuses a token once the secret that minted it is deleted; the client's other secret's token stays good", async () => {
    const client = await ledgerClient([ledgerRead], { secrets: 2 });
    const [first, second] = client.secrets;
    const doomed = await tokenOf(client, first);
    const kept = await tokenOf(client, second);
    expect(await callAs(doomed)).toEqual(allowed(client, 'ledger:read'));
    expect((await api('DELETE', `/clients/${client.id}/secrets/${first!.id}`)).status).toBe(204);
    expect(await callAs(doomed)).toEqual(INVALID_TOKEN);
    expect(await callAs(kept)).toEqual(allowed(client, 'ledger:read'));
  });

  it("refuses every earlier token after DELETE /clients/{id}/tokens; a fresh token is good", async () => {
    const client = await ledgerClient([ledgerRead]);
    const before = await tokenOf(client);
    expect(await callAs(before)).toEqual(allowed(client, 'ledger:read'));
    expect((await api('DELETE', `/clients/${client.id}/tokens`)).status).toBe(204);
    expect(await callAs(before)).toEqual(INVALID_TOKEN);
    expect(await callAs(await tokenOf(client))).toEqual(allowed(client, 'ledger:read'));
  });

  it('refuses a token its client revoked with POST /oauth/revoke, and only that one', async () => {
    const client = await ledgerClient([ledgerRead]);
    const [revoked, other] = [await tokenOf(client), await tokenOf(client)];
    expect(await callAs(revoked)).toEqual(allowed(client, 'ledger:read'));
    const res = await api('POST', '/oauth/revoke', {
      rawBody: new URLSearchParams({ token: revoked }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(client.id, client.secrets[0]!.clear) },
      token: null,
    });
    expect(res.status).toBe(200);
    expect(await callAs(revoked)).toEqual(INVALID_TOKEN);
    expect(await callAs(other)).toEqual(allowed(client, 'ledger:read'));
  });

  it('refuses a token once ledger:read is detached from its client', async () => {
    const client = await ledgerClient([ledgerRead]);
    const token = await tokenOf(client);
    expect(await callAs(token)).toEqual(allowed(client, 'ledger:read'));
    expect((await api('DELETE', `/clients/${client.id}/scopes/${ledgerRead}`)).status).toBe(204);
    expect(await callAs(token)).toEqual(INVALID_TOKEN);
  });

  it('refuses a token once its client is deleted', async () => {
    const client = await ledgerClient([ledgerRead]);
    const token = await tokenOf(client);
    expect(await callAs(token)).toEqual(allowed(client, 'ledger:read'));
    expect((await api('DELETE', `/clients/${client.id}`)).status).toBe(204);
    expect(await callAs(token)).toEqual(INVALID_TOKEN);
  });

  it('refuses a good token at a resource server of another audience', async () => {
    const client = await ledgerClient([ledgerRead]);
    const token = await tokenOf(client);
    expect(await callAs(token, env.RESOURCE_SERVER_OTHER_AUDIENCE)).toEqual(INVALID_TOKEN);
    expect(await callAs(token)).toEqual(allowed(client, 'ledger:read'));
  });

  it('refuses a token without ledger:read: from a client without it, and one asked for ledger:write only', async () => {
    const writer = await ledgerClient([ledgerWrite]);
    expect(await callAs(await tokenOf(writer))).toEqual(INVALID_TOKEN);
    const both = await ledgerClient([ledgerRead, ledgerWrite]);
    expect(await callAs(await tokenOf(both, undefined, { scope: 'ledger:write' }))).toEqual(INVALID_TOKEN);
    expect(await callAs(await tokenOf(both, undefined, { scope: 'ledger:read' }))).toEqual(allowed(both, 'ledger:read'));
  });

  it("refuses another tenant's token, though its client holds that tenant's ledger:read", async () => {
    const headers = { 'x-tenant-id': OTHER_TENANT };
    const scope = await api('POST', '/scopes', { body: { label: 'ledger:read' }, headers });
    expect(scope.status).toBe(201);
    const stranger = await ledgerClient([scope.body.data.id], { tenant: OTHER_TENANT });
    const token = await tokenOf(stranger);
    // The token itself is good, in its own tenant: only the tenant check refuses it.
    expect(await env.TOKEN_VERIFIER.verify(token, { audience: 'https://registry.test', requiredScopes: ['ledger:read'] })).toMatchObject({
      active: true,
      tenant: OTHER_TENANT,
    });
    expect(await callAs(token)).toEqual(INVALID_TOKEN);
  });

  it('asks for a token when there is none (RFC 6750 §3.1: no error code)', async () => {
    expect(await ledger(env.RESOURCE_SERVER, null)).toEqual({ status: 401, body: { error: 'unauthorized' }, wwwAuthenticate: 'Bearer' });
  });

  it.each([
    ['garbage', 'Bearer not-a-token'],
    ['a JWT-shaped garbage', 'Bearer aaa.bbb.ccc'],
    ['not bearer', `Basic ${btoa('admin:x')}`],
    ['an empty bearer', 'Bearer '],
  ])('refuses %s', async (_, authorization) => {
    expect(await ledger(env.RESOURCE_SERVER, authorization)).toEqual(INVALID_TOKEN);
  });

  it('verify refuses arguments of the wrong type with a TypeError naming the field, across the binding', async () => {
    const rejection = async (options: unknown, token: unknown = 'x') => {
      try {
        await env.TOKEN_VERIFIER.verify(token as string, options as VerifyOptions);
      } catch (error) {
        return error instanceof TypeError ? `TypeError: ${error.message}` : error;
      }
      throw new Error('verify did not reject');
    };
    expect(await rejection({}, 42)).toBe('TypeError: verify: token: must be a string');
    expect(await rejection({ audience: 1 })).toBe('TypeError: verify: audience: must be a string');
    expect(await rejection({ requiredScopes: 'ledger:read' })).toBe('TypeError: verify: requiredScopes: must be an array of strings');
    expect(await rejection({ requiredScopes: [1] })).toBe('TypeError: verify: requiredScopes: must be an array of strings');
    expect(await rejection({ tenant: ['default'] })).toBe('TypeError: verify: tenant: must be a string');
    expect(await rejection(null)).toBe('TypeError: verify: options: must be an object');
  });
});

describe("the example's fallback without the binding: jose against the service's /keys", () => {
  it('lets a good token through, verified locally', async () => {
    const client = await ledgerClient([ledgerRead]);
    expect(await callAs(await tokenOf(client), env.RESOURCE_SERVER_JWKS)).toEqual(allowed(client, 'ledger:read', 'jwks'));
  });

  it('cannot see revocation: a revoked token stays good until it expires (the binding refuses it)', async () => {
    const client = await ledgerClient([ledgerRead]);
    const token = await tokenOf(client);
    expect((await api('DELETE', `/clients/${client.id}/tokens`)).status).toBe(204);
    expect(await callAs(token)).toEqual(INVALID_TOKEN);
    expect(await callAs(token, env.RESOURCE_SERVER_JWKS)).toEqual(allowed(client, 'ledger:read', 'jwks'));
  });

  it("refuses a token without ledger:read, and another tenant's", async () => {
    const writer = await ledgerClient([ledgerWrite]);
    expect(await callAs(await tokenOf(writer), env.RESOURCE_SERVER_JWKS)).toEqual(INVALID_TOKEN);
    const claims = { scope: 'ledger:read', client_id: 'someone', sub: 'someone' };
    expect(await callAs(await signToken({ claims }), env.RESOURCE_SERVER_JWKS)).toEqual({
      ...allowed({ id: 'someone', secrets: [] }, 'ledger:read', 'jwks'),
    });
    expect(await callAs(await signToken({ claims: { ...claims, tenant: OTHER_TENANT } }), env.RESOURCE_SERVER_JWKS)).toEqual(INVALID_TOKEN);
  });

  it.each([
    ['signed by a key the service does not publish', { key: testKeys.strangerKey }],
    ['under a published kid, signed by another key', { key: testKeys.strangerKey, kid: testKeys.signingKey!.kid }],
    ['of another issuer', { claims: { iss: 'https://evil.example' } }],
    ['for another audience', { claims: { aud: 'https://ledger.example' } }],
    ['expired', { claims: { exp: Math.floor(Date.now() / 1000) - 120, iat: Math.floor(Date.now() / 1000) - 600 } }],
    ['not an access token (typ JWT)', { typ: 'JWT' }],
    ['without a tenant', { claims: { tenant: undefined } }],
  ] as const)('refuses a token %s', async (_, options) => {
    const base = { scope: 'ledger:read', client_id: 'someone', sub: 'someone' };
    const claims = { ...base, ...('claims' in options ? options.claims : {}) };
    expect(await callAs(await signToken({ ...options, claims }), env.RESOURCE_SERVER_JWKS)).toEqual(INVALID_TOKEN);
  });

  it('refuses garbage and asks for a missing token', async () => {
    expect(await ledger(env.RESOURCE_SERVER_JWKS, 'Bearer not-a-token')).toEqual(INVALID_TOKEN);
    expect(await ledger(env.RESOURCE_SERVER_JWKS, null)).toEqual({ status: 401, body: { error: 'unauthorized' }, wwwAuthenticate: 'Bearer' });
  });
});
