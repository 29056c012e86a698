import { env, exports } from 'cloudflare:workers';
import { createApp } from '../src/app';
import { CountingD1 } from '../src/lib/counting-d1';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

export interface RequestOptions {
  body?: unknown;
  rawBody?: BodyInit;
  headers?: Record<string, string>;
  /** Bearer token for admin routes; the admin client's by default, `null` for none. */
  token?: string | null;
}

async function toApiResponse(res: Response): Promise<ApiResponse> {
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return { status: res.status, headers: res.headers, text, body };
}

export const ADMIN_CREDENTIALS = { id: env.ADMIN_CLIENT_ID, secret: env.ADMIN_CLIENT_SECRET };

export function basicAuth(clientId: string, clientSecret: string) {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${btoa(`${encode(clientId)}:${encode(clientSecret)}`)}`;
}

/** POST /oauth/token with a form body. */
export function tokenRequest(form: Record<string, string>, headers: Record<string, string> = {}) {
  return api('POST', '/oauth/token', {
    rawBody: new URLSearchParams(form).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    token: null,
  });
}

let adminToken: Promise<string> | undefined;

/** A token of the static admin client (auth:read auth:write), fetched once per test file. */
export function getAdminToken(): Promise<string> {
  adminToken ??= tokenRequest(
    { grant_type: 'client_credentials' },
    { authorization: basicAuth(ADMIN_CREDENTIALS.id, ADMIN_CREDENTIALS.secret) },
  ).then((res) => {
    if (res.status !== 200) throw new Error(`admin token: ${res.status} ${res.text}`);
    return res.body.access_token as string;
  });
  return adminToken;
}

async function buildInit(method: string, options: RequestOptions): Promise<RequestInit> {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? await getAdminToken() : options.token;
  if (token !== null && !('authorization' in headers)) headers.authorization = `Bearer ${token}`;
  let body = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  return { method, headers, body };
}

/** A request through the deployed entry point (the worker's default export). */
export async function api<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  return toApiResponse(await exports.default.fetch(`https://registry.test${path}`, await buildInit(method, options)));
}

/** A request through the real app with a D1 binding that counts round trips. */
export async function apiCountingRoundTrips(method: string, path: string, options: RequestOptions = {}) {
  const db = new CountingD1(env.DB);
  const app = createApp();
  const res = await app.fetch(new Request(`https://registry.test${path}`, await buildInit(method, options)), {
    ...env,
    DB: db.asBinding(),
  });
  return { ...(await toApiResponse(res)), roundTrips: db.roundTrips };
}

export async function createClient(options: Record<string, unknown> = {}) {
  const res = await api('POST', '/clients', { body: { name: 'test client', ...options } });
  if (res.status !== 201) throw new Error(`createClient failed: ${res.status} ${res.text}`);
  return res.body.data;
}

let labelCounter = 0;
export async function createScope(label = `scope:${++labelCounter}:${crypto.randomUUID().slice(0, 8)}`, metadata?: Record<string, string>) {
  const res = await api('POST', '/scopes', { body: { label, metadata } });
  if (res.status !== 201) throw new Error(`createScope failed: ${res.status} ${res.text}`);
  return res.body.data;
}

export async function createSecret(clientId: string, name = 'primary') {
  const res = await api('POST', `/clients/${clientId}/secrets`, { body: { name } });
  if (res.status !== 200) throw new Error(`createSecret failed: ${res.status} ${res.text}`);
  return res.body.data;
}

export async function countRows(table: string, where = '1 = 1', ...params: unknown[]) {
  const row = await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${where}`).bind(...params).first<{ n: number }>();
  return row!.n;
}

/** Asserts the JSON error envelope and returns its message. */
export function expectError(res: ApiResponse, status: number, errorCode: string): string {
  if (res.status !== status || res.body?.errorCode !== errorCode || typeof res.body?.errorMessage !== 'string') {
    throw new Error(`expected ${status} ${errorCode}, got ${res.status} ${res.text}`);
  }
  if (res.headers.get('content-type')?.startsWith('application/json') !== true) {
    throw new Error(`error without a JSON content type: ${res.headers.get('content-type')}`);
  }
  return res.body.errorMessage;
}
