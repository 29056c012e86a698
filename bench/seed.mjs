// Seeding through the API (and the bench-only bulk route for the big tenant).
import { bearer, call, expectStatus, tokenFor } from './api.mjs';
import { ADMIN_ID, BIG_TENANT, SETTINGS, log } from './config.mjs';

async function inPool(items, concurrency, fn) {
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

export async function seed(adminSecret) {
  const admin = (await tokenFor(ADMIN_ID, adminSecret)).access_token;
  const asAdmin = { authorization: bearer(admin) };

  const scopeIds = {};
  for (const label of ['auth:read', 'auth:tenants', 'bench:a', 'bench:b', 'bench:transient-1', 'bench:transient-2']) {
    const res = await expectStatus(call('POST', '/scopes', { headers: asAdmin, json: { label } }), 201, `createScope ${label}`);
    scopeIds[label] = res.body.data.id;
  }
  for (const transient of ['bench:transient-1', 'bench:transient-2']) {
    await expectStatus(
      call('PUT', `/scopes/${scopeIds['bench:a']}/transient/${scopeIds[transient]}`, { headers: asAdmin }),
      204,
      `addTransientScope ${transient}`,
    );
  }

  const createClient = async (name, metadata = {}) =>
    (await expectStatus(call('POST', '/clients', { headers: asAdmin, json: { name, metadata } }), 201, `createClient ${name}`))
      .body.data.id;
  const createSecret = async (clientId, name) =>
    (await expectStatus(call('POST', `/clients/${clientId}/secrets`, { headers: asAdmin, json: { name } }), 200, 'createSecret'))
      .body.data.clear;
  const attach = (clientId, label) =>
    expectStatus(call('PUT', `/clients/${clientId}/scopes/${scopeIds[label]}`, { headers: asAdmin }), 204, `attach ${label}`);

  // Tenant default: exactly SETTINGS.defaultTenantClients clients, the special ones included.
  const readTarget = await createClient('bench read target', { role: 'read-target' });
  for (const name of ['primary', 'secondary', 'tertiary']) await createSecret(readTarget, name);
  for (const label of ['auth:read', 'bench:a', 'bench:b']) await attach(readTarget, label);

  const tokenClient = await createClient('bench token client', { role: 'token' });
  const tokenSecret = await createSecret(tokenClient, 'bench');
  for (const label of ['auth:read', 'bench:a']) await attach(tokenClient, label);

  const operator = await createClient('bench operator', { role: 'operator' });
  const operatorSecret = await createSecret(operator, 'bench');
  for (const label of ['auth:read', 'auth:tenants']) await attach(operator, label);

  const fillers = await inPool(
    Array.from({ length: SETTINGS.defaultTenantClients - 3 }, (_, i) => i),
    8,
    (i) => createClient(`bench client ${String(i).padStart(3, '0')}`, { seq: String(i) }),
  );

  // The token client's first token: checks the grant (attached scopes plus transient ones) and
  // records its secret's lastUsedAt, which happens at most once an hour, off the response path.
  const granted = new Set((await tokenFor(tokenClient, tokenSecret)).scope.split(' '));
  const expected = ['auth:read', 'bench:a', 'bench:transient-1', 'bench:transient-2'];
  if (granted.size !== expected.length || !expected.every((label) => granted.has(label))) {
    throw new Error(`token client granted "${[...granted].join(' ')}", expected "${expected.join(' ')}"`);
  }
  const operatorToken = (await tokenFor(operator, operatorSecret)).access_token;

  // Tenant big: direct batched inserts (bench/worker.ts), far faster than the API.
  const started = Date.now();
  await expectStatus(
    call('POST', '/__bench/seed', { json: { tenant: BIG_TENANT, count: SETTINGS.bigTenantClients } }),
    200,
    'seed big tenant',
  );
  log(`seeded ${SETTINGS.bigTenantClients.toLocaleString('en-US')} clients in tenant "${BIG_TENANT}" in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  // A cursor deep into the big tenant: follow cursor.next from the first page.
  const asOperatorInBig = { authorization: bearer(operatorToken), 'x-tenant-id': BIG_TENANT };
  let cursor;
  for (let i = 0; i < SETTINGS.deepPageCursorsFollowed; i++) {
    const query = `pageSize=${SETTINGS.pageSize}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await expectStatus(call('GET', `/clients?${query}`, { headers: asOperatorInBig }), 200, 'walk big tenant');
    cursor = res.body.cursor.next;
    if (!cursor) throw new Error(`tenant ${BIG_TENANT} ran out of pages after ${i + 1}`);
  }

  return {
    admin,
    operatorToken,
    readTarget,
    tokenClient,
    tokenSecret,
    secretTargets: fillers.slice(0, 8),
    scopeTarget: fillers[8],
    scopeToAttach: scopeIds['bench:b'],
    deepCursor: cursor,
  };
}
