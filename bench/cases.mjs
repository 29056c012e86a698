// What is measured, in groups; measure.mjs runs the baselines before the first group,
// between groups and after the last.
//
// A case: `label`, `kind` (read or write), `request` ({ method, path, headers, body }), and
// optionally `vary()` (the changes for each next request: rotating paths, tokens, labels),
// `probes` (the requests whose D1 round trips are counted, by default the next request),
// `warmup` ({ request, vary } for the warm-up, when it must not use the measured requests),
// `check(body)` (checked on every probe), `measure: false` (probe only: a delete cannot repeat),
// `before()` and `after(run)` (facts checked around the measured window).
import { FORM, basic, bearer } from './api.mjs';
import { assertionTokenRequest, firstUseSecretsUsed, signAssertions, tokenRequest, windowSecretState } from './seed.mjs';
import { ADMIN_ID, BIG_TENANT, SETTINGS, SMALL_TENANT, bigLabel, deepLabel, deepRow, seededId } from './config.mjs';

/** The ids of the token-judgement cases (their round trips: bench/report.mjs). */
export const JUDGEMENT_CASES = ['introspect', 'verifyBinding'];

/** Cycles through `items`, one per request, across all connections. */
function cycle(items) {
  let next = 0;
  return () => items[next++ % items.length];
}

const ids = (body) => body?.data?.map((client) => client.id);

function expectPage(size, hasMore, firstId) {
  return (body) => {
    if (body?.data?.length !== size || body.cursor?.hasMore !== hasMore) {
      return `expected ${size} clients and hasMore=${hasMore}, got ${body?.data?.length} and ${body?.cursor?.hasMore}`;
    }
    if (firstId && body.data[0].id !== firstId) return `expected the page to start at ${firstId}, got ${body.data[0].id}`;
    return null;
  };
}

function expectClients(expected, hasMore) {
  return (body) => {
    const got = ids(body);
    if (JSON.stringify(got) !== JSON.stringify(expected) || body.cursor?.hasMore !== hasMore) {
      return `expected clients ${JSON.stringify(expected)} and hasMore=${hasMore}, got ${JSON.stringify(got)} and ${body?.cursor?.hasMore}`;
    }
    return null;
  };
}

/** The rare clients (bench/worker.ts seedClients) among rows [from, to). */
function rareRows(tenant, from, to) {
  const out = [];
  for (let i = from; i < to; i++) if (i % SETTINGS.rareEvery === SETTINGS.rareOffset) out.push(seededId(tenant, i));
  return out;
}

export function defineGroups(s) {
  const asAdmin = { authorization: bearer(s.admin) };
  const asOperator = (tenant) => ({ authorization: bearer(s.operatorToken), 'x-tenant-id': tenant });
  const json = { 'content-type': 'application/json' };
  const pageSize = SETTINGS.pageSize;
  const listPath = `/clients?pageSize=${pageSize}`;
  const withCursor = (path, cursor) => `${path}&cursor=${encodeURIComponent(cursor)}`;
  const readTargetCheck = (body) =>
    body?.data?.secrets?.length === 3 && body.data.scopes.length === 3 ? null : 'expected 3 secrets and 3 scopes';

  const nextFreshToken = cycle(s.freshTokens);
  const firstUse = s.firstUse;
  // The first-use pool: one for the probe, a slice for the warm-up, the rest for the window.
  const warmupShare = Math.floor(((firstUse.length - 1) * SETTINGS.warmupSeconds) / (SETTINGS.warmupSeconds + SETTINGS.seconds));
  const firstUseProbe = firstUse[0];
  const firstUseWarmup = firstUse.slice(1, 1 + warmupShare);
  const firstUseWindow = firstUse.slice(1 + warmupShare);
  const tokenBody = (body) => (typeof body?.access_token === 'string' ? null : 'no access_token');
  // The judgement of the token client's token: active, its own, in tenant default, with the scope asked for.
  const judgedScope = 'bench:a';
  const activeJudgement = (body) =>
    body?.active === true && body.client_id === s.tokenClient && body.tenant === 'default' && body.scope?.split(' ').includes(judgedScope)
      ? null
      : `expected {"active":true} for ${s.tokenClient} in tenant default with ${judgedScope}, got ${JSON.stringify(body)?.slice(0, 300)}`;
  let createdScopes = 0;
  // private_key_jwt: every request a new assertion (a jti is accepted once), signed before the case
  // (prepare) and valid for its whole run; as many as the first-use pool, for the same reason.
  let assertions = [];
  const nextAssertion = () => {
    const assertion = assertions.pop();
    if (!assertion) throw new Error('the private_key_jwt case ran out of signed assertions: raise BENCH_FIRST_USE_SECRETS');
    return assertion;
  };

  // Filtered lists: `name` (a prefix) and `metadata[kind]` (a JSON key), each matching one client
  // in SETTINGS.rareEvery. A page looks at most at the scan budget's clients: at 100 clients it sees
  // them all, at 100,000 it stops at the budget and says hasMore.
  const filters = [
    ['name', 'name=rare'],
    ['metadata', 'metadata%5Bkind%5D=rare'],
  ];
  const firstBigRare = rareRows(BIG_TENANT, 0, SETTINGS.rareEvery).slice(0, 1);
  const filteredCases = filters.flatMap(([name, query]) => [
    {
      id: `filtered${name}Small`,
      label: `listClients, ${name} filter, ${SETTINGS.smallTenantClients} clients`,
      kind: 'read',
      request: { method: 'GET', path: `${listPath}&${query}`, headers: asOperator(SMALL_TENANT) },
      check: expectClients(rareRows(SMALL_TENANT, 0, SETTINGS.smallTenantClients), false),
    },
    {
      id: `filtered${name}Big`,
      label: `listClients, ${name} filter, ${bigLabel}, page 1`,
      kind: 'read',
      request: { method: 'GET', path: `${listPath}&${query}`, headers: asOperator(BIG_TENANT) },
      check: expectClients(firstBigRare, true),
    },
  ]);

  return [
    [
      {
        id: 'readClientNoAuth',
        label: 'readClient, no bearer check',
        kind: 'read',
        request: { method: 'GET', path: `/__bench/noauth/clients/${s.readTarget}` },
        shownPath: '/__bench/noauth/clients/{readTarget}',
        check: readTargetCheck,
      },
      {
        id: 'readClient',
        label: 'readClient (one token: cache hit)',
        kind: 'read',
        request: { method: 'GET', path: `/clients/${s.readTarget}`, headers: asAdmin },
        shownPath: '/clients/{readTarget}',
        check: readTargetCheck,
      },
      {
        id: 'readClientFresh',
        label: `readClient (${s.freshTokens.length} tokens: cache miss)`,
        kind: 'read',
        request: { method: 'GET', path: `/clients/${s.readTarget}`, headers: asAdmin },
        vary: () => ({ headers: { authorization: bearer(nextFreshToken()) } }),
        shownPath: '/clients/{readTarget}',
        check: readTargetCheck,
      },
    ],
    [
      {
        id: 'token',
        label: 'POST /oauth/token (one client)',
        kind: 'read',
        // The probe's secret is used twice: its first use in the hour adds the lastUsedAt write.
        probes: [tokenRequest(s.tokenClient, s.probeSecret), tokenRequest(s.tokenClient, s.probeSecret)],
        warmup: { request: tokenRequest(s.tokenClient, s.probeSecret) },
        request: tokenRequest(s.tokenClient, s.windowSecret.clear),
        shownPath: '/oauth/token',
        check: tokenBody,
        before: async () => {
          const lastUsedAt = await windowSecretState(s);
          if (lastUsedAt !== null) throw new Error('the window secret was used before its window');
        },
        after: async (run) => {
          const lastUsedAt = await windowSecretState(s);
          const inWindow = lastUsedAt !== null && lastUsedAt >= run.startedAt - 1000 && lastUsedAt <= run.endedAt + 1000;
          return {
            lastUsedAtWrittenInWindow: inWindow,
            note: inWindow
              ? `its lastUsedAt was written ${((lastUsedAt - run.startedAt) / 1000).toFixed(2)} s into the window`
              : `its lastUsedAt was not written in the window (${lastUsedAt})`,
          };
        },
      },
      {
        id: 'tokenClosure',
        label: 'POST /oauth/token (a 100-scope closure)',
        kind: 'read',
        // Its secret was used by the seed's grant check: no lastUsedAt write within the hour.
        probes: [tokenRequest(s.closureClient, s.closureSecret)],
        request: tokenRequest(s.closureClient, s.closureSecret),
        shownPath: '/oauth/token',
        check: (body) =>
          tokenBody(body) ?? (body.scope?.split(' ').length === 100 ? null : `expected 100 scopes, got ${body.scope?.split(' ').length}`),
      },
      {
        id: 'tokenPrivateKeyJwt',
        label: 'POST /oauth/token (private_key_jwt, ES256)',
        kind: 'read',
        prepare: async () => {
          assertions = await signAssertions(s, SETTINGS.firstUseSecrets);
        },
        request: assertionTokenRequest('placeholder'),
        vary: () => ({ body: assertionTokenRequest(nextAssertion()).body }),
        shownPath: '/oauth/token',
        check: (body) =>
          tokenBody(body) ?? (body.scope?.split(' ').includes(judgedScope) ? null : `expected ${judgedScope} in ${body.scope}`),
      },
      {
        id: 'tokenFirstUse',
        label: 'POST /oauth/token (each a first use)',
        kind: 'read',
        probes: [tokenRequest(firstUseProbe.id, firstUseProbe.secret), tokenRequest(firstUseProbe.id, firstUseProbe.secret)],
        ...(firstUseWarmup.length
          ? { warmup: { request: tokenRequest(firstUseWarmup[0].id, firstUseWarmup[0].secret), vary: variedCredentials(firstUseWarmup) } }
          : {}),
        request: tokenRequest(firstUseWindow[0].id, firstUseWindow[0].secret),
        vary: variedCredentials(firstUseWindow),
        shownPath: '/oauth/token',
        check: tokenBody,
        after: async (run, warmupRequests) => {
          await new Promise((resolve) => setTimeout(resolve, 500)); // the last background writes
          const used = (await firstUseSecretsUsed()).used;
          // autocannon counts completed requests; up to one per connection is still in flight when a
          // run ends, and the server handles it: so the warm-up and the window may each send that many more.
          const counted = 1 + Math.min(warmupRequests, firstUseWarmup.length) + Math.min(run.requests, firstUseWindow.length);
          const allFirst = run.requests + SETTINGS.connections <= firstUseWindow.length;
          return {
            everyRequestAFirstUse: allFirst,
            lastUsedAtWrites: used,
            firstUsesCounted: counted,
            writesAccountedFor: allFirst && used >= counted && used <= counted + 2 * SETTINGS.connections,
            note:
              `${allFirst ? 'every' : `not every (only ${firstUseWindow.length} secrets for ${run.requests})`} request in the window ` +
              `a secret's first use; ${used} lastUsedAt writes recorded for ${counted} first uses counted by autocannon ` +
              `(probe, warm-up, window; up to ${2 * SETTINGS.connections} more were in flight when runs ended)`,
          };
        },
      },
    ],
    // Judging one token (the token client's, minted once: after the first request its signature check
    // is a hit in the isolate's verified-token cache; the liveness query runs every time): as a client
    // holding auth:introspect does, and as a resource server does through its service binding.
    [
      {
        id: 'introspect',
        label: 'POST /oauth/introspect (admin client, one token)',
        kind: 'read',
        request: {
          method: 'POST',
          path: '/oauth/introspect',
          headers: { authorization: basic(ADMIN_ID, s.adminSecret), 'content-type': FORM },
          body: `token=${encodeURIComponent(s.judgedToken)}`,
        },
        check: activeJudgement,
      },
      {
        id: 'verifyBinding',
        label: 'TokenVerifier.verify via service binding (one token)',
        kind: 'read',
        request: {
          method: 'GET',
          path: `/__bench/verify?tenant=default&scope=${encodeURIComponent(judgedScope)}`,
          headers: { authorization: bearer(s.judgedToken) },
        },
        check: activeJudgement,
      },
    ],
    [
      {
        id: 'listSmall',
        label: `listClients, ${SETTINGS.smallTenantClients} clients`,
        kind: 'read',
        request: { method: 'GET', path: listPath, headers: asOperator(SMALL_TENANT) },
        check: expectPage(Math.min(pageSize, SETTINGS.smallTenantClients), SETTINGS.smallTenantClients > pageSize),
      },
      {
        id: 'listBigFirst',
        label: `listClients, ${bigLabel}, page 1`,
        kind: 'read',
        request: { method: 'GET', path: listPath, headers: asOperator(BIG_TENANT) },
        check: expectPage(pageSize, true, seededId(BIG_TENANT, 0)),
      },
      {
        id: 'listBigDeep',
        label: `listClients, ${bigLabel}, ${deepLabel}`,
        kind: 'read',
        request: { method: 'GET', path: withCursor(listPath, s.deepCursor), headers: asOperator(BIG_TENANT) },
        shownPath: `${listPath}&cursor={cursor ${deepLabel}}`,
        check: expectPage(pageSize, true, seededId(BIG_TENANT, deepRow)),
      },
    ],
    [
      ...filteredCases,
      {
        id: 'filteredmetadataDeep',
        label: `listClients, metadata filter, ${bigLabel}, ${deepLabel}`,
        kind: 'read',
        request: {
          method: 'GET',
          path: withCursor(`${listPath}&metadata%5Bkind%5D=rare`, s.deepFilteredCursor),
          headers: asOperator(BIG_TENANT),
        },
        shownPath: `${listPath}&metadata[kind]=rare&cursor={cursor ${deepLabel}}`,
        check: expectClients(rareRows(BIG_TENANT, deepRow, deepRow + SETTINGS.rareEvery).slice(0, 1), true),
      },
    ],
    // Writes, in tenant default, after every read.
    [
      {
        id: 'createClient',
        label: 'createClient',
        kind: 'write',
        request: { method: 'POST', path: '/clients', headers: { ...asAdmin, ...json }, body: JSON.stringify({ name: 'bench created client', metadata: { team: 'bench' } }) },
      },
      {
        id: 'updateClient',
        label: 'updateClient',
        kind: 'write',
        request: {
          method: 'PUT',
          path: `/clients/${s.updateTarget}`,
          headers: { ...asAdmin, ...json },
          body: JSON.stringify({ name: 'bench updated client', metadata: { team: 'bench' }, redirectUris: ['https://app.example/cb'] }),
        },
        shownPath: '/clients/{clientId}',
      },
      {
        id: 'createSecret',
        label: `createSecret (${s.secretTargets.length} clients)`,
        kind: 'write',
        request: { method: 'POST', path: `/clients/${s.secretTargets[0]}/secrets`, headers: { ...asAdmin, ...json }, body: JSON.stringify({ name: 'bench secret' }) },
        vary: ((next) => () => ({ path: `/clients/${next()}/secrets` }))(cycle(s.secretTargets)),
        shownPath: '/clients/{clientId}/secrets',
      },
      {
        id: 'deleteSecret',
        label: 'deleteSecret',
        kind: 'write',
        measure: false,
        request: { method: 'DELETE', path: `/clients/${s.secretOwner}/secrets/${s.doomedSecret}`, headers: asAdmin },
        shownPath: '/clients/{clientId}/secrets/{secretId}',
      },
      {
        id: 'addScopeToClient',
        label: 'addScopeToClient',
        kind: 'write',
        request: { method: 'PUT', path: `/clients/${s.scopeTarget}/scopes/${s.scopeIds['bench:b']}`, headers: asAdmin },
        shownPath: '/clients/{clientId}/scopes/{scopeId}',
      },
      {
        id: 'deleteScopeFromClient',
        label: 'deleteScopeFromClient',
        kind: 'write',
        request: { method: 'DELETE', path: `/clients/${s.detachTarget}/scopes/${s.scopeIds['bench:b']}`, headers: asAdmin },
        shownPath: '/clients/{clientId}/scopes/{scopeId}',
      },
      {
        id: 'deleteClient',
        label: 'deleteClient',
        kind: 'write',
        measure: false,
        request: { method: 'DELETE', path: `/clients/${s.doomedClient}`, headers: asAdmin },
        shownPath: '/clients/{clientId}',
      },
    ],
    [
      {
        id: 'createScope',
        label: 'createScope',
        kind: 'write',
        request: { method: 'POST', path: '/scopes', headers: { ...asAdmin, ...json }, body: JSON.stringify({ label: 'bench:created:0' }) },
        vary: () => ({ body: JSON.stringify({ label: `bench:created:${++createdScopes}` }) }),
      },
      {
        id: 'updateScope',
        label: 'updateScope',
        kind: 'write',
        request: {
          method: 'PUT',
          path: `/scopes/${s.scopeIds['bench:update-target']}`,
          headers: { ...asAdmin, ...json },
          body: JSON.stringify({ label: 'bench:update-target', metadata: { team: 'bench' } }),
        },
        shownPath: '/scopes/{scopeId}',
      },
      {
        id: 'addTransientScope',
        label: 'addTransientScope',
        kind: 'write',
        request: { method: 'PUT', path: `/scopes/${s.scopeIds['bench:c']}/transient/${s.scopeIds['bench:d']}`, headers: asAdmin },
        shownPath: '/scopes/{scopeId}/transient/{transientScopeId}',
      },
      {
        id: 'deleteTransientScope',
        label: 'deleteTransientScope',
        kind: 'write',
        request: { method: 'DELETE', path: `/scopes/${s.scopeIds['bench:c']}/transient/${s.scopeIds['bench:e']}`, headers: asAdmin },
        shownPath: '/scopes/{scopeId}/transient/{transientScopeId}',
      },
      {
        id: 'deleteScope',
        label: 'deleteScope',
        kind: 'write',
        measure: false,
        request: { method: 'DELETE', path: `/scopes/${s.scopeIds['bench:doomed']}`, headers: asAdmin },
        shownPath: '/scopes/{scopeId}',
      },
    ],
  ];
}

function variedCredentials(pool) {
  const next = cycle(pool);
  return () => {
    const { id, secret } = next();
    return { headers: tokenRequest(id, secret).headers };
  };
}

/** Every case id, in run order (defineGroups on placeholder seeding: only the ids are read). */
export function caseIds() {
  const placeholder = {
    firstUse: Array.from({ length: 3 }, (_, i) => ({ id: `placeholder-${i}`, secret: 'placeholder' })),
    freshTokens: ['placeholder'],
    secretTargets: ['placeholder'],
    scopeIds: {},
    windowSecret: {},
    keyClientKey: {},
  };
  return defineGroups(placeholder).flat().map((testCase) => testCase.id);
}

/** The groups with only the cases `only` names (all of them when null), empty groups dropped. */
export function selectCases(groups, only) {
  if (!only) return groups;
  const wanted = new Set(only);
  return groups.map((group) => group.filter((testCase) => wanted.has(testCase.id))).filter((group) => group.length);
}
