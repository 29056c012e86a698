import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { api, getAdminToken, type ApiResponse } from '../helpers';

// Property-based fuzzing of every operation through the real worker. Every
// response is kept, to check at the end that none ever held a digest.
const responses: string[] = [];
let requests = 0;

async function send(method: string, path: string, init: { body?: unknown; rawBody?: string; contentType?: string } = {}) {
  const headers: Record<string, string> = {};
  if (init.contentType !== undefined) headers['content-type'] = init.contentType;
  const res = await api(method, path, {
    body: init.body,
    rawBody: init.rawBody,
    headers,
    token: await getAdminToken(),
  });
  requests++;
  responses.push(res.text);
  return res;
}

const ERROR_STATUSES = [400, 404, 409, 412, 413, 415];

/** Never a 5xx; every rejection the JSON error envelope with a message naming the problem. */
function expectSane(res: ApiResponse, allowed: number[]) {
  expect(res.status, res.text).toBeLessThan(500);
  expect(allowed, `${res.status} ${res.text}`).toContain(res.status);
  if (res.status >= 400) {
    expect(ERROR_STATUSES).toContain(res.status);
    expect(Object.keys(res.body).sort()).toEqual(['errorCode', 'errorMessage']);
    expect(res.body.errorMessage.length).toBeGreaterThan(3);
    // A 400 starts with the field it is about (or "body", or says the JSON is malformed).
    if (res.status === 400) expect(res.body.errorMessage).toMatch(/^(Malformed JSON|[A-Za-z_$][\w$-]*[.\[:])/);
  }
}

// --- arbitraries mirroring the zod schemas -------------------------------------------------
const text = (maxLength: number, minLength = 0) =>
  fc.oneof(
    fc.string({ minLength, maxLength, unit: 'grapheme' }),
    fc.string({ minLength, maxLength, unit: 'grapheme-ascii' }),
    fc.string({ minLength, maxLength, unit: 'binary' }), // lone surrogates included
  );

/** Every string in a value, keys included, is well-formed Unicode. */
const wellFormed = (value: unknown): boolean =>
  typeof value === 'string'
    ? value.isWellFormed()
    : Array.isArray(value)
      ? value.every(wellFormed)
      : value !== null && typeof value === 'object'
        ? Object.entries(value).every(([k, v]) => k.isWellFormed() && wellFormed(v))
        : true;
const metadataKey = text(40, 1).filter((k) => k !== '__proto__');
const metadata = fc.dictionary(metadataKey, text(80), { maxKeys: 8, noNullPrototype: true });
const redirectUri = fc.oneof(
  fc.webUrl({ withFragments: false, withQueryParameters: true }),
  fc.constantFrom('com.example.app:/callback', 'http://localhost:3000/cb', 'myapp://done'),
);
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const clientOptions = fc.record(
  {
    name: text(256, 1),
    description: optional(text(500)),
    redirectUris: optional(fc.array(redirectUri, { maxLength: 6 })),
    postLogoutRedirectUris: optional(fc.array(redirectUri, { maxLength: 3 })),
    public: optional(fc.boolean()),
    trusted: optional(fc.boolean()),
    metadata: optional(metadata),
  },
  { requiredKeys: ['name'] },
);
const scopeLabel = fc.stringMatching(/^[\x21\x23-\x5B\x5D-\x7E]{1,60}$/);
const oddSegment = fc.oneof(
  text(200, 1),
  fc.constantFrom('..', '.', '%00', '%2F', '%25', ' ', '\u0000', 'a'.repeat(129), '__proto__', 'constructor', '💥', '-'),
);
const invalidValue = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.array(fc.jsonValue(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue(), { maxKeys: 3 }),
  fc.string({ minLength: 5000, maxLength: 6000 }),
);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const expectedClient = (id: string, o: any) => ({
  id,
  name: o.name,
  description: o.description ?? '',
  redirectUris: o.redirectUris ?? [],
  postLogoutRedirectUris: o.postLogoutRedirectUris ?? [],
  public: o.public ?? false,
  trusted: o.trusted ?? false,
  metadata: o.metadata ?? {},
  scopes: [],
  secrets: [],
});

const RUNS = { valid: 1200, mutated: 1500, json: 1500, raw: 1000, proto: 400, deep: 150, paths: 2000, updates: 700, scopes: 800, secrets: 500 };

// Thousands of requests per property: far beyond the default 5 s test timeout.
describe('fuzzing every operation', { timeout: 120_000 }, () => {
  it('createClient accepts every valid body and reads it back exactly', async () => {
    await fc.assert(
      fc.asyncProperty(clientOptions, async (options) => {
        const created = await send('POST', '/clients', { body: options });
        if (!wellFormed(options)) {
          expectSane(created, [400]);
          expect(created.body.errorMessage).toContain('must be well-formed Unicode');
          return;
        }
        expectSane(created, [201]);
        const read = await send('GET', `/clients/${created.body.data.id}`);
        expect(read.body.data).toEqual(expectedClient(created.body.data.id, options));
      }),
      { numRuns: RUNS.valid },
    );
  });

  it('createClient refuses a valid body with one field broken, naming that field', async () => {
    const field = fc.constantFrom('name', 'description', 'redirectUris', 'postLogoutRedirectUris', 'public', 'trusted', 'metadata', 'id');
    await fc.assert(
      fc.asyncProperty(clientOptions, field, invalidValue, async (options, key, value) => {
        const body = { ...options, [key]: value };
        const res = await send('POST', '/clients', { body });
        if (res.status === 201) {
          // The "invalid" value happened to be valid (e.g. a string description): it must read back.
          const read = await send('GET', `/clients/${res.body.data.id}`);
          expect(read.body.data[key === 'id' ? 'id' : key]).toEqual(key === 'id' ? res.body.data.id : res.body.data[key]);
          return;
        }
        expectSane(res, [400, 409]);
        if (res.status === 400) expect(res.body.errorMessage).toContain(key);
      }),
      { numRuns: RUNS.mutated },
    );
  });

  it('survives arbitrary JSON bodies on every write', async () => {
    const target = fc.constantFrom<[string, string]>(['POST', '/clients'], ['POST', '/scopes'], ['PUT', '/clients/ghost'], ['PUT', '/scopes/ghost'], ['POST', '/clients/ghost/secrets']);
    await fc.assert(
      fc.asyncProperty(target, fc.jsonValue({ maxDepth: 6 }), async ([method, path], body) => {
        const res = await send(method, path, { rawBody: JSON.stringify(body) ?? 'null', contentType: 'application/json' });
        expectSane(res, [200, 201, 400, 404, 409]);
      }),
      { numRuns: RUNS.json },
    );
  });

  it('survives raw text bodies under any content type', async () => {
    const contentType = fc.constantFrom('application/json', 'text/plain', 'application/xml', 'multipart/form-data', 'application/x-www-form-urlencoded', 'application/jsonx', 'Application/JSON; charset=utf-8', '');
    await fc.assert(
      fc.asyncProperty(contentType, fc.string({ maxLength: 300, unit: 'binary' }), async (type, raw) => {
        const res = await send('POST', '/clients', { rawBody: raw, contentType: type });
        expectSane(res, [201, 400, 415]);
        if (res.status === 415) expect(res.body.errorMessage).toContain('application/json');
      }),
      { numRuns: RUNS.raw },
    );
  });

  it('refuses __proto__ keys and treats constructor/prototype keys as plain data', async () => {
    const payload = fc.constantFrom(
      '{"name":"p","metadata":{"__proto__":"x"}}',
      '{"name":"p","metadata":{"__proto__":{"polluted":"yes"}}}',
      '{"__proto__":{"name":"p"}}',
      '{"name":"p","__proto__":{"trusted":true}}',
      '{"name":"p","constructor":{"prototype":{"trusted":true}}}',
      '{"label":"p:p","metadata":{"__proto__":"x"}}',
    );
    await fc.assert(
      fc.asyncProperty(payload, fc.constantFrom('/clients', '/scopes'), async (raw, path) => {
        const res = await send('POST', path, { rawBody: raw, contentType: 'application/json' });
        expectSane(res, [201, 400, 409]);
        if (res.status === 201 && path === '/clients') expect(res.body.data.trusted).toBe(false);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: RUNS.proto },
    );
  });

  it('survives deeply nested and huge bodies', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 100, max: 40_000 }), fc.constantFrom('[', '{"a":'), async (depth, open) => {
        const close = open === '[' ? ']' : '}';
        const raw = `{"name":"deep","metadata":{"k":${open.repeat(depth)}1${close.repeat(depth)}}}`;
        const res = await send('POST', '/clients', { rawBody: raw, contentType: 'application/json' });
        expectSane(res, [400, 413]);
      }),
      { numRuns: RUNS.deep },
    );
  });

  it('answers odd path parameters on every route with 400 or 404', async () => {
    const route = fc.constantFrom(
      (a: string) => ['GET', `/clients/${a}`],
      (a: string) => ['PUT', `/clients/${a}`],
      (a: string) => ['DELETE', `/clients/${a}`],
      (a: string) => ['POST', `/clients/${a}/secrets`],
      (a: string, b: string) => ['DELETE', `/clients/${a}/secrets/${b}`],
      (a: string, b: string) => ['PUT', `/clients/${a}/scopes/${b}`],
      (a: string, b: string) => ['DELETE', `/clients/${a}/scopes/${b}`],
      (a: string) => ['GET', `/scopes/${a}`],
      (a: string) => ['PUT', `/scopes/${a}`],
      (a: string) => ['DELETE', `/scopes/${a}`],
      (a: string, b: string) => ['PUT', `/scopes/${a}/transient/${b}`],
      (a: string, b: string) => ['DELETE', `/scopes/${a}/transient/${b}`],
    );
    await fc.assert(
      fc.asyncProperty(route, oddSegment, oddSegment, fc.boolean(), async (build, a, b, encode) => {
        const seg = (s: string) => (encode ? encodeURIComponent(s) : s.replace(/[/?#]/g, encodeURIComponent));
        const [method, path] = build(seg(a), seg(b)) as [string, string];
        const body = method === 'PUT' && !path.includes('/scopes/') && !path.includes('/transient/') ? { name: 'n', label: 'l' } : method === 'POST' ? { name: 'n' } : undefined;
        const res = await send(method, path, { body: method === 'PUT' && path.startsWith('/scopes/') && !path.includes('/transient/') ? { label: 'l' } : body });
        expectSane(res, [400, 404, 415]);
      }),
      { numRuns: RUNS.paths },
    );
  });

  it('updateClient replaces a client with any valid body, read back exactly', async () => {
    const created = await send('POST', '/clients', { body: { name: 'to update' } });
    const id = created.body.data.id;
    await fc.assert(
      fc.asyncProperty(clientOptions, async (options) => {
        const res = await send('PUT', `/clients/${id}`, { body: options });
        if (!wellFormed(options)) return expectSane(res, [400]);
        expectSane(res, [200]);
        const read = await send('GET', `/clients/${id}`);
        expect(read.body.data).toEqual(expectedClient(id, options));
      }),
      { numRuns: RUNS.updates },
    );
  });

  it('createScope and updateScope read back exactly; duplicate labels are 409', async () => {
    await fc.assert(
      fc.asyncProperty(scopeLabel, optional(metadata), fc.boolean(), async (label, meta, viaUpdate) => {
        let res;
        if (!wellFormed(meta)) {
          expectSane(await send('POST', '/scopes', { body: { label, metadata: meta } }), [400]);
          return;
        }
        if (viaUpdate) {
          const scratch = await send('POST', '/scopes', { body: { label: `scratch:${crypto.randomUUID()}` } });
          res = await send('PUT', `/scopes/${scratch.body.data.id}`, { body: { label, metadata: meta } });
          expectSane(res, [200, 409]);
        } else {
          res = await send('POST', '/scopes', { body: { label, metadata: meta } });
          expectSane(res, [201, 409]);
        }
        if (res.status === 409) return;
        const read = await send('GET', `/scopes/${res.body.data.id}`);
        expect(read.body.data).toEqual({ id: res.body.data.id, label, metadata: meta ?? {}, transient: [] });
      }),
      { numRuns: RUNS.scopes },
    );
  });

  it('createSecret stores any valid name and metadata, read back without the clear value', async () => {
    const created = await send('POST', '/clients', { body: { name: 'secret holder' } });
    const id = created.body.data.id;
    await fc.assert(
      fc.asyncProperty(text(256, 1), optional(metadata), async (name, meta) => {
        const res = await send('POST', `/clients/${id}/secrets`, { body: { name, metadata: meta } });
        if (!wellFormed({ name, meta })) return expectSane(res, [400]);
        expectSane(res, [200]);
        const read = await send('GET', `/clients/${id}`);
        const stored = read.body.data.secrets.find((s: { id: string }) => s.id === res.body.data.id);
        expect(stored).toMatchObject({ name, metadata: meta ?? {}, lastDigits: res.body.data.lastDigits });
        expect(read.text).not.toContain(res.body.data.clear);
        await send('DELETE', `/clients/${id}/secrets/${res.body.data.id}`);
      }),
      { numRuns: RUNS.secrets },
    );
  });

  afterAll(async () => {
    // At least 10,000 generated requests, and not one response held a digest.
    expect(requests).toBeGreaterThanOrEqual(10_000);
    const digests = (await env.DB.prepare('SELECT digest FROM client_secrets').all<{ digest: string }>()).results.map((r) => r.digest);
    for (const text of responses) for (const digest of digests) expect(text.includes(digest)).toBe(false);
  });
});
