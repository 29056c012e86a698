import { base64url, exportJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { assertion, assertionRequest, claimsOf, expectOAuthError, expectToken, keyClient, keyPair, keySetUri, type Key } from './client-key-helpers';
import { ADMIN_CREDENTIALS, api, countRows, expectError } from './helpers';
import { introspect, issuedClient } from './issued-clients';

// private_key_jwt (RFC 7523) on the clients API: which keys and key set URLs are refused (create
// and PUT alike, nothing stored), what a PUT keeps, rotation and its token generation, the
// privileges a key's tokens may carry, and the audit trail.

const bytes = (n: number, fill = 1) => base64url.encode(new Uint8Array(n).fill(fill));
const kid = (jwk: Record<string, unknown>, id: string) => ({ ...jwk, kid: id });

async function rsa1024() {
  const pair = (await crypto.subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    true,
    ['sign', 'verify'],
  )) as CryptoKeyPair;
  return { publicJwk: await exportJWK(pair.publicKey), privateJwk: await exportJWK(pair.privateKey) };
}

/** Bodies the clients API refuses, each with its exact message (field and rule). */
async function refusals(): Promise<[string, Record<string, unknown>, string][]> {
  const ec = await keyPair('ES256', 'ec');
  const { privateKey: rsaPrivate } = await keyPair('RS256', 'rsa');
  const weak = await rsa1024();
  const pk = (keys: unknown[]) => ({ tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys } });
  const rsaPrivateJwk = kid(await exportJWK(rsaPrivate), 'rsa');
  const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi'].map((m) => `jwks.keys[0].${m}: is a private key member: register the public key only`);
  const sixKeys = await Promise.all(Array.from({ length: 6 }, (_, i) => keyPair('ES256', `k${i}`)));
  return [
    ['an RSA private key (d, p, q, dp, dq, qi)', pk([rsaPrivateJwk]), privateMembers.join('; ')],
    ['6 keys', pk(sixKeys.map((k) => k.jwk)), 'jwks.keys: must hold at most 5 keys'],
    ['no key', pk([]), 'jwks.keys: must hold at least one key'],
    ['RSA of 1024 bits', pk([kid(weak.publicJwk, 'weak')]), 'jwks.keys[0].n: must be at least 2048 bits (this key has 1024)'],
    ['a key without kid', pk([{ ...ec.jwk, kid: undefined }]), 'jwks.keys[0].kid: is required: every key needs a kid of 1-256 characters'],
    ['a repeated kid', pk([ec.jwk, { ...(await keyPair('ES256', 'ec')).jwk }]), 'jwks.keys[1].kid: must be unique ("ec" repeats)'],
    ['alg HS256 in a key', pk([{ ...ec.jwk, alg: 'HS256' }]), 'jwks.keys[0].alg: must be one of ES256, ES384, EdDSA, RS256, PS256; jwks.keys[0].alg: must be ES256 for crv P-256'],
    ['kty oct', pk([{ kty: 'oct', k: bytes(32), kid: 'sym' }]), 'jwks.keys[0].k: is a private key member: register the public key only; jwks.keys[0].kty: must be EC, OKP or RSA'],
    ['EC P-521', pk([{ kty: 'EC', crv: 'P-521', x: bytes(66), y: bytes(66), kid: 'p521' }]), 'jwks.keys[0].crv: must be P-256 (ES256) or P-384 (ES384)'],
    ['use enc', pk([{ ...ec.jwk, use: 'enc' }]), 'jwks.keys[0].use: must be sig'],
    ['both jwks and jwksUri', { ...pk([ec.jwk]), jwksUri: keySetUri('both') }, 'jwksUri: give jwks or jwksUri, not both'],
    ['private_key_jwt without keys', { tokenEndpointAuthMethod: 'private_key_jwt' }, 'jwks: a private_key_jwt client needs jwks or jwksUri'],
    ['jwks for client_secret_basic', { tokenEndpointAuthMethod: 'client_secret_basic', jwks: { keys: [ec.jwk] } }, 'jwks: is only for tokenEndpointAuthMethod private_key_jwt'],
    ['jwksUri for client_secret_post', { tokenEndpointAuthMethod: 'client_secret_post', jwksUri: keySetUri('x') }, 'jwksUri: is only for tokenEndpointAuthMethod private_key_jwt'],
    ['jwks without a method (Formance default)', { jwks: { keys: [ec.jwk] } }, 'jwks: is only for tokenEndpointAuthMethod private_key_jwt'],
    ['a plain http jwksUri', { tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: 'http://example.com/jwks.json' }, 'jwksUri: must be an https URL (http only for localhost)'],
    ['a jwksUri with credentials', { tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: 'https://user:pw@keys.example/jwks.json' }, 'jwksUri: must not hold credentials'],
    ['a jwksUri with a fragment', { tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: 'https://keys.example/jwks.json#k' }, 'jwksUri: must not have a fragment'],
    ['an unknown method', { tokenEndpointAuthMethod: 'tls_client_auth' }, expect.stringMatching(/^tokenEndpointAuthMethod: /) as never],
    ['an EC point not on its curve', pk([{ kty: 'EC', crv: 'P-256', x: bytes(32), y: bytes(32), kid: 'off' }]), 'jwks.keys[0]: is not a valid ES256 public key'],
  ];
}

describe('keys and key set URLs refused with 400 VALIDATION, and nothing stored', async () => {
  const cases = await refusals();

  it.each(cases)('on create: %s', async (_, options, message) => {
    const id = `refused-${crypto.randomUUID()}`;
    const res = await api('POST', '/clients', { body: { id, name: 'refused', ...options } });
    expect(expectError(res, 400, 'VALIDATION')).toEqual(message);
    expect(await countRows('clients', 'id = ?', id)).toBe(0);
    expect(await countRows('audit_events', 'target_id = ?', id)).toBe(0);
  });

  it.each(cases)('on PUT: %s', async (_, options, message) => {
    const key = await keyPair('ES256', 'kept');
    const { id, headers, client } = await keyClient([key]);
    const before = await api('GET', `/clients/${id}`, { headers });
    const res = await api('PUT', `/clients/${id}`, { body: { name: 'changed', ...options }, headers });
    expect(expectError(res, 400, 'VALIDATION')).toEqual(message);
    const after = await api('GET', `/clients/${id}`, { headers });
    expect({ client: after.body.data, etag: after.headers.get('etag') }).toEqual({ client: before.body.data, etag: before.headers.get('etag') });
    expect(after.body.data.jwks).toEqual(client.jwks);
    expectToken(await assertionRequest(await assertion(id, key)));
  });

  it('accepts an http jwksUri on localhost (development), on create and PUT', async () => {
    const local = { tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: 'http://localhost:8080/jwks.json' };
    const created = await api('POST', '/clients', { body: { name: 'local', ...local } });
    expect({ status: created.status, jwksUri: created.body.data?.jwksUri, jwks: created.body.data?.jwks }).toEqual({ status: 201, jwksUri: local.jwksUri, jwks: null });
    const { id, headers } = await keyClient([await keyPair('ES256', 'k')]);
    const put = await api('PUT', `/clients/${id}`, { body: { name: 'local', ...local, jwksUri: 'http://127.0.0.1:8080/jwks.json' }, headers });
    expect({ status: put.status, jwksUri: put.body.data?.jwksUri, jwks: put.body.data?.jwks }).toEqual({ status: 200, jwksUri: 'http://127.0.0.1:8080/jwks.json', jwks: null });
  });

  it('stores only the public members of a key', async () => {
    const key = await keyPair('ES256', 'k');
    const { id, headers } = await keyClient([{ ...key, jwk: { ...key.jwk, use: 'sig', alg: 'ES256', key_ops: ['verify'], ext: true, extra: 'x' } as never }]);
    const { kty, crv, x, y } = key.jwk;
    expect((await api('GET', `/clients/${id}`, { headers })).body.data.jwks).toEqual({ keys: [{ kty, kid: 'k', use: 'sig', alg: 'ES256', crv, x, y }] });
  });
});

describe('a PUT as the Formance SDK sends it', () => {
  it('without tokenEndpointAuthMethod, jwks and jwksUri: all three kept, and the tokens too', async () => {
    const key = await keyPair('ES256', 'k');
    const { id, headers, client } = await keyClient([key]);
    const token = expectToken(await assertionRequest(await assertion(id, key)));
    const res = await api('PUT', `/clients/${id}`, { body: { name: 'renamed', description: 'by the SDK' }, headers });
    expect(res.status, res.text).toBe(200);
    expect(res.body.data).toMatchObject({ name: 'renamed', tokenEndpointAuthMethod: 'private_key_jwt', jwks: client.jwks, jwksUri: null });
    expect((await introspect(ADMIN_CREDENTIALS.id, ADMIN_CREDENTIALS.secret, token)).body.active).toBe(true);
    expect(claimsOf(expectToken(await assertionRequest(await assertion(id, key)))).gen).toBe(0);
  });

  it('with jwks but no method: 400, the method would go back to client_secret_basic', async () => {
    const key = await keyPair('ES256', 'k');
    const { id, headers } = await keyClient([key]);
    const res = await api('PUT', `/clients/${id}`, { body: { name: 'keyed', jwks: { keys: [key.jwk] } }, headers });
    expect(expectError(res, 400, 'VALIDATION')).toBe('jwks: is only for tokenEndpointAuthMethod private_key_jwt');
  });
});

describe('rotation', () => {
  const put = (id: string, headers: Record<string, string>, keys: Key[]) =>
    api('PUT', `/clients/${id}`, { body: { name: 'keyed', tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: keys.map((k) => k.jwk) } }, headers });
  const active = async (token: string) => (await introspect(ADMIN_CREDENTIALS.id, ADMIN_CREDENTIALS.secret, token)).body.active;

  it('adding a key keeps the tokens; removing one revokes every token minted before, and its assertions fail', async () => {
    const [first, second] = [await keyPair('ES256', 'first'), await keyPair('EdDSA', 'second')];
    const { id, headers } = await keyClient([first]);
    const beforeRotation = expectToken(await assertionRequest(await assertion(id, first)));

    expect((await put(id, headers, [first, second])).status).toBe(200);
    const byFirst = expectToken(await assertionRequest(await assertion(id, first)));
    const bySecond = expectToken(await assertionRequest(await assertion(id, second)));
    expect([claimsOf(byFirst).gen, claimsOf(bySecond).gen]).toEqual([0, 0]);
    expect([await active(beforeRotation), await active(byFirst), await active(bySecond)]).toEqual([true, true, true]);

    expect((await put(id, headers, [second])).status).toBe(200);
    expectOAuthError(await assertionRequest(await assertion(id, first)), 401, 'invalid_client', "no key of this client has kid 'first' for ES256");
    expect([await active(beforeRotation), await active(byFirst), await active(bySecond)]).toEqual([false, false, false]);
    const after = expectToken(await assertionRequest(await assertion(id, second)));
    expect(claimsOf(after).gen).toBe(1);
    expect(await active(after)).toBe(true);
  });

  it('a key altered under the same kid, or a move to a jwksUri, revokes the tokens too', async () => {
    const [key, replacement] = [await keyPair('ES256', 'k'), await keyPair('ES256', 'k')];
    const { id, headers } = await keyClient([key]);
    const token = expectToken(await assertionRequest(await assertion(id, key)));
    expect((await put(id, headers, [replacement])).status).toBe(200);
    expect(await active(token)).toBe(false);
    const next = expectToken(await assertionRequest(await assertion(id, replacement)));
    const moved = await api('PUT', `/clients/${id}`, { body: { name: 'keyed', tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: keySetUri('moved') }, headers });
    expect(moved.status).toBe(200);
    expect(await active(next)).toBe(false);
  });

  it('the same keys again (a PUT that changes only the name) keep the tokens', async () => {
    const key = await keyPair('ES256', 'k');
    const { id, headers } = await keyClient([key]);
    const token = expectToken(await assertionRequest(await assertion(id, key)));
    expect((await put(id, headers, [key])).status).toBe(200);
    expect(await active(token)).toBe(true);
  });
});

describe('what a key may obtain', () => {
  it("a key set by a tenant admin never obtains a privilege the admin lacked (auth:introspect), ordinary labels it does", async () => {
    const tenantAdmin = await issuedClient(['auth:read', 'auth:write']);
    const adminToken = await tenantAdmin.token();
    const key = await keyPair('ES256', 'k');
    const created = await api('POST', '/clients', {
      token: adminToken,
      body: { name: 'by tenant admin', tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [key.jwk] } },
    });
    expect(created.status, created.text).toBe(201);
    const id = created.body.data.id;
    // The operator (the static admin, in the tenant) attaches a privilege the tenant admin lacks, and ordinary labels.
    const scopeIds = [tenantAdmin.scopeIds['auth:read']!];
    for (const label of ['auth:introspect', 'ledger:read']) scopeIds.push((await tenantAdmin.admin('POST', '/scopes', { label })).body.data.id);
    for (const scopeId of scopeIds) expect((await tenantAdmin.admin('PUT', `/clients/${id}/scopes/${scopeId}`)).status).toBe(204);
    const scopes = (token: string) => claimsOf(token).scope.split(' ').sort();
    expect(scopes(expectToken(await assertionRequest(await assertion(id, key))))).toEqual(['auth:read', 'ledger:read']);
    const asked = await assertionRequest(await assertion(id, key), { scope: 'auth:introspect' });
    expect({ status: asked.status, error: asked.body.error }).toEqual({ status: 400, error: 'invalid_scope' });
    // The operator, who holds auth:introspect, saves the client with the same keys (an edit of the
    // name, as the console sends it): the tenant admin's key gains nothing.
    const put = (name: string, keys: { jwk: unknown }[]) =>
      tenantAdmin.admin('PUT', `/clients/${id}`, { name, tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: keys.map((k) => k.jwk) } });
    expect((await put('renamed by operator', [key])).status).toBe(200);
    expect(scopes(expectToken(await assertionRequest(await assertion(id, key))))).toEqual(['auth:read', 'ledger:read']);
    // The operator adds a key of its own beside it: the set keeps the tenant admin's key, so neither gains.
    const operatorKey = await keyPair('ES256', 'operator');
    expect((await put('two keys', [key, operatorKey])).status).toBe(200);
    expect(scopes(expectToken(await assertionRequest(await assertion(id, key))))).toEqual(['auth:read', 'ledger:read']);
    expect(scopes(expectToken(await assertionRequest(await assertion(id, operatorKey))))).toEqual(['auth:read', 'ledger:read']);
    // Dropping the tenant admin's key changes nothing either: the set still shares a key with the last.
    expect((await put('operator key only', [operatorKey])).status).toBe(200);
    expect(scopes(expectToken(await assertionRequest(await assertion(id, operatorKey))))).toEqual(['auth:read', 'ledger:read']);
    // Only a set of keys all new obtains what the operator holds.
    const freshKey = await keyPair('ES256', 'fresh');
    expect((await put('all new keys', [freshKey])).status).toBe(200);
    expect(scopes(expectToken(await assertionRequest(await assertion(id, freshKey))))).toEqual(['auth:introspect', 'auth:read', 'ledger:read']);
  });
});

describe('the audit trail', () => {
  const lastUpdate = async (id: string, headers: Record<string, string>) => {
    const events = (await api('GET', `/audit-events?targetId=${id}`, { headers })).body.data as { action: string; changes: { before: any; after: any } }[];
    return events.filter((e) => e.action === 'updateClient').at(-1)!;
  };

  it('an updateClient event shows the keys, the key set URL and the method before and after', async () => {
    const [first, second] = [await keyPair('ES256', 'first'), await keyPair('ES256', 'second')];
    const { id, headers, client } = await keyClient([first]);
    const rotate = await api('PUT', `/clients/${id}`, { body: { name: 'keyed', tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [second.jwk] } }, headers });
    expect(rotate.status).toBe(200);
    let event = await lastUpdate(id, headers);
    expect(event.changes.before).toMatchObject({ jwks: client.jwks, jwksUri: null, tokenEndpointAuthMethod: 'private_key_jwt' });
    expect(event.changes.after).toMatchObject({ jwks: rotate.body.data.jwks, jwksUri: null });
    expect(event.changes.after.jwks.keys.map((k: { kid: string }) => k.kid)).toEqual(['second']);

    const uri = keySetUri('audited');
    expect((await api('PUT', `/clients/${id}`, { body: { name: 'keyed', tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: uri }, headers })).status).toBe(200);
    event = await lastUpdate(id, headers);
    expect(event.changes.before).toMatchObject({ jwks: rotate.body.data.jwks, jwksUri: null });
    expect(event.changes.after).toMatchObject({ jwks: null, jwksUri: uri });

    expect((await api('PUT', `/clients/${id}`, { body: { name: 'keyed', tokenEndpointAuthMethod: 'client_secret_post' }, headers })).status).toBe(200);
    event = await lastUpdate(id, headers);
    expect(event.changes.before).toMatchObject({ tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: uri });
    expect(event.changes.after).toMatchObject({ tokenEndpointAuthMethod: 'client_secret_post', jwks: null, jwksUri: null });
  });
});

