import { base64url } from 'jose';

/** Where a page ends: the keyset (creation time, id) of its last row. */
export interface CursorPosition {
  createdAt: number;
  id: string;
}

/** What a cursor is bound to: a cursor of another list, tenant or filter set is refused. */
export interface CursorScope {
  list: string;
  tenantId: string;
  filters: string;
}

interface CursorPayload {
  l: string;
  t: string;
  f: string;
  c: number;
  i: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class InvalidCursorError extends Error {}

/** An HMAC-SHA-256 key for cursors, derived (HKDF) from server-side secret material. */
export async function deriveCursorKey(secretMaterial: string): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', encoder.encode(secretMaterial), 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: encoder.encode('edge-oauth-clients/cursor/v1') },
    base,
    { name: 'HMAC', hash: 'SHA-256', length: 256 },
    false,
    ['sign', 'verify'],
  );
}

/** Opaque, tamper-evident: base64url(JSON) "." base64url(HMAC). */
export async function encodeCursor(key: CryptoKey, scope: CursorScope, position: CursorPosition): Promise<string> {
  const payload: CursorPayload = { l: scope.list, t: scope.tenantId, f: scope.filters, c: position.createdAt, i: position.id };
  const body = encoder.encode(JSON.stringify(payload));
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, body));
  return `${base64url.encode(body)}.${base64url.encode(mac)}`;
}

export async function decodeCursor(key: CryptoKey, scope: CursorScope, cursor: string): Promise<CursorPosition> {
  const [body, mac, extra] = cursor.split('.');
  if (!body || !mac || extra !== undefined) throw new InvalidCursorError('cursor: is not a cursor issued by this service');
  let bodyBytes: Uint8Array;
  let macBytes: Uint8Array;
  try {
    bodyBytes = base64url.decode(body);
    macBytes = base64url.decode(mac);
  } catch {
    throw new InvalidCursorError('cursor: is not a cursor issued by this service');
  }
  // crypto.subtle.verify compares in constant time.
  if (!(await crypto.subtle.verify('HMAC', key, macBytes, bodyBytes))) {
    throw new InvalidCursorError('cursor: has been altered or was not issued by this service');
  }
  const payload = JSON.parse(decoder.decode(bodyBytes)) as CursorPayload;
  if (payload.l !== scope.list || payload.t !== scope.tenantId || payload.f !== scope.filters) {
    throw new InvalidCursorError('cursor: belongs to another list, tenant or set of filters');
  }
  return { createdAt: payload.c, id: payload.i };
}
