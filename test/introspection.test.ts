import { describe, expect, it } from 'vitest';
import { ADMIN_CREDENTIALS, api, basicAuth } from './helpers';
import { introspect, issuedClient } from './issued-clients';
import { EXTERNAL_CLAIMS, now, signToken, testKeys } from './tokens';

const claimsOf = (token: string) => JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')));

/** A client of `tenant` that may introspect, and one of its tokens' owners. */
async function setting() {
  const caller = await issuedClient(['auth:introspect']);
  const subject = await issuedClient(['auth:read', 'ledger:read'], caller.tenant);
  return { caller, subject, ask: (token: string) => introspect(caller.client.id, caller.secret.clear, token) };
}

describe('POST /oauth/introspect (RFC 7662)', () => {
  it('answers an active token with its claims, no-store', async () => {
    const { subject, ask } = await setting();
    const token = await subject.token();
    const claims = claimsOf(token);
    const res = await ask(token);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toEqual({
      active: true,
      scope: 'auth:read ledger:read',
      client_id: subject.client.id,
      sub: subject.client.id,
      tenant: subject.tenant,
      exp: claims.exp,
      iat: claims.iat,
      iss: 'https://registry.test',
      aud: 'https://registry.test',
      token_type: 'Bearer',
    });
  });

  it('answers exactly {"active": false} for a revoked, expired, malformed, foreign or external token', async () => {
    const { subject, ask } = await setting();
    const revoked = await subject.token();
    const withoutLedger = await subject.token('auth:read');
    expect((await ask(revoked)).body.active).toBe(true);
    expect((await subject.admin('DELETE', `/clients/${subject.client.id}/scopes/${subject.scopeIds['ledger:read']}`)).status).toBe(204);
    const inactive = [
      revoked,
      await signToken({ claims: { exp: now() - 120, iat: now() - 600 } }),
      'not-a-token',
      await signToken({ key: testKeys.strangerKey }),
      await signToken({ key: testKeys.externalKey, claims: { ...EXTERNAL_CLAIMS, tenant: subject.tenant } }),
    ];
    for (const token of inactive) expect((await ask(token)).body).toEqual({ active: false });
    expect((await ask(withoutLedger)).body.active).toBe(true);
  });

  it('a token of another tenant is inactive to the caller, and active to an operator', async () => {
    const { ask } = await setting();
    const stranger = await issuedClient(['auth:read']);
    const token = await stranger.token();
    expect((await ask(token)).body).toEqual({ active: false });
    const operator = await introspect(ADMIN_CREDENTIALS.id, ADMIN_CREDENTIALS.secret, token);
    expect(operator.body).toMatchObject({ active: true, tenant: stranger.tenant, client_id: stranger.client.id });
  });

  it('needs auth:introspect, client credentials and a token', async () => {
    const { subject, caller } = await setting();
    const token = await subject.token();
    const lacking = await introspect(subject.client.id, subject.secret.clear, token);
    expect({ status: lacking.status, error: lacking.body.error }).toEqual({ status: 403, error: 'insufficient_scope' });
    const wrong = await introspect(caller.client.id, 'wrong', token);
    expect({ status: wrong.status, error: wrong.body.error }).toEqual({ status: 401, error: 'invalid_client' });
    const none = await api('POST', '/oauth/introspect', {
      rawBody: 'token_type_hint=access_token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(caller.client.id, caller.secret.clear) },
      token: null,
    });
    expect({ status: none.status, error: none.body.error }).toEqual({ status: 400, error: 'invalid_request' });
  });

  it('the discovery document names the revocation and introspection endpoints', async () => {
    const doc = (await api('GET', '/.well-known/openid-configuration', { token: null })).body;
    expect(doc).toMatchObject({
      revocation_endpoint: 'https://registry.test/oauth/revoke',
      introspection_endpoint: 'https://registry.test/oauth/introspect',
    });
  });
});
