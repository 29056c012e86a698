// Seeding through the API, and through bench-only bulk routes (bench/worker.ts)
// for what the API would take minutes to create.
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { basic, bearer, call, expectStatus, FORM, TOKEN_BODY, tokenFor } from './api.mjs';
import {
  ADMIN_ID,
  BASE,
  BIG_TENANT,
  FIRST_USE_PREFIX,
  SETTINGS,
  SMALL_TENANT,
  bigLabel,
  deepRow,
  log,
  seededId,
} from './config.mjs';

/** Enough for 20 secrets each over any window this bench runs (about 1,000 requests a second at most). */
const SECRET_TARGETS = 2_000;

export async function inPool(items, concurrency, fn) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

const seconds = (started) => `${((Date.now() - started) / 1000).toFixed(1)} s`;

export async function seed(adminSecret) {
  const admin = (await tokenFor(ADMIN_ID, adminSecret)).access_token;
  const asAdmin = { authorization: bearer(admin) };

  // Scopes of tenant default. bench:a brings two transient scopes with it; c, d, e and doomed are
  // the targets of the scope writes.
  const scopeIds = {};
  const labels = ['auth:read', 'auth:tenants', 'bench:a', 'bench:b', 'bench:transient-1', 'bench:transient-2'];
  for (const label of [...labels, 'bench:c', 'bench:d', 'bench:e', 'bench:doomed', 'bench:update-target']) {
    const res = await expectStatus(call('POST', '/scopes', { headers: asAdmin, json: { label } }), 201, `createScope ${label}`);
    scopeIds[label] = res.body.data.id;
  }
  const linkScopes = (scope, transient) =>
    expectStatus(
      call('PUT', `/scopes/${scopeIds[scope]}/transient/${scopeIds[transient]}`, { headers: asAdmin }),
      204,
      `addTransientScope ${scope} → ${transient}`,
    );
  for (const [scope, transient] of [
    ['bench:a', 'bench:transient-1'],
    ['bench:a', 'bench:transient-2'],
    ['bench:c', 'bench:e'], // deleteTransientScope's probe removes it
    ['bench:c', 'bench:doomed'],
  ]) {
    await linkScopes(scope, transient);
  }

  const createClient = async (name, metadata = {}) =>
    (await expectStatus(call('POST', '/clients', { headers: asAdmin, json: { name, metadata } }), 201, `createClient ${name}`))
      .body.data.id;
  const createSecret = async (clientId, name) =>
    (await expectStatus(call('POST', `/clients/${clientId}/secrets`, { headers: asAdmin, json: { name } }), 200, 'createSecret'))
      .body.data;
  const attach = (clientId, label) =>
    expectStatus(call('PUT', `/clients/${clientId}/scopes/${scopeIds[label]}`, { headers: asAdmin }), 204, `attach ${label}`);

  // Tenant default: the readClient target, the token client, the operator, the write targets.
  const readTarget = await createClient('bench read target', { role: 'read-target' });
  for (const name of ['primary', 'secondary', 'tertiary']) await createSecret(readTarget, name);
  for (const label of ['auth:read', 'bench:a', 'bench:b']) await attach(readTarget, label);

  // The token client's secrets: one for the grant check below, one for the probe and the warm-up,
  // and one first used inside the measured window (so its lastUsedAt write lands there).
  const tokenClient = await createClient('bench token client', { role: 'token' });
  const grantSecret = (await createSecret(tokenClient, 'grant check')).clear;
  const probeSecret = (await createSecret(tokenClient, 'probe')).clear;
  const windowSecret = await createSecret(tokenClient, 'window');
  for (const label of ['auth:read', 'bench:a']) await attach(tokenClient, label);
  // Its token from the grant check is the one the token-judgement cases introspect and verify.
  const judged = await tokenFor(tokenClient, grantSecret);
  const granted = new Set(judged.scope.split(' '));
  const expected = ['auth:read', 'bench:a', 'bench:transient-1', 'bench:transient-2'];
  if (granted.size !== expected.length || !expected.every((label) => granted.has(label))) {
    throw new Error(`token client granted "${[...granted].join(' ')}", expected "${expected.join(' ')}"`);
  }

  // The private_key_jwt client: no secret, an ES256 key, the token client's scopes.
  const keyPair = await generateKeyPair('ES256', { extractable: true });
  const keyJwk = { ...(await exportJWK(keyPair.publicKey)), kid: 'bench-key', alg: 'ES256', use: 'sig' };
  const keyClient = (
    await expectStatus(
      call('POST', '/clients', {
        headers: asAdmin,
        json: { name: 'bench private_key_jwt client', tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [keyJwk] } },
      }),
      201,
      'createClient private_key_jwt',
    )
  ).body.data.id;
  for (const label of ['auth:read', 'bench:a']) await attach(keyClient, label);
  const keyClientKey = { privateKey: keyPair.privateKey, kid: keyJwk.kid, alg: 'ES256' };

  // The closure client: one attached scope reaching 100 scopes, a chain bench:closure-0 → 1 → … → 99.
  const CLOSURE = 100;
  const closureIds = [];
  for (let i = 0; i < CLOSURE; i++) {
    const label = `bench:closure-${i}`;
    closureIds.push((await expectStatus(call('POST', '/scopes', { headers: asAdmin, json: { label } }), 201, `createScope ${label}`)).body.data.id);
  }
  for (let i = 0; i + 1 < CLOSURE; i++) {
    await expectStatus(call('PUT', `/scopes/${closureIds[i]}/transient/${closureIds[i + 1]}`, { headers: asAdmin }), 204, `closure link ${i}`);
  }
  const closureClient = await createClient('bench closure client', { role: 'closure' });
  const closureSecret = (await createSecret(closureClient, 'closure')).clear;
  await expectStatus(call('PUT', `/clients/${closureClient}/scopes/${closureIds[0]}`, { headers: asAdmin }), 204, 'attach closure');
  const closureGranted = (await tokenFor(closureClient, closureSecret)).scope.split(' ');
  if (closureGranted.length !== CLOSURE) throw new Error(`the closure client was granted ${closureGranted.length} scopes, expected ${CLOSURE}`);

  const operator = await createClient('bench operator', { role: 'operator' });
  const operatorSecret = (await createSecret(operator, 'bench')).clear;
  for (const label of ['auth:read', 'auth:tenants']) await attach(operator, label);
  const operatorToken = (await tokenFor(operator, operatorSecret)).access_token;

  const fillers = await inPool(
    Array.from({ length: 16 }, (_, i) => i),
    8,
    (i) => createClient(`bench client ${String(i).padStart(3, '0')}`, { seq: String(i) }),
  );
  const [updateTarget, scopeTarget, detachTarget, secretOwner, doomedClient] = fillers.slice(8, 13);
  await attach(detachTarget, 'bench:b'); // deleteScopeFromClient's probe removes it
  const doomedSecret = (await createSecret(secretOwner, 'doomed')).id;
  await createSecret(doomedClient, 'goes with the client');
  await attach(doomedClient, 'bench:b');
  await attach(doomedClient, 'bench:doomed');

  // Tenants small and big: clients of one shape, one in SETTINGS.rareEvery matching the rare filters.
  let started = Date.now();
  for (const [tenant, count] of [
    [SMALL_TENANT, SETTINGS.smallTenantClients],
    [BIG_TENANT, SETTINGS.bigTenantClients],
  ]) {
    await expectStatus(
      call('POST', '/__bench/seed', { json: { tenant, count, rareEvery: SETTINGS.rareEvery, rareOffset: SETTINGS.rareOffset } }),
      200,
      `seed tenant ${tenant}`,
    );
  }
  log(`seeded ${SETTINGS.smallTenantClients} clients in tenant "${SMALL_TENANT}" and ${bigLabel} in "${BIG_TENANT}" in ${seconds(started)}`);

  // createSecret's targets: a client holds at most 20 live secrets, so the case spreads over enough
  // clients (in tenant default, where the admin acts) for every request of its window to succeed.
  await expectStatus(
    call('POST', '/__bench/seed', { json: { tenant: 'default', count: SECRET_TARGETS, rareEvery: Number.MAX_SAFE_INTEGER, rareOffset: -1 } }),
    200,
    'seed createSecret targets',
  );
  const secretTargets = Array.from({ length: SECRET_TARGETS }, (_, i) => `default-${String(i).padStart(7, '0')}`);

  // Never-used secrets of distinct clients (scopes as the token client's): every token request a first use.
  started = Date.now();
  const firstUse = (
    await expectStatus(
      call('POST', '/__bench/seed-token-clients', {
        json: {
          tenant: 'default',
          prefix: FIRST_USE_PREFIX,
          count: SETTINGS.firstUseSecrets,
          scopeIds: [scopeIds['auth:read'], scopeIds['bench:a']],
        },
      }),
      200,
      'seed first-use token clients',
    )
  ).body.clients;
  log(`seeded ${firstUse.length} clients with a never-used secret in ${seconds(started)}`);

  // Distinct admin tokens, minted through /oauth/token like any caller's: more than the
  // verified-token cache holds, so cycling through them misses it every time.
  started = Date.now();
  const freshTokens = await inPool(Array.from({ length: SETTINGS.freshTokens }), 8, async () => (await tokenFor(ADMIN_ID, adminSecret)).access_token);
  if (new Set(freshTokens).size !== freshTokens.length) throw new Error('minted tokens are not all distinct');
  log(`minted ${freshTokens.length} distinct admin tokens (the verified-token cache holds ${SETTINGS.verifiedTokenCacheSize}) in ${seconds(started)}`);

  const asOperatorIn = (tenant) => ({ authorization: bearer(operatorToken), 'x-tenant-id': tenant });
  const list = (tenant, query) => expectStatus(call('GET', `/clients?${query}`, { headers: asOperatorIn(tenant) }), 200, `list ${tenant} ${query}`);

  // The unfiltered cursor deep in tenant big: pages of up to 1,000 until deepRow rows are behind it
  // (a cursor is bound to the list, tenant and filters, not to the page size).
  let deepCursor;
  for (let behind = 0; behind < deepRow; ) {
    const size = Math.min(1000, deepRow - behind);
    const res = await list(BIG_TENANT, `pageSize=${size}${deepCursor ? `&cursor=${encodeURIComponent(deepCursor)}` : ''}`);
    deepCursor = res.body.cursor.next;
    behind += res.body.data.length;
    if (!deepCursor) throw new Error(`tenant ${BIG_TENANT} ran out of pages after ${behind} clients`);
  }

  // The filtered cursor as deep: follow the rare filter's pages until one holds a client at or
  // after deepRow; the cursor that asked for it is the deep one.
  const rareFilter = `pageSize=${SETTINGS.pageSize}&metadata%5Bkind%5D=rare`;
  let deepFilteredCursor;
  let filteredPages = 0;
  for (let cursor; ; ) {
    const res = await list(BIG_TENANT, `${rareFilter}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    filteredPages++;
    if (res.body.data.some((client) => Number(client.id.slice(BIG_TENANT.length + 1)) >= deepRow)) {
      deepFilteredCursor = cursor;
      break;
    }
    cursor = res.body.cursor.next;
    if (!cursor) throw new Error(`the rare filter found nothing at or after row ${deepRow} in ${filteredPages} pages`);
  }
  if (!deepFilteredCursor) throw new Error('the first filtered page already reaches the deep row: is the scan budget gone?');
  log(`deep cursors: row ${deepRow} unfiltered; filtered after ${filteredPages - 1} pages`);

  return {
    admin,
    adminSecret,
    operatorToken,
    readTarget,
    tokenClient,
    closureClient,
    closureSecret,
    keyClient,
    keyClientKey,
    judgedToken: judged.access_token,
    probeSecret,
    windowSecret,
    firstUse,
    freshTokens,
    scopeIds,
    secretTargets,
    updateTarget,
    scopeTarget,
    detachTarget,
    secretOwner,
    doomedSecret,
    doomedClient,
    deepCursor,
    deepFilteredCursor,
  };
}

/** The token client's secret used in the measured window, as readClient shows it. */
export async function windowSecretState(s) {
  const res = await expectStatus(
    call('GET', `/clients/${s.tokenClient}`, { headers: { authorization: bearer(s.admin) } }),
    200,
    'read the token client',
  );
  const secret = res.body.data.secrets.find((candidate) => candidate.id === s.windowSecret.id);
  if (!secret) throw new Error('the window secret is gone');
  return secret.lastUsedAt === null ? null : Date.parse(secret.lastUsedAt);
}

/** How many first-use secrets have a lastUsedAt. */
export async function firstUseSecretsUsed() {
  return (await expectStatus(call('GET', `/__bench/secrets-used?prefix=${FIRST_USE_PREFIX}`), 200, 'secrets used')).body;
}

/**
 * `count` RFC 7523 assertions of the private_key_jwt client, each with its own jti, valid for the
 * next 5 minutes (the most the service accepts): signed before a case, so the load generator only
 * sends them.
 */
export async function signAssertions(s, count) {
  const now = Math.floor(Date.now() / 1000);
  const one = () =>
    new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: s.keyClientKey.alg, kid: s.keyClientKey.kid })
      .setIssuer(s.keyClient)
      .setSubject(s.keyClient)
      .setAudience(`${BASE}/oauth/token`)
      .setIssuedAt(now)
      .setExpirationTime(now + 290)
      .sign(s.keyClientKey.privateKey);
  return inPool(Array.from({ length: count }), 16, one);
}

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** /oauth/token with a client assertion (private_key_jwt) instead of a secret. */
export const assertionTokenRequest = (assertion) => ({
  method: 'POST',
  path: '/oauth/token',
  headers: { 'content-type': FORM },
  body: `${TOKEN_BODY}&client_assertion_type=${encodeURIComponent(JWT_BEARER)}&client_assertion=${assertion}`,
});

export const tokenRequest = (id, secret) => ({
  method: 'POST',
  path: '/oauth/token',
  headers: { authorization: basic(id, secret), 'content-type': FORM },
  body: TOKEN_BODY,
});

export { seededId };
