import { api, basicAuth, tokenRequest, type ApiResponse } from './helpers';

const ok = (res: ApiResponse, what: string) => {
  if (res.status >= 300) throw new Error(`${what}: ${res.status} ${res.text}`);
  return res.body;
};

/**
 * A client stored in D1, made through the admin API (the static admin acting in
 * `tenant`), holding a scope per label, with one secret: its tokens come from
 * /oauth/token like any caller's.
 */
export async function issuedClient(labels: string[], tenant = `t-${crypto.randomUUID().slice(0, 8)}`) {
  const headers = { 'X-Tenant-Id': tenant };
  const scopeIds: Record<string, string> = {};
  for (const label of labels) scopeIds[label] = ok(await api('POST', '/scopes', { body: { label }, headers }), `scope ${label}`).data.id;
  const client = ok(await api('POST', '/clients', { body: { name: 'issued' }, headers }), 'client').data;
  for (const id of Object.values(scopeIds)) ok(await api('PUT', `/clients/${client.id}/scopes/${id}`, { headers }), 'attach');
  const addSecret = async () => ok(await api('POST', `/clients/${client.id}/secrets`, { body: { name: 's' }, headers }), 'secret').data;
  const secret = await addSecret();
  /** A token from /oauth/token; all the client's scopes unless `scope` names some. */
  const token = async (scope?: string, clear: string = secret.clear): Promise<string> =>
    ok(
      await tokenRequest({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) }, { authorization: basicAuth(client.id, clear) }),
      'token',
    ).access_token;
  /** An admin request in the client's tenant. */
  const admin = (method: string, path: string, body?: unknown) => api(method, path, { body, headers });
  return { tenant, headers, client, secret, scopeIds, token, addSecret, admin };
}

/** A request with `token` as the bearer, in its own tenant. */
export const as = (token: string, method: string, path: string, body?: unknown) => api(method, path, { token, body });

/** POST /oauth/revoke by a client, with client_secret_basic. */
export const revoke = (clientId: string, clear: string, token: string) =>
  api('POST', '/oauth/revoke', {
    rawBody: new URLSearchParams({ token }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(clientId, clear) },
    token: null,
  });

/** POST /oauth/introspect by a client, with client_secret_basic. */
export const introspect = (clientId: string, clear: string, token: string) =>
  api('POST', '/oauth/introspect', {
    rawBody: new URLSearchParams({ token }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(clientId, clear) },
    token: null,
  });
