import { env } from 'cloudflare:workers';
import { exportSPKI, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  assertion,
  assertionRequest,
  claimsOf,
  expectOAuthError,
  expectToken,
  handmadeJwt,
  ISSUER,
  JWT_BEARER,
  keyClient,
  keyPair,
  now,
  TOKEN_ENDPOINT,
  UNKNOWN_CLIENT_OR_BAD_SIGNATURE,
} from './client-key-helpers';
import { ADMIN_CREDENTIALS, api, apiCountingRoundTrips, basicAuth, tokenRequest } from './helpers';

// private_key_jwt (RFC 7523) at /oauth/token: what an assertion must be, and what a key client gets.

const AUDIENCES = `${ISSUER}, ${ISSUER}/oauth/token, ${ISSUER}/api/auth/oauth/token`;

describe('private_key_jwt: a client without a secret gets a token', () => {
  it.each(['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256'])('signed with %s', async (alg) => {
    const key = await keyPair(alg, `k-${alg}`);
    const { id, client } = await keyClient([key]);
    expect(client.secrets).toEqual([]);
    expect(client.tokenEndpointAuthMethod).toBe('private_key_jwt');
    expectToken(await assertionRequest(await assertion(id, key)));
  });

  it("its token carries client_id, tenant and gen, no secret_id, and the client's scopes", async () => {
    const key = await keyPair('ES256', 'claims');
    const { id, headers, tenant } = await keyClient([key]);
    for (const label of ['ledger:read', 'ledger:write']) {
      const scope = (await api('POST', '/scopes', { body: { label }, headers })).body.data;
      expect((await api('PUT', `/clients/${id}/scopes/${scope.id}`, { headers })).status).toBe(204);
    }
    const claims = claimsOf(expectToken(await assertionRequest(await assertion(id, key))));
    expect(claims).toMatchObject({ client_id: id, sub: id, tenant, gen: 0, iss: ISSUER });
    expect(claims).not.toHaveProperty('secret_id');
    expect(claims.scope.split(' ').sort()).toEqual(['ledger:read', 'ledger:write']);
    // A narrower request gets only what it asks for; a scope the client lacks is refused.
    const narrow = claimsOf(expectToken(await assertionRequest(await assertion(id, key), { scope: 'ledger:read' })));
    expect(narrow.scope).toBe('ledger:read');
    const beyond = await assertionRequest(await assertion(id, key), { scope: 'ledger:admin' });
    expect({ status: beyond.status, error: beyond.body.error }).toEqual({ status: 400, error: 'invalid_scope' });
  });

  it('refuses a replayed jti, and costs exactly two D1 round trips', async () => {
    const key = await keyPair('ES256', 'replay');
    const { id } = await keyClient([key]);
    const signed = await assertion(id, key);
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: JWT_BEARER, client_assertion: signed });
    const first = await apiCountingRoundTrips('POST', '/oauth/token', {
      rawBody: form.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      token: null,
    });
    expect(first.status, first.text).toBe(200);
    expect(first.roundTrips).toBe(2);
    expectOAuthError(await assertionRequest(signed), 401, 'invalid_client', 'the assertion jti was already used: sign a new assertion, with a new jti, for every request');
  });

  it("accepts a jti another client already used: each client's jtis are its own", async () => {
    const [a, b] = [await keyPair('ES256', 'a'), await keyPair('ES256', 'b')];
    const [first, second] = [await keyClient([a]), await keyClient([b])];
    const jti = `shared-${crypto.randomUUID()}`;
    expectToken(await assertionRequest(await assertion(first.id, a, { jti })));
    expectToken(await assertionRequest(await assertion(second.id, b, { jti })));
    expectOAuthError(await assertionRequest(await assertion(first.id, a, { jti })), 401, 'invalid_client', /jti was already used/);
  });
});

describe('what an assertion must say', () => {
  const refused = async (claims: Record<string, unknown>, description: string) => {
    const key = await keyPair('ES256', 'k');
    const { id } = await keyClient([key]);
    expectOAuthError(await assertionRequest(await assertion(id, key, claims)), 401, 'invalid_client', description);
  };

  it('refuses an expired one (beyond 30 s of skew)', () => refused({ exp: now() - 31, iat: now() - 120 }, 'the assertion has expired'));
  it('refuses an exp more than 5 minutes ahead', () => refused({ exp: now() + 400 }, 'the assertion exp must be at most 300 seconds ahead'));
  it('refuses one without exp', () => refused({ exp: undefined }, 'the assertion needs exp'));
  it('refuses one without jti', () => refused({ jti: undefined }, 'the assertion needs a jti of 1-256 characters'));
  it('refuses an iat in the future beyond 30 s of skew', () => refused({ iat: now() + 60 }, 'the assertion iat is in the future'));
  it('refuses an nbf in the future', () => refused({ nbf: now() + 60 }, 'the assertion is not valid yet (nbf)'));
  it('refuses another audience', () =>
    refused({ aud: 'https://other.example/oauth/token' }, `the assertion aud must be this service's issuer or its token endpoint (${AUDIENCES})`));
  it('refuses iss other than sub', () => refused({ iss: 'someone-else' }, 'the assertion iss must equal its sub (both the client id)'));

  it('accepts an iat within the skew, and exp up to 5 minutes ahead', async () => {
    const key = await keyPair('ES256', 'k');
    const { id } = await keyClient([key]);
    expectToken(await assertionRequest(await assertion(id, key, { iat: now() + 20 })));
    expectToken(await assertionRequest(await assertion(id, key, { exp: now() + 300 })));
    expectToken(await assertionRequest(await assertion(id, key, { exp: now() - 10 }))); // within the skew
  });

  it('accepts the issuer, the token endpoint and the token endpoint under /api/auth as aud, as one value', async () => {
    const key = await keyPair('ES256', 'k');
    const { id } = await keyClient([key]);
    for (const aud of [ISSUER, TOKEN_ENDPOINT, `${ISSUER}/api/auth/oauth/token`, [ISSUER]]) {
      expectToken(await assertionRequest(await assertion(id, key, { aud })));
    }
  });

  it('refuses a client_id form parameter other than the sub, accepts the same', async () => {
    const key = await keyPair('ES256', 'k');
    const { id } = await keyClient([key]);
    const other = await assertionRequest(await assertion(id, key), { client_id: 'another-client' });
    expectOAuthError(other, 401, 'invalid_client', "client_id differs from the assertion's sub");
    expectToken(await assertionRequest(await assertion(id, key), { client_id: id }));
  });
});

describe('whose key signed it', () => {
  it('an unknown kid is named', async () => {
    const [key, stray] = [await keyPair('ES256', 'known'), await keyPair('ES256', 'not-registered')];
    const { id } = await keyClient([key]);
    expectOAuthError(await assertionRequest(await assertion(id, stray)), 401, 'invalid_client', "no key of this client has kid 'not-registered' for ES256");
  });

  it('an unknown client and a bad signature (another key, same kid) say the same', async () => {
    const [key, impostor] = [await keyPair('ES256', 'same-kid'), await keyPair('ES256', 'same-kid')];
    const { id } = await keyClient([key]);
    const badSignature = await assertionRequest(await assertion(id, impostor));
    const unknownClient = await assertionRequest(await assertion(`nobody-${crypto.randomUUID()}`, key));
    expectOAuthError(badSignature, 401, 'invalid_client', UNKNOWN_CLIENT_OR_BAD_SIGNATURE);
    expectOAuthError(unknownClient, 401, 'invalid_client', UNKNOWN_CLIENT_OR_BAD_SIGNATURE);
    // The impostor's jti was not burnt: the real key may still use it.
    const jti = `kept-${crypto.randomUUID()}`;
    expectOAuthError(await assertionRequest(await assertion(id, impostor, { jti })), 401, 'invalid_client', UNKNOWN_CLIENT_OR_BAD_SIGNATURE);
    expectToken(await assertionRequest(await assertion(id, key, { jti })));
  });

  it('refuses HS256 made with the public key (its JWK or its SPKI) as the HMAC secret', async () => {
    const key = await keyPair('ES256', 'k');
    const { id } = await keyClient([key]);
    const { kid: _kid, ...bareJwk } = key.jwk;
    const secrets = [JSON.stringify(key.jwk), JSON.stringify(bareJwk), await exportSPKI(key.publicKey)];
    for (const secret of secrets) {
      const forged = await new SignJWT({ iss: id, sub: id, aud: TOKEN_ENDPOINT, jti: crypto.randomUUID(), exp: now() + 60 })
        .setProtectedHeader({ alg: 'HS256', kid: 'k' })
        .sign(new TextEncoder().encode(secret));
      const description = "the assertion alg 'HS256' is not accepted: use one of ES256, ES384, EdDSA, RS256, PS256";
      expectOAuthError(await assertionRequest(forged), 401, 'invalid_client', description);
    }
  });

  it('refuses alg none', async () => {
    const key = await keyPair('ES256', 'k');
    const { id } = await keyClient([key]);
    const unsigned = handmadeJwt({ alg: 'none', kid: 'k' }, { iss: id, sub: id, aud: TOKEN_ENDPOINT, jti: crypto.randomUUID(), exp: now() + 60 });
    const description = "the assertion alg 'none' is not accepted: use one of ES256, ES384, EdDSA, RS256, PS256";
    expectOAuthError(await assertionRequest(unsigned), 401, 'invalid_client', description);
  });

  it('refuses a header naming its own keys (jku, x5u, jwk, x5c), even signed by a registered key', async () => {
    const [key, attacker] = [await keyPair('ES256', 'k'), await keyPair('ES256', 'k')];
    const { id } = await keyClient([key]);
    const headers: Record<string, unknown> = {
      jku: 'https://attacker.example/jwks.json',
      x5u: 'https://attacker.example/cert.pem',
      jwk: attacker.jwk,
      x5c: ['MIIBszCCAVmgAwIBAgIUBogus'],
    };
    for (const [name, value] of Object.entries(headers)) {
      for (const signer of [key, attacker]) {
        const res = await assertionRequest(await assertion(id, signer, {}, { [name]: value }));
        expectOAuthError(res, 401, 'invalid_client', `the assertion header ${name} is not accepted: keys come only from the client's registration`);
      }
    }
  });
});

describe('one way to authenticate', () => {
  it('refuses an assertion with HTTP Basic or with client_secret (invalid_request)', async () => {
    const key = await keyPair('ES256', 'k');
    const { id } = await keyClient([key]);
    const description = 'use either a client assertion or a client secret (HTTP Basic or client_secret), not both';
    const withBasic = await assertionRequest(await assertion(id, key), {}, { authorization: basicAuth(id, 'whatever') });
    expectOAuthError(withBasic, 400, 'invalid_request', description);
    expectOAuthError(await assertionRequest(await assertion(id, key), { client_secret: 'whatever' }), 400, 'invalid_request', description);
  });

  it('refuses another client_assertion_type (invalid_client), and an assertion without its type (invalid_request)', async () => {
    const key = await keyPair('ES256', 'k');
    const { id } = await keyClient([key]);
    const wrongType = await assertionRequest(await assertion(id, key), { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer' });
    expectOAuthError(wrongType, 401, 'invalid_client', `client_assertion_type must be ${JWT_BEARER}`);
    const untyped = await tokenRequest({ grant_type: 'client_credentials', client_assertion: await assertion(id, key) });
    expectOAuthError(untyped, 400, 'invalid_request', 'client_assertion_type and client_assertion go together');
    const typeOnly = await tokenRequest({ grant_type: 'client_credentials', client_assertion_type: JWT_BEARER });
    expectOAuthError(typeOnly, 400, 'invalid_request', 'client_assertion_type and client_assertion go together');
  });

  it("refuses the static admin's id as sub", async () => {
    const key = await keyPair('ES256', 'k');
    const res = await assertionRequest(await assertion(ADMIN_CREDENTIALS.id, key));
    expectOAuthError(res, 401, 'invalid_client', 'the static admin client authenticates with its secret only');
  });

  it('refuses a valid assertion from a client_secret_basic client', async () => {
    const key = await keyPair('ES256', 'k');
    const tenant = { 'X-Tenant-Id': `pk-${crypto.randomUUID().slice(0, 8)}` };
    const client = (await api('POST', '/clients', { body: { name: 'secret client' }, headers: tenant })).body.data;
    expect(client.tokenEndpointAuthMethod).toBe('client_secret_basic');
    const res = await assertionRequest(await assertion(client.id, key));
    expectOAuthError(res, 401, 'invalid_client', 'this client authenticates with client_secret_basic, not private_key_jwt');
  });

  it('a client_secret_post client: refused with HTTP Basic, accepted with the secret in the body', async () => {
    const headers = { 'X-Tenant-Id': `pk-${crypto.randomUUID().slice(0, 8)}` };
    const client = (await api('POST', '/clients', { body: { name: 'post', tokenEndpointAuthMethod: 'client_secret_post' }, headers })).body.data;
    const secret = (await api('POST', `/clients/${client.id}/secrets`, { body: {}, headers })).body.data.clear;
    const basic = await tokenRequest({ grant_type: 'client_credentials' }, { authorization: basicAuth(client.id, secret) });
    expectOAuthError(basic, 401, 'invalid_client', 'this client authenticates with client_secret_post: client_id and client_secret in the body');
    expectToken(await tokenRequest({ grant_type: 'client_credentials', client_id: client.id, client_secret: secret }));
  });

  it('refuses a valid secret of a private_key_jwt client, by Basic and in the body', async () => {
    const key = await keyPair('ES256', 'k');
    const { id, headers } = await keyClient([key]);
    const secret = (await api('POST', `/clients/${id}/secrets`, { body: {}, headers })).body.data.clear;
    const description = 'this client authenticates with private_key_jwt: its secrets do not authenticate it';
    expectOAuthError(await tokenRequest({ grant_type: 'client_credentials' }, { authorization: basicAuth(id, secret) }), 401, 'invalid_client', description);
    expectOAuthError(await tokenRequest({ grant_type: 'client_credentials', client_id: id, client_secret: secret }), 401, 'invalid_client', description);
  });
});

describe('D1 round trips', () => {
  const count = (clientAssertion: string) =>
    apiCountingRoundTrips('POST', '/oauth/token', {
      rawBody: new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: JWT_BEARER, client_assertion: clientAssertion }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      token: null,
    });

  it('an assertion refused for what it says (aud, exp, alg, jku) costs none', async () => {
    const key = await keyPair('ES256', 'k');
    const { id } = await keyClient([key]);
    const refusedBeforeD1 = [
      await assertion(id, key, { aud: 'https://other.example' }),
      await assertion(id, key, { exp: now() - 120, iat: now() - 180 }),
      await assertion(id, key, {}, { jku: 'https://attacker.example/jwks.json' }),
      handmadeJwt({ alg: 'none', kid: 'k' }, { iss: id, sub: id, aud: TOKEN_ENDPOINT, jti: 'x', exp: now() + 60 }),
      await assertion(env.ADMIN_CLIENT_ID, key),
    ];
    for (const signed of refusedBeforeD1) {
      const res = await count(signed);
      expect({ status: res.status, error: res.body.error, roundTrips: res.roundTrips }).toEqual({ status: 401, error: 'invalid_client', roundTrips: 0 });
    }
  });

  it('a bad signature costs one (the client), never the replay store', async () => {
    const [key, impostor] = [await keyPair('ES256', 'k'), await keyPair('ES256', 'k')];
    const { id } = await keyClient([key]);
    const res = await count(await assertion(id, impostor));
    expect({ status: res.status, roundTrips: res.roundTrips }).toEqual({ status: 401, roundTrips: 1 });
  });

  it('answers 503 temporarily_unavailable with Retry-After when the jwksUri fails, and does not fetch it again meanwhile', async () => {
    const key = await keyPair('ES256', 'remote');
    const uri = `${env.TEST_FAILING_JWKS_URL}?case=${crypto.randomUUID()}`;
    const created = await api('POST', '/clients', { body: { name: 'remote', tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: uri } });
    expect(created.status, created.text).toBe(201);
    const id = created.body.data.id as string;
    for (let i = 0; i < 2; i++) {
      const res = await assertionRequest(await assertion(id, key));
      expect(res.status, res.text).toBe(503);
      expect(res.body.error).toBe('temporarily_unavailable');
      expect(res.headers.get('retry-after')).toBe('30');
    }
    const counts = (await (await fetch(env.TEST_JWKS_FETCH_COUNT_URL)).json()) as { byUrl: Record<string, number> };
    expect(counts.byUrl[uri]).toBe(1);
  });
});
