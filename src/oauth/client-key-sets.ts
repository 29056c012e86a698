// The public keys of private_key_jwt clients: inline (stored in D1 with the client) or published at
// a jwksUri, fetched with a timeout and a size cap, cached per isolate (RemoteKeySet: fresh for 10
// minutes, refetched early only for an unknown kid and at most every 30 seconds, failures cached
// for 30 seconds too). A key set from a jwksUri passes the rules of inline keys (client-keys.ts).
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { RemoteKeySet } from '../auth/remote-key-set';
import { usableKeys, type StoredJwks } from '../clients/client-keys';

/** While a jwksUri fails, its last good keys serve at most an hour after they were fetched, then 503. */
export const MAX_STALE_MS = 60 * 60_000;

/** How many jwksUri key sets one isolate keeps: beyond it the least recently used goes. */
export const MAX_CACHED_KEY_SETS = 256;

const byUri = new Map<string, RemoteKeySet>();

function remoteKeySet(uri: string): RemoteKeySet {
  let keySet = byUri.get(uri);
  if (keySet) {
    byUri.delete(uri); // re-inserted last: most recently used
  } else {
    keySet = new RemoteKeySet(uri, {
      source: "the client's jwksUri",
      sanitize: (published) => usableKeys(published) as JSONWebKeySet,
      noRedirects: true,
      maxStaleMs: MAX_STALE_MS,
    });
    if (byUri.size >= MAX_CACHED_KEY_SETS) byUri.delete(byUri.keys().next().value!);
  }
  byUri.set(uri, keySet);
  return keySet;
}

/** The keys that verify a client's assertions. */
export function clientKeys(client: { jwks: StoredJwks | null; jwksUri: string | null }): JWTVerifyGetKey {
  if (client.jwksUri) return remoteKeySet(client.jwksUri).getKey;
  return createLocalJWKSet((client.jwks ?? { keys: [] }) as JSONWebKeySet);
}
