import { describe, expect, it } from 'vitest';
import { ADMIN_CREDENTIALS, api, basicAuth } from './helpers';

describe('the /api/auth prefix (Formance gateway paths)', () => {
  it('serves the admin API, the token endpoint, the keys and discovery under /api/auth', async () => {
    const created = await api('POST', '/api/auth/clients', { body: { name: 'prefixed' } });
    expect(created.status).toBe(201);
    expect((await api('GET', `/clients/${created.body.data.id}`)).status).toBe(200);
    expect((await api('GET', `/api/auth/clients/${created.body.data.id}`)).body.data.name).toBe('prefixed');
    const token = await api('POST', '/api/auth/oauth/token', {
      rawBody: 'grant_type=client_credentials',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(ADMIN_CREDENTIALS.id, ADMIN_CREDENTIALS.secret) },
      token: null,
    });
    expect(token.status).toBe(200);
    expect((await api('GET', '/api/auth/keys', { token: null })).body.keys).toHaveLength(2);
    const discovery = await api('GET', '/api/auth/.well-known/openid-configuration', { token: null });
    expect(discovery.body).toMatchObject({
      issuer: 'https://registry.test',
      token_endpoint: 'https://registry.test/api/auth/oauth/token',
      jwks_uri: 'https://registry.test/api/auth/keys',
    });
  });

  it('keeps errors JSON under the prefix', async () => {
    const res = await api('GET', '/api/auth/clients/nope');
    expect(res.body).toEqual({ errorCode: 'NOT_FOUND', errorMessage: 'client "nope" not found' });
    const noRoute = await api('GET', '/api/auth/nothing');
    expect(noRoute.body.errorCode).toBe('NOT_FOUND');
  });
});
