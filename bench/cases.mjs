// The cases, in the order they run, from what seed() returned.
import { basic, bearer, FORM, TOKEN_BODY } from './api.mjs';
import { BIG_TENANT, SETTINGS, bigLabel, deepPageNumber } from './config.mjs';

export function defineCases(s) {
  const asAdmin = { authorization: bearer(s.admin) };
  const asOperator = (tenant) => ({ authorization: bearer(s.operatorToken), 'x-tenant-id': tenant });
  const listPath = `/clients?pageSize=${SETTINGS.pageSize}`;
  const json = { 'content-type': 'application/json' };
  const expectPage = (size, hasMore, firstId) => (body) => {
    if (body?.data?.length !== size || body.cursor?.hasMore !== hasMore) {
      return `expected ${size} clients and hasMore=${hasMore}, got ${body?.data?.length} and ${body?.cursor?.hasMore}`;
    }
    if (firstId && body.data[0].id !== firstId) return `expected the page to start at ${firstId}, got ${body.data[0].id}`;
    return null;
  };
  const bigId = (n) => `${BIG_TENANT}-${String(n).padStart(7, '0')}`;
  // Order: the cases with throughput targets (readClient, its no-verification twin, the token
  // endpoint) run right after the baseline they are compared with; the one-query baseline runs
  // again at the end, so a machine that slowed down during the run shows as drift.
  return [
    { id: 'empty', label: 'baseline: empty', kind: 'baseline', method: 'GET', path: '/__bench/empty' },
    { id: 'oneQuery', label: 'baseline: one D1 query', kind: 'baseline', method: 'GET', path: '/__bench/d1' },
    {
      id: 'readClient',
      label: 'readClient',
      kind: 'read',
      method: 'GET',
      path: `/clients/${s.readTarget}`,
      shownPath: '/clients/{readTarget}',
      headers: asAdmin,
      check: (body) => (body?.data?.secrets?.length === 3 && body.data.scopes.length === 3 ? null : 'expected 3 secrets and 3 scopes'),
    },
    {
      id: 'readClientNoAuth',
      label: 'readClient, no bearer check',
      kind: 'read',
      method: 'GET',
      path: `/__bench/noauth/clients/${s.readTarget}`,
      shownPath: '/__bench/noauth/clients/{readTarget}',
      check: (body) => (body?.data?.secrets?.length === 3 ? null : 'expected 3 secrets'),
    },
    {
      id: 'token',
      label: 'POST /oauth/token',
      kind: 'read',
      method: 'POST',
      path: '/oauth/token',
      headers: { authorization: basic(s.tokenClient, s.tokenSecret), 'content-type': FORM },
      body: TOKEN_BODY,
      check: (body) => (typeof body?.access_token === 'string' ? null : 'no access_token'),
    },
    {
      id: 'list100',
      label: `listClients, ${SETTINGS.defaultTenantClients} in tenant`,
      kind: 'read',
      method: 'GET',
      path: listPath,
      headers: asOperator('default'),
      check: expectPage(SETTINGS.pageSize, false),
    },
    {
      id: 'listBigFirst',
      label: `listClients, ${bigLabel}, page 1`,
      kind: 'read',
      method: 'GET',
      path: listPath,
      headers: asOperator(BIG_TENANT),
      check: expectPage(SETTINGS.pageSize, true, bigId(0)),
    },
    {
      id: 'listBigDeep',
      label: `listClients, ${bigLabel}, page ${deepPageNumber}`,
      kind: 'read',
      method: 'GET',
      path: `${listPath}&cursor=${encodeURIComponent(s.deepCursor)}`,
      shownPath: `${listPath}&cursor={cursor of page ${deepPageNumber}}`,
      headers: asOperator(BIG_TENANT),
      check: expectPage(SETTINGS.pageSize, true, bigId(SETTINGS.deepPageCursorsFollowed * SETTINGS.pageSize)),
    },
    // Writes after every read: they add clients and secrets to tenant default.
    {
      id: 'createClient',
      label: 'createClient',
      kind: 'write',
      method: 'POST',
      path: '/clients',
      headers: { ...asAdmin, ...json },
      body: JSON.stringify({ name: 'bench created client', metadata: { team: 'bench' } }),
    },
    {
      id: 'createSecret',
      label: `createSecret (${s.secretTargets.length} clients)`,
      kind: 'write',
      method: 'POST',
      path: `/clients/${s.secretTargets[0]}/secrets`,
      shownPath: '/clients/{clientId}/secrets',
      rotatePaths: s.secretTargets.map((id) => `/clients/${id}/secrets`),
      headers: { ...asAdmin, ...json },
      body: JSON.stringify({ name: 'bench secret' }),
    },
    {
      id: 'addScopeToClient',
      label: 'addScopeToClient',
      kind: 'write',
      method: 'PUT',
      path: `/clients/${s.scopeTarget}/scopes/${s.scopeToAttach}`,
      shownPath: '/clients/{clientId}/scopes/{scopeId}',
      headers: asAdmin,
    },
    { id: 'oneQueryEnd', label: 'baseline: one D1 query, at the end', kind: 'control', method: 'GET', path: '/__bench/d1' },
  ];
}
