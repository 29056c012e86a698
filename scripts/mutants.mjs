// The mutants `npm run mutate` applies (scripts/mutate.mjs), one at a time.
//
// Each is a bug a developer could plausibly write in the code where a bug hurts
// most: the token endpoint, bearer verification, the tenant and scope
// middleware, secrets, cursors, ETags, and the repositories' tenant filters.
//
//   id           M..: the mutants of the 2026-11 test audit (§6), ids kept;
//                N..: added afterwards, module by module.
//   module       the file it changes
//   description  the bug, as a reviewer would name it
//   find         an exact snippet of the CURRENT file, found exactly once
//                (else the run reports the mutant STALE and fails: refresh it)
//   replace      what the snippet becomes
//   tests        the test files expected to kill it (run with --bail=1)
//
// Equivalent mutants (no observable behaviour can tell them from the original)
// are left out on purpose; the ones considered and rejected are noted inline.

const TOKEN = ['test/token-endpoint.test.ts'];
const TENANTS = ['test/tenants.test.ts'];
const ETAG = ['test/etag.test.ts'];
const CONFIG = ['test/configuration.test.ts'];
const AUTH = ['test/middleware/authenticate.test.ts'];
const PAGES = ['test/pagination.test.ts'];
const FILTERED = ['test/filtered-pages.test.ts'];
const ESCALATION = ['test/adversarial/escalation.test.ts'];
const CAPS = ['test/caps.test.ts'];
const TOKEN_COST = ['test/token-cost.test.ts'];
const EXTERNAL_IDP = ['test/external-idp.test.ts'];
const REVOCATION = ['test/revocation.test.ts'];
const PRIVATE_KEY_JWT = ['test/private-key-jwt.test.ts', 'test/private-key-jwt-registration.test.ts', 'test/private-key-jwt-replay.test.ts', 'test/private-key-jwt-review.test.ts', 'test/private-key-jwt-uri.test.ts'];
const INTROSPECTION = ['test/introspection.test.ts'];
const AUDIT_QUEUE = ['test/audit-queue.test.ts'];
const MAINTENANCE = ['test/maintenance.test.ts'];
const AUDIT = ['test/audit-trail.test.ts'];
const AUDIT_LIST = ['test/audit-events.test.ts'];

/** @type {{ id: string, module: string, description: string, find: string, replace: string, tests: string[] }[]} */
export const mutants = [
  // ------------------------------------------------------------ token endpoint
  // src/oauth/token.repository.ts
  {
    id: 'M09',
    module: 'src/oauth/token.repository.ts',
    description: 'any live secret of the tenant authenticates any of its clients (secret lookup ignores client_id)',
    find: 'WHERE s.tenant_id = client.tenant_id AND s.client_id = client.id',
    replace: 'WHERE s.tenant_id = client.tenant_id',
    tests: TOKEN,
  },
  {
    id: 'M10',
    module: 'src/oauth/token.repository.ts',
    description: 'scope closure starts from the scopes of every client of the tenant, not just this one',
    find: 'JOIN client ON cs.tenant_id = client.tenant_id AND cs.client_id = client.id',
    replace: 'JOIN client ON cs.tenant_id = client.tenant_id',
    tests: TOKEN,
  },
  {
    id: 'N01',
    module: 'src/oauth/token.repository.ts',
    description: 'expired secrets still authenticate (expiry compared with 0 instead of now)',
    find: 'AND (s.expires_at IS NULL OR s.expires_at > ${now})',
    replace: 'AND (s.expires_at IS NULL OR s.expires_at > 0)',
    tests: ['test/secret-lifecycle.test.ts', ...TOKEN],
  },
  {
    id: 'N02',
    module: 'src/oauth/token.repository.ts',
    description: 'lastUsedAt is written on every token request, not at most once an hour',
    find: 'secret.lastUsedAt === null || secret.lastUsedAt < now - LAST_USED_RESOLUTION_MS',
    replace: 'true',
    tests: ['test/secret-lifecycle.test.ts'],
  },
  // Not included: dropping `st.tenant_id = client.tenant_id` or `sc.tenant_id = client.tenant_id`
  // from the closure: scope ids are random UUIDs and links are only made within a tenant
  // (equivalent). `s.expires_at >= now` vs `>`: differs only within the same millisecond.

  // src/oauth/token.handler.ts
  {
    id: 'M07b',
    module: 'src/oauth/client-endpoint.ts',
    description: '/oauth/token reads the whole body, without the 16 KiB bound (413)',
    find: 'const text = await readBoundedText(c.req.raw, MAX_TOKEN_REQUEST_BYTES);',
    replace: 'const text = await c.req.text();',
    tests: TOKEN,
  },
  {
    id: 'N03',
    module: 'src/oauth/client-identity.ts',
    description: 'public clients get tokens through the client_credentials grant',
    find: 'if (client.public) {',
    replace: 'if (false) {',
    tests: TOKEN,
  },
  {
    id: 'N04',
    module: 'src/oauth/token.handler.ts',
    description: 'any grant_type is treated as client_credentials (no unsupported_grant_type)',
    find: "if (grantType !== 'client_credentials') {",
    replace: 'if (false) {',
    tests: TOKEN,
  },
  {
    id: 'N05',
    module: 'src/oauth/client-identity.ts',
    description: 'the static admin client is not checked against ADMIN_CLIENT_SECRET (any secret works)',
    find: 'if (!digestsEqual(digest, adminDigest)) throw',
    replace: 'if (!digestsEqual(digest, digest)) throw',
    tests: TOKEN,
  },
  {
    id: 'N06',
    module: 'src/auth/privileges.ts',
    // Refreshed: the static admin is now granted auth:tenants by design (it is an operator), so
    // the old bug (granting it) is the intended behaviour. Nearest real bug in the same place:
    // the grant forgotten.
    description: 'the static admin client is not granted auth:tenants (the platform operator cannot act in other tenants)',
    find: 'ADMIN_SCOPES = [READ_SCOPE, WRITE_SCOPE, TENANTS_SCOPE, INTROSPECT_SCOPE]',
    replace: 'ADMIN_SCOPES = [READ_SCOPE, WRITE_SCOPE, INTROSPECT_SCOPE]',
    tests: TOKEN,
  },
  {
    id: 'N07',
    module: 'src/oauth/token.handler.ts',
    description: 'the tenant claim of a minted token carries the client id instead of its tenant',
    find: '[TENANT_CLAIM]: client.tenantId,',
    replace: '[TENANT_CLAIM]: client.id,',
    tests: [...TENANTS, ...TOKEN],
  },
  {
    id: 'N08',
    module: 'src/oauth/client-endpoint.ts',
    description: 'a configuration 503 at /oauth/token answers the admin error shape, not RFC 6749 temporarily_unavailable',
    find: 'if (error instanceof ApiError && error.status === 503) {',
    replace: 'if (false) {',
    tests: CONFIG,
  },

  // src/oauth/token-throttle.ts (the token endpoint's rate limits)
  {
    id: 'N09',
    module: 'src/oauth/token-throttle.ts',
    description: 'the per-client limiter key ignores the address: failures from one address lock the client out everywhere',
    find: 'spend(c.env.TOKEN_RATE_LIMITER, `${addressOf(c)}\\n${clientId}`)',
    replace: 'spend(c.env.TOKEN_RATE_LIMITER, clientId)',
    tests: ['test/rate-limit.test.ts'],
  },

  // src/oauth/client-authentication.ts
  {
    id: 'N10',
    module: 'src/oauth/client-authentication.ts',
    description: 'HTTP Basic and client_secret in the body are both accepted (two methods in one request)',
    find: 'if (postSecret !== null) {',
    replace: 'if (false) {',
    tests: ['test/unit/client-authentication.test.ts', ...TOKEN],
  },
  {
    id: 'N11',
    module: 'src/oauth/client-authentication.ts',
    description: 'Basic credentials split at the last colon: a secret containing ":" is misread',
    find: "const colon = decoded.indexOf(':');",
    replace: "const colon = decoded.lastIndexOf(':');",
    tests: ['test/unit/client-authentication.test.ts', ...TOKEN],
  },

  // src/oauth/scope-grant.ts
  {
    id: 'N12',
    module: 'src/oauth/scope-grant.ts',
    description: 'a request with exactly one scope that is not allowed is granted (off by one)',
    find: 'if (refused.length) {',
    replace: 'if (refused.length > 1) {',
    tests: ['test/unit/scope-grant.test.ts', ...TOKEN],
  },

  // src/oauth/index.ts
  {
    id: 'N13',
    module: 'src/oauth/index.ts',
    description: 'discovery under /api/auth names endpoints without the /api/auth prefix',
    find: 'const base = c.req.path.startsWith(`${FORMANCE_PREFIX}/`) ? `${issuer}${FORMANCE_PREFIX}` : issuer;',
    replace: 'const base = issuer;',
    tests: ['test/formance-prefix.test.ts', ...TOKEN],
  },
  // Not included: the SIGNING_KEYS check on /keys (signingKeysOf refuses a missing value with
  // the same 503 a line later: equivalent).

  // ------------------------------------------------------------ bearer verification
  // src/auth/access-tokens.ts
  {
    id: 'M11',
    module: 'src/auth/access-tokens.ts',
    description: 'the verified-token cache is keyed by the token only, not the issuer and audience it was checked against',
    find: 'const cacheKey = await verifiedTokenKey(trusted.own.issuer, trusted.own.audience, token);',
    replace: "const cacheKey = await verifiedTokenKey('', '', token);",
    tests: CONFIG,
  },
  {
    id: 'M14',
    module: 'src/auth/access-tokens.ts',
    description: "external provider tokens are cached too (a revoked key or changed setting ignored until exp)",
    find: 'if (!isExternal) cache.set(cacheKey, verified, ',
    replace: 'cache.set(cacheKey, verified, ',
    tests: CONFIG,
  },
  {
    id: 'M15',
    module: 'src/auth/access-tokens.ts',
    description: 'EXTERNAL_TENANT_CLAIM ignored: external tokens read the tenant claim',
    find: 'const tenantClaim = isExternal ? external.tenantClaim : TENANT_CLAIM;',
    replace: 'const tenantClaim = TENANT_CLAIM;',
    tests: [...CONFIG, ...TENANTS],
  },
  {
    id: 'N14',
    module: 'src/auth/access-tokens.ts',
    description: "this service's tokens are accepted without typ at+jwt (RFC 9068)",
    find: 'typ: ACCESS_TOKEN_TYPE,\n          requiredClaims',
    replace: 'requiredClaims',
    tests: AUTH,
  },
  {
    id: 'N15',
    module: 'src/auth/access-tokens.ts',
    description: "this service's tokens are accepted without exp",
    find: "typ: ACCESS_TOKEN_TYPE,\n          requiredClaims: ['exp'],",
    replace: 'typ: ACCESS_TOKEN_TYPE,',
    tests: AUTH,
  },
  {
    id: 'N16',
    module: 'src/auth/access-tokens.ts',
    description: "the external provider's tokens are accepted without exp",
    find: "algorithms: EXTERNAL_ALGORITHMS,\n          requiredClaims: ['exp'],",
    replace: 'algorithms: EXTERNAL_ALGORITHMS,',
    tests: AUTH,
  },
  {
    id: 'N17',
    module: 'src/auth/access-tokens.ts',
    description: "the external provider's audience is not checked",
    find: 'audience: external.audience,',
    replace: '',
    tests: AUTH,
  },
  {
    id: 'N18',
    module: 'src/auth/access-tokens.ts',
    description: "this service's issuer is not checked",
    find: 'issuer: own.issuer,',
    replace: '',
    tests: AUTH,
  },
  {
    id: 'N19',
    module: 'src/auth/access-tokens.ts',
    description: 'clock tolerance of 5 minutes instead of 30 s',
    find: 'const CLOCK_TOLERANCE_SECONDS = 30;',
    replace: 'const CLOCK_TOLERANCE_SECONDS = 300;',
    tests: AUTH,
  },
  {
    id: 'N20',
    module: 'src/auth/access-tokens.ts',
    description: "an unreachable identity provider JWKS answers 401 invalid_token instead of 503 with Retry-After",
    find: "return new ApiError('SERVICE_UNAVAILABLE', 'the identity provider keys could not be fetched', { 'Retry-After': '30' });",
    replace: "return new InvalidTokenError('the identity provider keys could not be fetched');",
    tests: [...AUTH, ...CONFIG],
  },
  // Not included: HS256 added to the allowed algorithms (the key sets hold only EC keys, so jose
  // still refuses: equivalent); dropping `unverifiedIssuer !== own.issuer` (only differs when
  // EXTERNAL_ISSUER equals this service's issuer, a misconfiguration).

  // src/auth/verified-token-cache.ts
  {
    id: 'N21',
    module: 'src/auth/verified-token-cache.ts',
    description: 'the cache is unbounded (never evicts)',
    find: 'while (this.#entries.size > this.maxEntries || this.#bytes > this.maxBytes) this.#delete',
    replace: 'while (false) this.#delete',
    tests: ['test/unit/verified-token-cache.test.ts'],
  },

  // src/middleware/authenticate.ts
  {
    id: 'N22',
    module: 'src/middleware/authenticate.ts',
    description: 'the Bearer pattern is not anchored at the end: "Bearer a b" is read as token "a"',
    find: '=*) *$/i;',
    replace: '=*)/i;',
    tests: AUTH,
  },

  // ------------------------------------------------------------ tenant and scope middleware
  // src/middleware/tenant.ts
  {
    id: 'M20',
    module: 'src/middleware/tenant.ts',
    description: 'X-Tenant-Id honoured without scope auth:tenants',
    find: '} else if (!operator) {',
    replace: '} else if (false) {',
    tests: TENANTS,
  },
  {
    id: 'M13',
    module: 'src/middleware/tenant.ts',
    description: "the token's tenant is not validated against ID_PATTERN",
    find: "if (typeof tenant !== 'string' || !ID_PATTERN.test(tenant)) {",
    replace: "if (typeof tenant !== 'string') {",
    tests: [...TENANTS, ...AUTH],
  },
  {
    id: 'N23',
    module: 'src/middleware/tenant.ts',
    description: 'the X-Tenant-Id value is not validated against ID_PATTERN',
    find: '} else if (!ID_PATTERN.test(requested)) {',
    replace: '} else if (false) {',
    tests: TENANTS,
  },
  {
    id: 'N24',
    module: 'src/middleware/tenant.ts',
    description: 'an empty X-Tenant-Id is treated as absent, even for a token without auth:tenants',
    find: 'if (requested === undefined) {',
    replace: 'if (!requested) {',
    tests: TENANTS,
  },

  // src/middleware/require-scope.ts
  {
    id: 'N25',
    module: 'src/middleware/require-scope.ts',
    description: 'auth:read is enough for writes',
    find: '(isRead && scopes.has(READ_SCOPE))',
    replace: 'scopes.has(READ_SCOPE)',
    tests: AUTH,
  },

  // ------------------------------------------------------------ secrets
  // src/lib/secrets.ts
  {
    id: 'M04',
    module: 'src/lib/secrets.ts',
    description: 'digestsEqual always true',
    find: 'return crypto.subtle.timingSafeEqual(left, right);',
    replace: 'return true;',
    tests: ['test/unit/secrets.test.ts', ...TOKEN],
  },
  {
    id: 'N26',
    module: 'src/lib/secrets.ts',
    description: 'secrets are never randomised (all-zero bytes)',
    find: 'crypto.getRandomValues(bytes);',
    replace: '',
    tests: ['test/unit/secrets.test.ts', 'test/clients.test.ts'],
  },
  // Not included: dropping the byteLength check in digestsEqual (both digests are always 64
  // hex characters: equivalent).

  // ------------------------------------------------------------ cursors
  // src/lib/cursor.ts
  {
    id: 'M08',
    module: 'src/lib/cursor.ts',
    description: 'cursor HMAC verification bypassed',
    find: "if (!(await crypto.subtle.verify('HMAC', key, macBytes, bodyBytes))) {",
    replace: 'if (false) {',
    tests: PAGES,
  },
  {
    id: 'M08b',
    module: 'src/lib/cursor.ts',
    description: 'cursor not bound to its tenant',
    find: 'payload.t !== scope.tenantId || ',
    replace: '',
    tests: [...PAGES, ...FILTERED],
  },
  {
    id: 'N27',
    module: 'src/lib/cursor.ts',
    description: 'cursor not bound to its filters',
    find: ' || payload.f !== scope.filters',
    replace: '',
    tests: [...FILTERED, ...PAGES],
  },

  // src/lib/pagination.ts
  {
    id: 'M36',
    module: 'src/lib/pagination.ts',
    description: 'hasMore off by one: a full last page claims more',
    find: 'const full = rows.length > pageSize;',
    replace: 'const full = rows.length >= pageSize;',
    tests: PAGES,
  },
  {
    id: 'N28',
    module: 'src/lib/pagination.ts',
    description: 'keyset comparison >= instead of >: the last row of a page repeats on the next',
    find: '(${columns.createdAt}, ${columns.id}) > (${position.createdAt}, ${position.id})',
    replace: '(${columns.createdAt}, ${columns.id}) >= (${position.createdAt}, ${position.id})',
    tests: PAGES,
  },
  {
    id: 'N29',
    module: 'src/lib/pagination.ts',
    description: 'keyset on created_at only: rows created in the same millisecond as a page end are skipped',
    find: '(${columns.createdAt}, ${columns.id}) > (${position.createdAt}, ${position.id})',
    replace: '${columns.createdAt} > ${position.createdAt}',
    tests: [...PAGES, ...FILTERED],
  },
  {
    id: 'N30',
    module: 'src/lib/pagination.ts',
    description: 'the next cursor points at the extra (look-ahead) row: one row per page is skipped',
    find: 'const position = full ? pageRows[pageRows.length - 1] : resumeAfter;',
    replace: 'const position = full ? rows[rows.length - 1] : resumeAfter;',
    tests: PAGES,
  },
  {
    id: 'N31',
    module: 'src/lib/pagination.ts',
    description: 'a bounded scan that ran out of budget ends the list (resumeAfter ignored for hasMore)',
    find: 'const hasMore = full || resumeAfter !== undefined;',
    replace: 'const hasMore = full;',
    tests: FILTERED,
  },

  // ------------------------------------------------------------ ETags
  // src/lib/etag.ts
  {
    id: 'N32',
    module: 'src/lib/etag.ts',
    description: 'weak ETags match in If-Match (RFC 9110 requires strong comparison)',
    find: '/^\\s*"(\\d{1,15})"\\s*$/',
    replace: '/^\\s*(?:W\\/)?"(\\d{1,15})"\\s*$/',
    tests: ETAG,
  },

  // src/db/versioning.ts
  {
    id: 'M24',
    module: 'src/db/versioning.ts',
    description: 'deleteClient/deleteScope: tenant filter removed from the DELETE',
    find: 'db.delete(table).where(and(byTenantAndId(table, tenantId, id), versionCondition(table, precondition))),',
    replace: 'db.delete(table).where(and(eq(table.id, id), versionCondition(table, precondition))),',
    tests: TENANTS,
  },
  {
    id: 'N33',
    module: 'src/db/versioning.ts',
    description: 'deleteClient/deleteScope: If-Match not applied to the DELETE (412 answered after deleting)',
    find: 'db.delete(table).where(and(byTenantAndId(table, tenantId, id), versionCondition(table, precondition))),',
    replace: 'db.delete(table).where(byTenantAndId(table, tenantId, id)),',
    tests: ETAG,
  },
  {
    id: 'N34',
    module: 'src/db/versioning.ts',
    description: 'an If-Match holding no usable tag (only weak or foreign ones) places no condition',
    find: 'if (precondition.versions.length === 0) return sql`0`;',
    replace: 'if (precondition.versions.length === 0) return undefined;',
    tests: ETAG,
  },
  {
    id: 'N35',
    module: 'src/db/versioning.ts',
    description: 'satisfies() always true: a guarded write that did nothing reports success, not 412',
    find: 'return precondition.versions.includes(version);',
    replace: 'return true;',
    tests: ETAG,
  },
  {
    id: 'N36',
    module: 'src/db/versioning.ts',
    description: 'the parent probe ignores the tenant (404 names the secret/scope, not the foreign parent)',
    find: 'return db.select({ version: table.version }).from(table).where(byTenantAndId(table, tenantId, id));',
    replace: 'return db.select({ version: table.version }).from(table).where(eq(table.id, id));',
    tests: [...TENANTS, ...ETAG],
  },
  {
    id: 'N37',
    module: 'src/db/versioning.ts',
    description: "the link target's existence check ignores the tenant: linking another tenant's scope answers success",
    find: 'return db.select({ id: table.id }).from(table).where(byTenantAndId(table, tenantId, id));',
    replace: 'return db.select({ id: table.id }).from(table).where(eq(table.id, id));',
    tests: TENANTS,
  },
  // Not included: parentGuard/byTenantAndId without the tenant inside the EXISTS (the probe
  // and the child write are tenant-scoped and ids are unique across tenants: equivalent).

  // ------------------------------------------------------------ repositories' tenant filters
  // src/clients/clients.repository.ts
  {
    id: 'M01',
    module: 'src/clients/clients.repository.ts',
    description: 'readClient: tenant filter removed',
    find: 'await guardedRead(db, guard, db.select(clientRow).from(clients).where(byId(tenantId, clientId)));',
    replace: 'await guardedRead(db, guard, db.select(clientRow).from(clients).where(eq(clients.id, clientId)));',
    tests: TENANTS,
  },
  {
    id: 'M02',
    module: 'src/clients/clients.repository.ts',
    description: 'listClients: tenant filter removed',
    find: 'budgetedListQuery(clients, sql`${clients.tenantId} = ${tenantId}`',
    replace: 'budgetedListQuery(clients, sql`1`',
    tests: [...TENANTS, ...PAGES],
  },
  {
    id: 'N38',
    module: 'src/clients/clients.repository.ts',
    description: 'filtered listClients: tenant filter removed from the bounded scan',
    find: '${clients.id} AS id FROM ${clients}\n        WHERE ${clients.tenantId} = ${tenantId}',
    replace: '${clients.id} AS id FROM ${clients}\n        WHERE ${tenantId} = ${tenantId}',
    tests: [...FILTERED, ...TENANTS, ...PAGES],
  },
  {
    id: 'M03',
    module: 'src/clients/clients.repository.ts',
    description: "createSecret INSERT…SELECT: tenant filter removed (a secret planted on another tenant's client)",
    find: '.where(and(byId(tenantId, clientId), allowed, underCap)),\n',
    replace: '.where(and(eq(clients.id, clientId), allowed, underCap)),\n',
    tests: TENANTS,
  },
  {
    id: 'M19',
    module: 'src/clients/clients.repository.ts',
    description: 'deleteSecret: tenant filter removed from the DELETE',
    find: 'eq(clientSecrets.tenantId, tenantId),',
    replace: '',
    tests: TENANTS,
  },
  {
    id: 'N39',
    module: 'src/clients/clients.repository.ts',
    description: 'deleteSecret: client filter removed (deletes a secret through another client of the tenant)',
    find: 'eq(clientSecrets.clientId, clientId),',
    replace: '',
    tests: ['test/clients.test.ts'],
  },
  {
    id: 'M05',
    module: 'src/clients/clients.repository.ts',
    description: 'updateClient: If-Match condition dropped',
    find: '.where(and(byId(tenantId, clientId), versionCondition(clients, precondition), closureAllows(tenantId, closure, held)))',
    replace: '.where(and(byId(tenantId, clientId), closureAllows(tenantId, closure, held)))',
    tests: ETAG,
  },
  {
    id: 'M17',
    module: 'src/clients/clients.repository.ts',
    description: 'updateClient: If-Match as check-then-write (TOCTOU)',
    find:
      'const [, report, updated, rows] = await db.batch([\n    ...trail.before,\n    closureReport(db, tenantId, closure, held),\n    db\n      .update(clients)\n' +
      '      .set({ ...storedOptions(options), ...authUpdate(options, held), version: sql`${clients.version} + 1` })\n' +
      '      .where(and(byId(tenantId, clientId), versionCondition(clients, precondition), closureAllows(tenantId, closure, held)))',
    replace:
      "const [current] = await db.select({ version: clients.version }).from(clients).where(byId(tenantId, clientId));\n  if (current) assertPrecondition([current], precondition, 'client', clientId);\n" +
      '  const [, report, updated, rows] = await db.batch([\n    ...trail.before,\n    closureReport(db, tenantId, closure, held),\n    db\n      .update(clients)\n' +
      '      .set({ ...storedOptions(options), ...authUpdate(options, held), version: sql`${clients.version} + 1` })\n' +
      '      .where(and(byId(tenantId, clientId), closureAllows(tenantId, closure, held)))',
    tests: [...ETAG, 'test/round-trips.test.ts'],
  },
  {
    id: 'M06b',
    module: 'src/clients/clients.repository.ts',
    description: 'detach scope: If-Match guard dropped',
    find: 'eq(clientScopes.scopeId, scopeId),\n          parentGuard(db, clients, tenantId, clientId, precondition),',
    replace: 'eq(clientScopes.scopeId, scopeId),',
    tests: ETAG,
  },
  {
    id: 'N40',
    module: 'src/clients/clients.repository.ts',
    description: 'attach scope: If-Match condition dropped (link made, then 412)',
    find: 'eq(scopes.id, scopeId),\n              versionCondition(clients, precondition),\n',
    replace: 'eq(scopes.id, scopeId),\n',
    tests: ETAG,
  },
  {
    id: 'N41',
    module: 'src/clients/clients.repository.ts',
    description: "attach scope: the scope is not joined on the client's tenant (a link to another tenant's scope)",
    find: '.innerJoin(scopes, eq(scopes.tenantId, clients.tenantId))',
    replace: '.innerJoin(scopes, sql`1`)',
    tests: TENANTS,
  },
  {
    id: 'N42',
    module: 'src/clients/clients.repository.ts',
    description: 'a client read shows every secret of its tenant (secrets subquery ignores client_id)',
    find: 'FROM client_secrets s\n    WHERE s.tenant_id = clients.tenant_id AND s.client_id = clients.id',
    replace: 'FROM client_secrets s\n    WHERE s.tenant_id = clients.tenant_id',
    tests: ['test/clients.test.ts'],
  },

  // src/scopes/scopes.repository.ts
  {
    id: 'M28',
    module: 'src/scopes/scopes.repository.ts',
    description: 'updateScope label uniqueness checked across all tenants (wrong 409, cross-tenant label oracle)',
    find: '.where(and(eq(other.tenantId, tenantId), eq(other.label, options.label), ne(other.id, scopeId)));',
    replace: '.where(and(eq(other.label, options.label), ne(other.id, scopeId)));',
    tests: [...TENANTS, 'test/scopes.test.ts'],
  },
  {
    id: 'N43',
    module: 'src/scopes/scopes.repository.ts',
    description: 'listScopes: tenant filter removed',
    find: 'budgetedListQuery(scopes, sql`${scopes.tenantId} = ${tenantId}`',
    replace: 'budgetedListQuery(scopes, sql`1`',
    tests: [...TENANTS, ...PAGES],
  },
  {
    id: 'N44',
    module: 'src/scopes/scopes.repository.ts',
    description: 'readScope: tenant filter removed',
    find: 'return db.select(scopeRow).from(scopes).where(byId(tenantId, scopeId));',
    replace: 'return db.select(scopeRow).from(scopes).where(eq(scopes.id, scopeId));',
    tests: TENANTS,
  },
  {
    id: 'N45',
    module: 'src/scopes/scopes.repository.ts',
    description: "updateScope: tenant filter removed from the UPDATE (another tenant's scope relabelled, then 404)",
    find: '.where(and(byId(tenantId, scopeId), notExists(sameLabelElsewhere),',
    replace: '.where(and(eq(scopes.id, scopeId), notExists(sameLabelElsewhere),',
    tests: TENANTS,
  },
  {
    id: 'M06c',
    module: 'src/scopes/scopes.repository.ts',
    description: 'addTransientScope: If-Match condition dropped',
    find: 'eq(transient.id, transientScopeId),\n              versionCondition(scopes, precondition),\n',
    replace: 'eq(transient.id, transientScopeId),\n',
    tests: ETAG,
  },
  {
    id: 'M06a',
    module: 'src/scopes/scopes.repository.ts',
    description: 'deleteTransientScope: If-Match guard dropped (412 answered after deleting)',
    find: 'eq(scopeTransients.transientScopeId, transientScopeId),\n          parentGuard(db, scopes, tenantId, scopeId, precondition),',
    replace: 'eq(scopeTransients.transientScopeId, transientScopeId),',
    tests: ETAG,
  },
  {
    id: 'N46',
    module: 'src/scopes/scopes.repository.ts',
    description: 'deleteTransientScope: tenant filter removed from the DELETE',
    find: 'eq(scopeTransients.tenantId, tenantId),',
    replace: '',
    tests: TENANTS,
  },

  // src/config.ts (tenant and issuer settings)
  {
    id: 'M16',
    module: 'src/config.ts',
    description: 'ADMIN_TENANT ignored',
    find: 'tenant: env.ADMIN_TENANT || DEFAULT_TENANT',
    replace: 'tenant: DEFAULT_TENANT',
    tests: CONFIG,
  },
  {
    id: 'N47',
    module: 'src/config.ts',
    // Refreshed: ISSUER is now required and issuerOf() no longer sees the request, so the issuer
    // itself can no longer fall back to the request's origin. Nearest real bug in the same place:
    // the public URL of a request (Link headers) built from the request's origin, not ISSUER.
    description: "ISSUER ignored for public URLs: a list's Link header names the request's origin, not ISSUER (and its base path)",
    find: 'return `${issuerOf(env)}${pathname}${search}`;',
    replace: 'return `${new URL(requestUrl).origin}${pathname}${search}`;',
    tests: [...PAGES, ...FILTERED, ...CONFIG],
  },
  {
    id: 'N48',
    module: 'src/config.ts',
    description: 'AUDIENCE ignored: the audience is always the issuer',
    find: 'return env.AUDIENCE || issuer;',
    replace: 'return issuer;',
    tests: CONFIG,
  },
  {
    id: 'N49',
    module: 'src/config.ts',
    // Refreshed: the 32-character minimum now stops an empty secret further on, so without the
    // setting the Worker fails with a TypeError (500) instead of the 503 naming it.
    description: 'ADMIN_CLIENT_SECRET not required: a Worker without it answers 500s instead of a 503 naming the setting',
    find: "['ISSUER', 'SIGNING_KEYS', 'ADMIN_CLIENT_ID', 'ADMIN_CLIENT_SECRET']",
    replace: "['ISSUER', 'SIGNING_KEYS', 'ADMIN_CLIENT_ID']",
    tests: CONFIG,
  },
  {
    id: 'N50',
    module: 'src/config.ts',
    description: 'a half-configured external provider (no audience) is used instead of answering 503',
    find: 'if (!issuer || !jwksUrl || !audience) {',
    replace: 'if (!issuer || !jwksUrl) {',
    tests: CONFIG,
  },

  // ------------------------------------------------------------ the audit's other two
  {
    id: 'M07',
    module: 'src/app.ts',
    description: 'admin body limit removed',
    find: 'limitBody(),',
    replace: '',
    tests: ['test/errors.test.ts'],
  },
  {
    id: 'M12',
    module: 'src/lib/errors.ts',
    description: "the error log carries drizzle's outer message, which lists bound parameters (digests)",
    find: 'error: `${cause.name}: ${cause.message}`,',
    replace: 'error: `${err.name}: ${err.message}`,',
    tests: ['test/adversarial/faults.test.ts'],
  },

  // ------------------------------------------------------------ privileges from configuration (issue 8)
  // src/middleware/tenant.ts
  {
    id: 'N51',
    module: 'src/middleware/tenant.ts',
    description: 'the operator check ignores OPERATOR_TENANT: ADMIN_TENANT tokens act across tenants, those of OPERATOR_TENANT do not',
    find: 'return auth.subject === adminClientOf(env).id || auth.tenant === operatorTenantOf(env);',
    replace: 'return auth.subject === adminClientOf(env).id || auth.tenant === adminClientOf(env).tenant;',
    tests: ESCALATION,
  },
  {
    id: 'N52',
    module: 'src/middleware/tenant.ts',
    description: 'any token of the operator tenant (or the external provider) switches tenant, auth:tenants or not',
    find: '  if (!auth.scopes.has(TENANTS_SCOPE)) return false;\n',
    replace: '',
    tests: [...ESCALATION, ...TENANTS],
  },
  {
    id: 'N53',
    module: 'src/middleware/tenant.ts',
    description: "any token carrying auth:tenants switches tenant, whatever its tenant (a legacy token, or one from a tenant's own data)",
    find: 'return auth.subject === adminClientOf(env).id || auth.tenant === operatorTenantOf(env);',
    replace: 'return true;',
    tests: [...ESCALATION, ...TENANTS],
  },
  {
    id: 'N54',
    module: 'src/middleware/tenant.ts',
    description: "a non-operator token keeps auth:tenants among its privileges: it can hand it on in its own tenant",
    find: '  if (!operator) privileges.delete(TENANTS_SCOPE);\n',
    replace: '',
    tests: ESCALATION,
  },

  // src/auth/privileges.ts
  {
    id: 'N55',
    module: 'src/auth/privileges.ts',
    description: 'privilegesOf: auth:write no longer implies auth:read (a writer cannot hand on auth:read)',
    find: '  if (held.has(WRITE_SCOPE)) held.add(READ_SCOPE);\n',
    replace: '',
    tests: ESCALATION,
  },
  // Not included: isPrivilege dropped from lackedPrivileges (every label would need holding:
  // caught by nearly every test, not a plausible slip).

  // src/scopes/scopes.handlers.ts
  {
    id: 'N56',
    module: 'src/scopes/scopes.handlers.ts',
    description: 'the reserved-label check is skipped: auth:tenants can be labelled in any tenant by a holder',
    find: '  refuseReservedLabel(label, c.var.tenantId, operatorTenantOf(c.env));\n',
    replace: '',
    tests: ESCALATION,
  },

  // src/oauth/token.handler.ts
  {
    id: 'N57',
    module: 'src/oauth/client-identity.ts',
    description: 'auth:tenants is not removed for clients outside the operator tenant at the token endpoint',
    find: 'grantableWith(privileges, client.tenantId === operatorTenantOf(c.env))',
    replace: 'grantableWith(privileges, true)',
    tests: [...ESCALATION, ...TOKEN],
  },
  {
    id: 'N58',
    module: 'src/oauth/client-identity.ts',
    description: "the static admin is answered without the D1 query every other client costs (its id tells by timing)",
    find: '    findClientForToken(c.var.db, credentials.clientId, now),',
    replace: '    credentials.clientId === admin.id ? null : findClientForToken(c.var.db, credentials.clientId, now),',
    tests: TOKEN,
  },
  {
    id: 'N59',
    module: 'src/oauth/client-identity.ts',
    description: 'a closure beyond 256 scopes is granted in part instead of invalid_scope',
    find: 'if (client.closureTooLarge) {',
    replace: 'if (false) {',
    tests: TOKEN_COST,
  },

  // src/scopes/closure.ts
  {
    id: 'N60',
    module: 'src/scopes/closure.ts',
    description: 'the closure walk is unbounded (LIMIT removed): one token request over a huge graph walks all of it',
    find: '\n    LIMIT ${MAX_CLOSURE + 1}',
    replace: '',
    tests: [...TOKEN_COST, ...CAPS],
  },
  {
    id: 'N61',
    module: 'src/scopes/closure.ts',
    description: 'closure LIMIT off by one (MAX_CLOSURE): a closure beyond 256 is never seen as too large',
    find: 'LIMIT ${MAX_CLOSURE + 1}',
    replace: 'LIMIT ${MAX_CLOSURE}',
    tests: [...TOKEN_COST, ...CAPS],
  },
  {
    id: 'N62',
    module: 'src/scopes/closure.ts',
    description: 'CROSS JOIN turned into JOIN: SQLite may put scope_transients in the outer loop (quadratic walk)',
    find: 'CROSS JOIN scope_transients st',
    replace: 'JOIN scope_transients st',
    tests: TOKEN_COST,
  },

  // src/clients/clients.repository.ts
  {
    id: 'N63',
    module: 'src/clients/clients.repository.ts',
    description: "insertSecret: the escalation guard dropped from the INSERT: a secret for a client holding privileges the caller lacks",
    find: '.where(and(byId(tenantId, clientId), allowed, underCap)),\n',
    replace: '.where(and(byId(tenantId, clientId), underCap)),\n',
    tests: ESCALATION,
  },
  {
    id: 'N64',
    module: 'src/clients/clients.repository.ts',
    description: 'attachScope: the escalation guard dropped from the INSERT (the report still answers 403, the link is made)',
    find: 'closureAllows(tenantId, closure, held),\n              sql`${attachedCount}',
    replace: 'sql`${attachedCount}',
    tests: ESCALATION,
  },
  {
    id: 'N65',
    module: 'src/clients/clients.repository.ts',
    description: 'the live-secret cap off by one: a client may hold 21 secrets',
    find: 'const underCap = sql`${liveSecrets} < ${MAX_LIVE_SECRETS}`;',
    replace: 'const underCap = sql`${liveSecrets} <= ${MAX_LIVE_SECRETS}`;',
    tests: CAPS,
  },
  {
    id: 'N66',
    module: 'src/clients/clients.repository.ts',
    description: 'the attach cap ignores that the scope is already attached: re-attaching at 100 scopes answers 400, not 204',
    find: '  if (links[0]?.attached) return;\n',
    replace: '',
    tests: CAPS,
  },

  // src/scopes/scopes.repository.ts
  {
    id: 'N67',
    module: 'src/scopes/scopes.repository.ts',
    description: 'addTransientScope: the escalation guard dropped from the INSERT (the report still answers 403, the link is made)',
    find: 'closureAllows(tenantId, closure, held),\n              sql`${linkCount}',
    replace: 'sql`${linkCount}',
    tests: ESCALATION,
  },
  {
    id: 'N68',
    module: 'src/scopes/scopes.repository.ts',
    description: 'the transient cap dropped from the INSERT (the report still answers 400, the 101st link is made)',
    find: '              sql`${linkCount} < ${MAX_TRANSIENT_SCOPES}`,\n',
    replace: '',
    tests: CAPS,
  },

  // ------------------------------------------------------------ bearer verification (issue 8)
  // src/auth/verified-token-cache.ts
  {
    id: 'N69',
    module: 'src/auth/verified-token-cache.ts',
    description: "the cache key holds the signature as sent, not canonical: a token's malleable variants each fill an entry",
    find: '${header}.${payload}.${canonicalSignature(signature)}',
    replace: '${header}.${payload}.${signature}',
    tests: ['test/unit/verified-token-cache.test.ts'],
  },
  {
    id: 'N70',
    module: 'src/auth/verified-token-cache.ts',
    description: "the cache key ignores the signature: a remembered token's payload is accepted under any signature",
    find: '${header}.${payload}.${canonicalSignature(signature)}',
    replace: '${header}.${payload}',
    tests: [...AUTH, 'test/unit/verified-token-cache.test.ts'],
  },

  // src/auth/access-tokens.ts
  {
    id: 'N71',
    module: 'src/auth/access-tokens.ts',
    description: 'bearer tokens over 8 KiB are verified (and remembered) instead of refused',
    find: 'if (token.length > MAX_BEARER_TOKEN_BYTES) {',
    replace: 'if (false) {',
    tests: AUTH,
  },
  {
    id: 'N72',
    module: 'src/auth/access-tokens.ts',
    description: "the external provider's typ is not checked: its ID tokens and logout tokens are accepted as access tokens",
    find: 'if (!external.tokenTypes.includes(typ)) {',
    replace: 'if (false) {',
    tests: EXTERNAL_IDP,
  },

  // src/auth/remote-key-set.ts
  {
    id: 'N73',
    module: 'src/auth/remote-key-set.ts',
    description: "a failed JWKS fetch is not remembered: every request with the provider's token fetches again",
    find: '      this.#lastAttemptAt = Date.now();\n',
    replace: '',
    tests: EXTERNAL_IDP,
  },

  // ------------------------------------------------------------ bounds and HTTP (issue 8)
  // src/lib/etag.ts
  {
    id: 'N74',
    module: 'src/lib/etag.ts',
    description: 'If-Match tag limit off by one: 16 tags are refused',
    find: 'if (tags.length > MAX_IF_MATCH_TAGS) {',
    replace: 'if (tags.length >= MAX_IF_MATCH_TAGS) {',
    tests: ETAG,
  },

  // src/lib/pagination.ts
  {
    id: 'N75',
    module: 'src/lib/pagination.ts',
    description: 'the page byte budget never cuts: a page of large rows can exceed 1 MiB (and an isolate)',
    find: 'WHERE measured.bytes_before < ${PAGE_BYTE_BUDGET}',
    replace: 'WHERE 1',
    tests: CAPS,
  },

  // src/middleware/require-json.ts
  {
    id: 'N76',
    module: 'src/middleware/require-json.ts',
    description: 'an empty JSON body is not read as {}: the Formance SDKs get 400 when they omit options',
    find: "  if ((await c.req.raw.clone().text()).trim() === '') c.req.raw = new Request(c.req.raw, { body: '{}' });\n",
    replace: '',
    tests: ['test/formance-sdk-v1.test.ts'],
  },

  // src/app.ts
  {
    id: 'N77',
    module: 'src/app.ts',
    description: 'admin answers (the clear secret included) carry no Cache-Control: no-store',
    find: "  c.res.headers.set('Cache-Control', 'no-store');\n",
    replace: '',
    tests: ['test/http-hygiene.test.ts'],
  },
  {
    id: 'N78',
    module: 'src/oauth/client-identity.ts',
    description: "a secret obtains every privilege its client holds, not only those its creator held (a planted secret gains auth:tenants)",
    find: '!isPrivilege(label) || (creatorHeld.has(label) && ',
    replace: '!isPrivilege(label) || (true && ',
    tests: ESCALATION,
  },
  {
    id: 'N79',
    module: 'src/clients/clients.repository.ts',
    description: 'deleteClient ignores the privileges the client holds (a lesser caller deletes, then re-imports, a stronger client)',
    find: 'versionCondition(clients, precondition), noLackedPrivilege(tenantId, closure, held))',
    replace: 'versionCondition(clients, precondition))',
    tests: ESCALATION,
  },
  {
    id: 'N80',
    module: 'src/clients/clients.repository.ts',
    description: "creating a secret no longer removes the client's expired secrets (they pile up past the cap)",
    find: 'sql`${clientSecrets.expiresAt} <= ${secret.createdAt}`',
    replace: 'sql`0`',
    tests: CAPS,
  },

  // ------------------------------------------------------------ revocation (issue 9)
  // src/auth/token-liveness.ts, src/middleware/require-live-token.ts, src/oauth/revocation.*
  {
    id: 'N81',
    module: 'src/auth/token-liveness.ts',
    description: 'deleting a secret does not revoke the tokens it minted (revoked_secrets ignored)',
    find: 'AND NOT EXISTS (SELECT 1 FROM revoked_secrets WHERE secret_id = ${token.secretId})',
    replace: '',
    tests: REVOCATION,
  },
  {
    id: 'N82',
    module: 'src/auth/token-liveness.ts',
    description: 'removing a grant does not refuse tokens carrying it (held scopes not checked)',
    find: 'startFrom.clientScopes(tenant, token.clientId))})) = ${labels.length}',
    replace: 'startFrom.clientScopes(tenant, token.clientId))})) >= 0',
    tests: REVOCATION,
  },
  {
    id: 'N83',
    module: 'src/auth/token-liveness.ts',
    description: "revoking all a client's tokens does nothing (the token generation is not compared)",
    find: 'const clientHolds = sql`EXISTS (SELECT 1 FROM clients WHERE ${client} AND token_generation = ${token.generation} AND',
    replace: 'const clientHolds = sql`EXISTS (SELECT 1 FROM clients WHERE ${client} AND',
    tests: REVOCATION,
  },
  {
    id: 'N84',
    module: 'src/auth/token-liveness.ts',
    description: 'a token revoked with POST /oauth/revoke keeps working (revoked_tokens ignored)',
    find: "token.jti ? sql`NOT EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = ${token.jti})` : sql`1`",
    replace: 'sql`1`',
    tests: REVOCATION,
  },
  {
    id: 'N85',
    module: 'src/middleware/require-live-token.ts',
    description: 'a read that never reached D1 answers without checking the token (a revoked token gets its 400)',
    find: '  if (guard.done) return;',
    replace: '  return;',
    tests: REVOCATION,
  },
  {
    id: 'N86',
    module: 'src/auth/token-liveness.ts',
    description: 'a read checks its token on a round trip of its own instead of in its batch',
    find: '  if (!guard || guard.done) return db.all<Row>(query);',
    replace: '  if (guard && !guard.done) await guard.check(db);\n  return db.all<Row>(query);',
    tests: [...REVOCATION, 'test/round-trips.test.ts'],
  },
  {
    id: 'N87',
    module: 'src/oauth/revocation.handlers.ts',
    description: "a client may revoke another client's token",
    find: 'if (verified.clientId !== client.id || verified.tenant !== client.tenantId) {',
    replace: 'if (false) {',
    tests: REVOCATION,
  },
  {
    id: 'N88',
    module: 'src/oauth/revocation.repository.ts',
    description: "at the cap, revoking one more token silently revokes nothing (the client's generation stays)",
    find: '.where(and(ofClient(tenantId, clientId), sql`NOT ${listed}`)),',
    replace: '.where(sql`0`),',
    tests: REVOCATION,
  },
  {
    id: 'N89',
    module: 'src/oauth/revocation.repository.ts',
    description: "a client's expired revocation entries are never purged (they pile up against the cap)",
    find: 'db.delete(revokedTokens).where(and(eq(revokedTokens.clientId, clientId), sql`${revokedTokens.expiresAt} < unixepoch()`)),',
    replace: 'db.delete(revokedTokens).where(sql`0`),',
    tests: REVOCATION,
  },
  {
    id: 'N90',
    module: 'src/oauth/revocation.handlers.ts',
    description: "introspection shows a caller another tenant's active token",
    find: 'judgement.active && (operator || judgement.tenant === client.tenantId)',
    replace: 'judgement.active',
    tests: INTROSPECTION,
  },
  {
    id: 'N91',
    module: 'src/oauth/revocation.handlers.ts',
    description: 'any client may introspect, without auth:introspect',
    find: 'if (!client.allowedScopes.includes(INTROSPECT_SCOPE)) {',
    replace: 'if (false) {',
    tests: INTROSPECTION,
  },
  // ------------------------------------------------------------ the audit trail (issue 9 §3)
  {
    id: 'A01',
    module: 'src/audit/audit-trail.ts',
    description: 'a write that changed nothing (refused, or an idempotent repeat) still records an event',
    find: "    db.delete(auditEvents).where(and(eq(auditEvents.id, id), sql`${auditEvents.before} IS ${auditEvents.after}`)),\n",
    replace: '',
    tests: AUDIT,
  },
  {
    id: 'A02',
    module: 'src/audit/audit-trail.ts',
    description: 'events are never written pending, even with AUDIT_QUEUE bound (the outbox never drains them)',
    find: 'pending: ctx.pending ? 1 : 0,',
    replace: 'pending: 0,',
    tests: AUDIT,
  },
  {
    id: 'A03',
    module: 'src/clients/clients.repository.ts',
    description: "a client's audit snapshot carries its secrets' digests",
    find: "json_object('id', s.id, 'name', s.name, 'lastDigits', s.last_digits)`)}",
    replace: "json_object('id', s.id, 'name', s.name, 'lastDigits', s.last_digits, 'digest', s.digest)`)}",
    tests: AUDIT,
  },
  {
    id: 'A04',
    module: 'src/audit/audit.repository.ts',
    description: "GET /audit-events: tenant filter removed (a tenant reads another's trail)",
    find: '    eq(auditEvents.tenantId, tenantId),\n',
    replace: '',
    tests: AUDIT_LIST,
  },
  {
    id: 'A05',
    module: 'src/audit/audit.handlers.ts',
    description: 'the audit cursor is not bound to the filters',
    find: 'filters: JSON.stringify(filters) }',
    replace: "filters: '' }",
    tests: AUDIT_LIST,
  },
  {
    id: 'A06',
    module: 'src/audit/audit.repository.ts',
    description: 'the filters the chosen index does not serve are ignored',
    find: 'WHERE ${and(...others.map(({ filter, column }) => eq(column, filters[filter]!)))}',
    replace: 'WHERE 1',
    tests: AUDIT_LIST,
  },
  {
    id: 'A07',
    module: 'src/middleware/request-id.ts',
    description: "the request id is the caller's X-Request-Id when sent (a caller forges another request's id in the trail)",
    find: 'const id = crypto.randomUUID();',
    replace: "const id = c.req.header('X-Request-Id') ?? crypto.randomUUID();",
    tests: ['test/middleware/request-id.test.ts'],
  },
  // ------------------------------------------------------------ the outbox and the scheduled handler
  {
    id: 'A08',
    module: 'src/middleware/deliver-audit.ts',
    description: "a write's events are never sent after it (they wait for the cron)",
    find: "  if (!queue || !requestId || isReadMethod(c.req.method) || c.res.status >= 300) return;",
    replace: '  return;',
    tests: AUDIT_QUEUE,
  },
  {
    id: 'A09',
    module: 'src/audit/outbox.ts',
    description: 'the sweep sends events its request is still sending (no grace period)',
    find: 'lt(auditEvents.createdAt, writtenBefore)',
    replace: 'undefined',
    tests: AUDIT_QUEUE,
  },
  {
    id: 'A10',
    module: 'src/audit/outbox.ts',
    description: 'a sent event is never marked delivered (every sweep sends it again)',
    find: '.set({ pending: 0 })',
    replace: '.set({ pending: 1 })',
    tests: AUDIT_QUEUE,
  },
  {
    id: 'A11',
    module: 'src/audit/outbox.ts',
    description: 'an event too large for a queue message is sent whole (the send fails for ever)',
    find: 'if (bytes <= MAX_MESSAGE_BYTES) return { body: event, bytes };',
    replace: 'return { body: event, bytes };',
    tests: ['test/unit/outbox-message.test.ts'],
  },
  {
    id: 'A12',
    module: 'src/maintenance/scheduled.ts',
    description: 'an invalid AUDIT_RETENTION_DAYS falls back to the default and purges',
    find: 'return days >= 1 && days <= 36_500 ? days : null;',
    replace: 'return days >= 1 && days <= 36_500 ? days : DEFAULT_AUDIT_RETENTION_DAYS;',
    tests: MAINTENANCE,
  },
  {
    id: 'A13',
    module: 'src/maintenance/purge.ts',
    description: 'one run purges without bound',
    find: 'batch < PURGE_BATCHES_PER_RUN;',
    replace: 'batch < PURGE_BATCHES_PER_RUN * 100;',
    tests: MAINTENANCE,
  },
  {
    id: 'A14',
    module: 'src/maintenance/purge.ts',
    description: 'revocation entries are never purged',
    find: "  const expired = sql`expires_at < ${nowSeconds}`;",
    replace: '  const expired = sql`0`;',
    tests: MAINTENANCE,
  },
  {
    id: 'N92',
    module: 'src/auth/token-liveness.ts',
    description: "a write's batch is not gated: a revoked token writes",
    find: '      if (guard.done) return d1.batch(statements);',
    replace: '      return d1.batch(statements);',
    tests: REVOCATION,
  },
  {
    id: 'N93',
    module: 'src/oauth/revocation.handlers.ts',
    description: 'a revocation entry is purged at exp, while the clock tolerance still accepts the token',
    find: 'const expiresAt = verified.expiresAt + CLOCK_TOLERANCE_SECONDS + 30;',
    replace: 'const expiresAt = verified.expiresAt;',
    tests: REVOCATION,
  },
  {
    id: 'A15',
    module: 'src/audit/outbox.ts',
    description: 'marking a full batch delivered binds 101 parameters (the outbox sticks at 100 pending events)',
    find: "sql`${auditEvents.id} IN (SELECT value FROM json_each(${ids}))`",
    replace: "sql`${auditEvents.id} IN (${sql.join(batch.map(({ id }) => sql`${id}`), sql`, `)})`",
    tests: AUDIT_QUEUE,
  },
  {
    id: 'N94',
    module: 'src/auth/token-liveness.ts',
    description: "a token minted before secret_id outlives its client's deletion (revoked_clients ignored)",
    find: 'AND NOT EXISTS (SELECT 1 FROM revoked_clients WHERE client_id = ${token.clientId} AND tenant_id = ${tenant})',
    replace: '',
    tests: REVOCATION,
  },
  {
    id: 'N95',
    module: 'src/auth/token-liveness.ts',
    description: "the static admin's tokens survive a new ADMIN_CLIENT_SECRET (the proof is not compared)",
    find: 'const current = token.adminProof === admin.proof && token.clientId === admin.id;',
    replace: 'const current = token.clientId === admin.id;',
    tests: CONFIG,
  },
  {
    id: 'N96',
    module: 'src/auth/token-liveness.ts',
    description: "a client's token stands when its client is gone and the record of its secret expired",
    find: 'AND NOT EXISTS (SELECT 1 FROM revoked_secrets WHERE secret_id = ${token.secretId}) AND ${clientHolds})`;',
    replace: 'AND NOT EXISTS (SELECT 1 FROM revoked_secrets WHERE secret_id = ${token.secretId}) AND (NOT EXISTS (SELECT 1 FROM clients WHERE ${client}) OR ${clientHolds}))`;',
    tests: REVOCATION,
  },
  // private_key_jwt (issue 12)
  {
    id: 'P01',
    module: 'src/oauth/client-assertion.ts',
    description: 'an assertion may name its own keys (jku, x5u, jwk, x5c headers not refused)',
    find: 'for (const name of REFUSED_HEADERS) {',
    replace: 'for (const name of [] as string[]) {',
    tests: PRIVATE_KEY_JWT,
  },
  {
    id: 'P02',
    module: 'src/oauth/token.repository.ts',
    description: 'a replayed assertion is accepted (the jti record ignored)',
    find: "const outcome: AssertionRecord = inserted!.results.length ? 'recorded'",
    replace: "const outcome: AssertionRecord = inserted || present ? 'recorded'",
    tests: PRIVATE_KEY_JWT,
  },
  {
    id: 'P03',
    module: 'src/oauth/client-identity.ts',
    description: "a key's tokens carry privileges whoever set the keys lacked (key privileges ignored)",
    find: 'grantableWith(client.keyPrivileges ?? [], inOperatorTenant)',
    replace: 'grantableWith([...ADMIN_SCOPES], inOperatorTenant)',
    tests: PRIVATE_KEY_JWT,
  },
  {
    id: 'P04',
    module: 'src/clients/clients.repository.ts',
    description: "removing a key leaves the tokens it got alive (the token generation is not bumped)",
    find: 'THEN ${clients.tokenGeneration} + 1 ELSE ${clients.tokenGeneration} END`;',
    replace: 'THEN ${clients.tokenGeneration} ELSE ${clients.tokenGeneration} END`;',
    tests: PRIVATE_KEY_JWT,
  },
  {
    id: 'P05',
    module: 'src/auth/token-liveness.ts',
    description: "an assertion token outlives its client when another is made under its id (client_created ignored)",
    find: 'AND created_at = ${token.clientCreatedAt}',
    replace: 'AND ${token.clientCreatedAt} = ${token.clientCreatedAt}',
    tests: PRIVATE_KEY_JWT,
  },
  {
    id: 'P06',
    module: 'src/clients/clients.repository.ts',
    description: "saving a client raises its keys' privileges to the saver's",
    find: 'keyPrivileges: keyPrivilegesAfter(next),',
    replace: 'keyPrivileges: next.keyPrivileges,',
    tests: PRIVATE_KEY_JWT,
  },
];
