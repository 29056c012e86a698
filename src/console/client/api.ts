// The console's only way to the service: the public JSON API, same origin, with
// the signed-in token. No private endpoint, no power of its own.
import { decodeJwt } from 'jose';

const STORAGE_KEY = 'console.session';
/** Where an expiring token is refused anyway: a request in flight must not arrive after `exp`. */
const EXPIRY_MARGIN_MS = 5_000;

export interface Session {
  token: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  clientId: string;
  tenant: string;
  scopes: string[];
  /** An operator's chosen tenant (X-Tenant-Id), null: the token's own. */
  actingTenant: string | null;
}

/** An answer that was not 2xx, in the API's own terms. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    readonly errorMessage: string,
  ) {
    super(`${errorCode}: ${errorMessage}`);
  }
}

let current: Session | null = null;
const listeners = new Set<(session: Session | null, reason?: string) => void>();

export const isOperator = (session: Session) => session.scopes.includes('auth:tenants');

export function onSessionChange(listener: (session: Session | null, reason?: string) => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function publish(session: Session | null, reason?: string) {
  current = session;
  if (session) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  else sessionStorage.clear();
  for (const listener of listeners) listener(session, reason);
}

/** The session kept in this tab (sessionStorage), unless it has expired. */
export function restoreSession(): { session: Session | null; expired: boolean } {
  try {
    const saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null') as Session | null;
    if (saved && typeof saved.token === 'string' && saved.expiresAt - EXPIRY_MARGIN_MS > Date.now()) {
      current = saved;
      return { session: saved, expired: false };
    }
    sessionStorage.clear();
    return { session: null, expired: saved !== null };
  } catch {
    sessionStorage.clear();
    return { session: null, expired: false };
  }
}

export const signOut = (reason?: string) => publish(null, reason);

export function setActingTenant(tenant: string | null) {
  if (current) publish({ ...current, actingTenant: tenant });
}

const basic = (id: string, secret: string) =>
  `Basic ${btoa(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`)}`;

export interface TokenAnswer {
  access_token: string;
  expires_in: number;
  scope: string;
}

/**
 * client_credentials at /oauth/token (RFC 6749 §2.3.1): the secret in HTTP Basic (client_secret_basic),
 * or in the body for a client registered with client_secret_post (which refuses Basic).
 */
export async function requestToken(clientId: string, secret: string, scope?: string, inBody = false): Promise<TokenAnswer> {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (scope) form.set('scope', scope);
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
  if (inBody) {
    form.set('client_id', clientId);
    form.set('client_secret', secret);
  } else {
    headers.Authorization = basic(clientId, secret);
  }
  const res = await fetch('/oauth/token', {
    method: 'POST',
    // Without credentials mode "omit", Chromium answers a 401 carrying WWW-Authenticate: Basic
    // (RFC 6749 §5.2 requires it) with its own login prompt, and the fetch hangs behind it.
    credentials: 'omit',
    headers,
    body: form,
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    throw new ApiFailure(res.status, body.error ?? 'ERROR', body.error_description ?? `the token endpoint answered ${res.status}`);
  }
  return body as TokenAnswer;
}

export async function signIn(clientId: string, secret: string) {
  const answer = await requestToken(clientId, secret);
  const claims = decodeJwt(answer.access_token);
  publish({
    token: answer.access_token,
    expiresAt: Date.now() + answer.expires_in * 1000,
    clientId: String(claims.client_id ?? clientId),
    tenant: String(claims.tenant ?? ''),
    scopes: (answer.scope ?? '').split(' ').filter(Boolean),
    actingTenant: null,
  });
}

export interface Answer<T> {
  status: number;
  data: T;
  etag: string | null;
  body: any;
}

type Query = Record<string, string | undefined>;

const withQuery = (path: string, query?: Query) => {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined && value !== '') params.append(key, value);
  const text = params.toString();
  return text ? `${path}?${text}` : path;
};

/** One API call as the signed-in client; 401 ends the session (the token expired or was revoked). */
export async function api<T = any>(
  method: string,
  path: string,
  options: { body?: unknown; query?: Query; ifMatch?: string | null } = {},
): Promise<Answer<T>> {
  const session = current;
  if (!session || session.expiresAt - EXPIRY_MARGIN_MS <= Date.now()) {
    signOut('Your session expired: sign in again.');
    throw new ApiFailure(401, 'UNAUTHORIZED', 'the session expired');
  }
  const headers: Record<string, string> = { Authorization: `Bearer ${session.token}`, Accept: 'application/json' };
  if (session.actingTenant) headers['X-Tenant-Id'] = session.actingTenant;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.ifMatch) headers['If-Match'] = options.ifMatch;
  let res: Response;
  try {
    res = await fetch(withQuery(path, options.query), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      cache: 'no-store',
      credentials: 'omit', // no cookie is ever used: the token is the only credential
    });
  } catch {
    throw new ApiFailure(0, 'NETWORK', 'the service could not be reached');
  }
  const body = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) {
    const failure = new ApiFailure(
      res.status,
      typeof body?.errorCode === 'string' ? body.errorCode : `HTTP_${res.status}`,
      typeof body?.errorMessage === 'string' ? body.errorMessage : `the service answered ${res.status}`,
    );
    if (res.status === 401) signOut('Your session ended (the token expired or was revoked): sign in again.');
    throw failure;
  }
  return { status: res.status, data: body?.data as T, etag: res.headers.get('ETag'), body };
}

/** Every page of a list, following cursor.next, up to `maxPages` (scopes for pickers). */
export async function listAll<T>(path: string, maxPages = 10): Promise<{ items: T[]; complete: boolean }> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const { body } = await api('GET', path, { query: { pageSize: '1000', cursor } });
    items.push(...(body.data as T[]));
    if (!body.cursor?.hasMore || !body.cursor.next) return { items, complete: true };
    cursor = body.cursor.next;
  }
  return { items, complete: false };
}
