// The API, for seeding and for the one-off probe of each case.
import { BASE } from './config.mjs';

export const basic = (id, secret) => {
  const encode = (value) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`;
};
export const bearer = (token) => `Bearer ${token}`;

export async function call(method, path, { headers = {}, body, json } = {}) {
  const init = { method, headers: { ...headers } };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers['content-type'] = 'application/json';
  } else if (body !== undefined) {
    init.body = body;
  }
  const res = await fetch(`${BASE}${path}`, init);
  const text = await res.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: res.status, headers: res.headers, text, body: parsed };
}

export async function expectStatus(promise, status, what) {
  const res = await promise;
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${res.text.slice(0, 500)}`);
  return res;
}

export const FORM = 'application/x-www-form-urlencoded';
export const TOKEN_BODY = 'grant_type=client_credentials';

export async function tokenFor(id, secret) {
  const res = await expectStatus(
    call('POST', '/oauth/token', { headers: { authorization: basic(id, secret), 'content-type': FORM }, body: TOKEN_BODY }),
    200,
    `token for ${id}`,
  );
  return res.body;
}
