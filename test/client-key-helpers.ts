// private_key_jwt (RFC 7523) test helpers: client key pairs, assertions, key clients, and the
// fake host publishing client key sets (vitest.config.ts, clientKeysHost).
import { env } from 'cloudflare:workers';
import { base64url, exportJWK, generateKeyPair, SignJWT, type CryptoKey as JoseKey, type JWK } from 'jose';
import { expect } from 'vitest';
import { api, tokenRequest, type ApiResponse } from './helpers';

export const ISSUER = env.ISSUER!.replace(/\/+$/, '');
export const TOKEN_ENDPOINT = `${ISSUER}/oauth/token`;
export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** The one description for an unknown client and for a bad signature (src/oauth/client-assertion.ts). */
export const UNKNOWN_CLIENT_OR_BAD_SIGNATURE = 'unknown client or bad assertion signature';

export const now = () => Math.floor(Date.now() / 1000);

/** A key pair for `alg`; `jwk` is the public half with its kid. */
export async function keyPair(alg: string, kid: string, options: Record<string, unknown> = {}) {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}), ...options });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid };
  return { privateKey, publicKey, jwk, kid, alg };
}

export type Key = Awaited<ReturnType<typeof keyPair>>;

/** An RFC 7523 assertion; `claims` and `header` override the good defaults (undefined removes one). */
export async function assertion(
  clientId: string,
  key: { privateKey: JoseKey; kid: string; alg: string },
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
) {
  const at = now();
  const payload: Record<string, unknown> = { iss: clientId, sub: clientId, aud: TOKEN_ENDPOINT, jti: crypto.randomUUID(), iat: at, exp: at + 60, ...claims };
  for (const name of Object.keys(payload)) if (payload[name] === undefined) delete payload[name];
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, ...header }).sign(key.privateKey);
}

/** A JWT put together by hand: header and payload as given, the signature as given (none by default). */
export const handmadeJwt = (header: object, payload: object, signature = '') =>
  `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(payload))}.${signature}`;

// One address for this module's token requests: its own rate-limit budget, whatever other files spend.
const ADDRESS = `198.51.100.${Math.floor(Math.random() * 250) + 1}`;

export const assertionRequest = (clientAssertion: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}) =>
  tokenRequest(
    { grant_type: 'client_credentials', client_assertion_type: JWT_BEARER, client_assertion: clientAssertion, ...extra },
    { 'cf-connecting-ip': ADDRESS, ...headers },
  );

export const newTenant = () => `pk-${crypto.randomUUID().slice(0, 8)}`;

/** A private_key_jwt client with inline keys (or `options` to taste), made by the static admin in a fresh tenant. */
export async function keyClient(keys: Key[], options: Record<string, unknown> = {}, tenant = newTenant()) {
  const headers = { 'X-Tenant-Id': tenant };
  const res = await api('POST', '/clients', {
    body: { name: 'keyed', tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: keys.map((k) => k.jwk) }, ...options },
    headers,
  });
  expect(res.status, res.text).toBe(201);
  return { id: res.body.data.id as string, headers, tenant, client: res.body.data };
}

/** The claims of a JWT, unverified. */
export const claimsOf = (token: string) => JSON.parse(new TextDecoder().decode(base64url.decode(token.split('.')[1]!)));

/** The exact RFC 6749 §5.2 error: status and body {error, error_description}, nothing else. */
export function expectOAuthError(res: ApiResponse, status: number, error: string, description: string | RegExp) {
  expect({ status: res.status, body: res.body }, res.text).toEqual({
    status,
    body: { error, error_description: typeof description === 'string' ? description : expect.stringMatching(description) },
  });
}

/** A 200 token response; returns the access token. */
export function expectToken(res: ApiResponse): string {
  expect(res.status, res.text).toBe(200);
  expect(res.body.token_type).toBe('Bearer');
  return res.body.access_token as string;
}

// The fake host of client key sets (vitest.config.ts): the test's fetches reach it through the outbound service.
const KEYS_HOST = env.TEST_CLIENT_KEYS_HOST;

/** A fresh name on the key host, with its behaviour as prefix (failing-, hanging-, late-, oversize-, redirect-). */
export const keySetName = (behaviour = 'healthy') => `${behaviour}-${crypto.randomUUID().slice(0, 8)}`;
export const keySetUri = (name: string) => `${KEYS_HOST}/${name}.json`;

/** Publishes (or replaces) the key set served under `name`: keys or any JSON value. */
export async function publish(name: string, keySet: { keys: unknown[] } | Record<string, unknown>) {
  const res = await fetch(`${KEYS_HOST}/__publish/${name}`, { method: 'POST', body: JSON.stringify(keySet) });
  expect(res.status).toBe(204);
}

/** How often the key set under `name` was fetched. */
export async function keySetFetches(name: string): Promise<number> {
  return ((await (await fetch(`${KEYS_HOST}/__fetches/${name}`)).json()) as { fetches: number }).fetches;
}
