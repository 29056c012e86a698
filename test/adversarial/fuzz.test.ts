import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { api, getAdminToken, type ApiResponse } from '../helpers';

// Property-based fuzzing of every operation through the real worker. Every
// response (body and headers) is kept, to check at the end that none ever held
// a digest; every digest that ever existed is read from D1 as soon as its
// secret is created, before the property deletes it.
const seen: string[] = [];
const digests = new Set<string>();
let secretsCreated = 0;
/** Distinct generated inputs: read-backs, set-up requests, cleanups and constants are not counted. */
const generated = new Set<string>();

interface SendInit {
  body?: unknown;
  rawBody?: string;
  contentType?: string;
}

async function send(method: string, path: string, init: SendInit = {}) {
  const headers: Record<string, string> = {};
  if (init.contentType !== undefined) headers['content-type'] = init.contentType;
  const res = await api(method, path, {
    body: init.body,
    rawBody: init.rawBody,
    headers,
    token: await getAdminToken(),
  });
  seen.push(res.text, [...res.headers].map(([name, value]) => `${name}: ${value}`).join('\n'));
  if (method === 'POST' && path.endsWith('/secrets') && res.status === 200) {
    secretsCreated++;
    const rows = await env.DB.prepare('SELECT digest FROM client_secrets').all<{ digest: string }>();
    for (const { digest } of rows.results) digests.add(digest);
  }
  return res;
}

/**
 * A request whose input the property generated: counted once per distinct input
 * (`pathTemplate` stands for the path when it holds an id the test made up).
 */
function generate(method: string, path: string, init: SendInit = {}, pathTemplate = path) {
  generated.add(JSON.stringify([method, pathTemplate, init.contentType ?? null, init.rawBody ?? JSON.stringify(init.body) ?? null]));
  return send(method, path, init);
}

/** Every known digest found in a text: each 64-character window of each run of hex digits is looked up. */
function digestsIn(text: string, known: Set<string>): string[] {
  const found: string[] = [];
  for (const [run] of text.matchAll(/[0-9a-f]{64,}/gi)) {
    for (let i = 0; i + 64 <= run.length; i++) {
      const window = run.slice(i, i + 64).toLowerCase();
      if (known.has(window)) found.push(window);
    }
  }
  return found;
}

// 405: a path that exists, with a method it does not take (a dot segment can resolve onto one).
const ERROR_STATUSES = [400, 404, 405, 409, 412, 413, 415];

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
  tokenEndpointAuthMethod: 'client_secret_basic',
  jwks: null,
  jwksUri: null,
});

/** An accepted create reads back as sent, with the documented defaults for what was left out. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function expectStoredAsSent(path: string, id: string, sent: any) {
  const read = await send('GET', `${path}/${encodeURIComponent(id)}`);
  expect(read.status).toBe(200);
  expect(read.body.data).toEqual(
    path === '/clients' ? expectedClient(id, sent) : { id, label: sent.label, metadata: sent.metadata ?? {}, transient: [] },
  );
}

const RUNS = { valid: 1200, mutated: 2000, json: 2500, raw: 1500, deep: 150, paths: 3000, updates: 700, scopes: 800, secrets: 500 };

// Thousands of requests per property: far beyond the default 5 s test timeout.
describe('fuzzing every operation', { timeout: 120_000 }, () => {
  it('createClient accepts every valid body and reads it back exactly', async () => {
    await fc.assert(
      fc.asyncProperty(clientOptions, async (options) => {
        const created = await generate('POST', '/clients', { body: options });
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

  it('createClient refuses a valid body with one field broken, naming that field first; what it accepts reads back as sent', async () => {
    const field = fc.constantFrom('name', 'description', 'redirectUris', 'postLogoutRedirectUris', 'public', 'trusted', 'metadata', 'id');
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(clientOptions, field, invalidValue, async (options, key, value) => {
        const body = { ...options, [key]: value };
        const res = await generate('POST', '/clients', { body });
        if (res.status === 201) {
          // The "invalid" value happened to be valid (e.g. an empty array or a dictionary of strings):
          // the read-back is what was sent (as JSON on the wire), with the documented defaults for omitted options.
          accepted++;
          const sent = JSON.parse(JSON.stringify(body));
          const id = key === 'id' ? sent.id : res.body.data.id;
          const read = await send('GET', `/clients/${encodeURIComponent(id)}`);
          expect(read.status).toBe(200);
          expect(read.body.data).toEqual(expectedClient(id, sent));
          return;
        }
        expectSane(res, [400, 409]);
        if (res.status === 400) {
          // The field as a whole path segment: "name: …", "redirectUris[1]: …", "metadata.k: …", never "body: …".
          const segment = `${key}[\\[.:]`;
          const { [key]: _broken, ...rest } = options as Record<string, unknown>;
          // Only when the rest of the body is itself ill-formed Unicode may another field's problem come first.
          expect(res.body.errorMessage).toMatch(new RegExp(wellFormed(rest) ? `^${segment}` : `(^|; )${segment}`));
        }
      }),
      {
        numRuns: RUNS.mutated,
        examples: [
          [{ name: 'accepted' }, 'metadata', { k: 'v' }],
          [{ name: 'accepted' }, 'redirectUris', []],
          [{ name: 'refused' }, 'id', 42],
        ],
      },
    );
    // The accepted path ran: the examples above guarantee it.
    expect(accepted).toBeGreaterThan(0);
  });

  it('survives arbitrary JSON bodies on every write', async () => {
    const target = fc.constantFrom<[string, string]>(['POST', '/clients'], ['POST', '/scopes'], ['PUT', '/clients/ghost'], ['PUT', '/scopes/ghost'], ['POST', '/clients/ghost/secrets']);
    await fc.assert(
      fc.asyncProperty(target, fc.jsonValue({ maxDepth: 6 }), async ([method, path], body) => {
        const res = await generate(method, path, { rawBody: JSON.stringify(body) ?? 'null', contentType: 'application/json' });
        expectSane(res, [200, 201, 400, 404, 409]);
        if (res.status === 201) await expectStoredAsSent(path, res.body.data.id, body);
      }),
      {
        numRuns: RUNS.json,
        // Accepted bodies, so that the read-back above runs at least this often.
        examples: [
          [['POST', '/clients'], { name: 'json example', metadata: { a: 'b' }, unknown: [1] }],
          [['POST', '/scopes'], { label: 'json:example', metadata: { a: 'b' } }],
        ],
      },
    );
  });

  it('survives raw text bodies under any content type', async () => {
    const contentType = fc.constantFrom('application/json', 'text/plain', 'application/xml', 'multipart/form-data', 'application/x-www-form-urlencoded', 'application/jsonx', 'Application/JSON; charset=utf-8', '');
    await fc.assert(
      fc.asyncProperty(contentType, fc.string({ maxLength: 300, unit: 'binary' }), async (type, raw) => {
        const res = await generate('POST', '/clients', { rawBody: raw, contentType: type });
        expectSane(res, [201, 400, 415]);
        if (res.status === 415) expect(res.body.errorMessage).toContain('application/json');
        if (res.status === 201) await expectStoredAsSent('/clients', res.body.data.id, JSON.parse(raw));
      }),
      { numRuns: RUNS.raw, examples: [['Application/JSON; charset=utf-8', '{"name":"raw example","public":true}']] },
    );
  });

  // Twelve fixed payloads: sent once each, not counted as generated requests.
  const RESERVED = 'metadata.__proto__: key "__proto__" is reserved';
  it.each<[string, string, number, string | null]>([
    ['/clients', '{"name":"p","metadata":{"__proto__":"x"}}', 400, RESERVED],
    ['/clients', '{"name":"p","metadata":{"__proto__":{"polluted":"yes"}}}', 400, RESERVED],
    ['/clients', '{"__proto__":{"name":"p"}}', 400, 'name: is required'],
    ['/clients', '{"label":"p:p","metadata":{"__proto__":"x"}}', 400, `name: is required; ${RESERVED}`],
    ['/clients', '{"name":"p","__proto__":{"trusted":true}}', 201, null],
    ['/clients', '{"name":"p","constructor":{"prototype":{"trusted":true}}}', 201, null],
    ['/scopes', '{"label":"p:p","metadata":{"__proto__":"x"}}', 400, RESERVED],
    ['/scopes', '{"label":"p:q","metadata":{"__proto__":{"polluted":"yes"}}}', 400, RESERVED],
    ['/scopes', '{"__proto__":{"label":"p:r"}}', 400, 'label: is required'],
    ['/scopes', '{"name":"p","metadata":{"__proto__":"x"}}', 400, `label: is required; ${RESERVED}`],
    ['/scopes', '{"label":"p:s","__proto__":{"metadata":{"polluted":"yes"}}}', 201, null],
    ['/scopes', '{"label":"p:t","constructor":{"prototype":{"polluted":"yes"}}}', 201, null],
  ])('POST %s %s: a __proto__ key is refused, constructor/prototype keys are plain data (%i)', async (path, raw, status, message) => {
    const res = await send('POST', path, { rawBody: raw, contentType: 'application/json' });
    expectSane(res, [status]);
    if (message !== null) expect(res.body.errorMessage).toBe(message);
    else {
      // Accepted: nothing from the smuggled keys was applied.
      const read = await send('GET', `${path}/${res.body.data.id}`);
      const label = (JSON.parse(raw) as { label?: string }).label;
      expect(read.body.data).toEqual(
        path === '/clients' ? expectedClient(res.body.data.id, { name: 'p' }) : { id: res.body.data.id, label, metadata: {}, transient: [] },
      );
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).trusted).toBeUndefined();
  });

  // A body is refused with 413 above 65,536 bytes, before it is parsed; at or under it, it reaches
  // JSON.parse and zod, so a deep document inside a field is a 400 naming that field.
  const BODY_LIMIT = 65_536;
  const nested = (depth: number, open: string) => `${open.repeat(depth)}1${(open === '[' ? ']' : '}').repeat(depth)}`;
  const deepMetadata = (depth: number, open: string) => `{"name":"deep","metadata":{"k":${nested(depth, open)}}}`;
  const bytes = (raw: string) => new TextEncoder().encode(raw).byteLength;
  const deepRefusal = (open: string) => `metadata.k: Invalid input: expected string, received ${open === '[' ? 'array' : 'object'}`;

  it.each<[number, string, 'fits' | 'exceeds', number]>([
    [100, '[', 'fits', 400],
    [10_000, '[', 'fits', 400],
    [32_751, '[', 'fits', 400], // exactly 65,536 bytes
    [32_752, '[', 'exceeds', 413],
    [40_000, '[', 'exceeds', 413],
    [100, '{"a":', 'fits', 400],
    [10_917, '{"a":', 'fits', 400], // exactly 65,536 bytes
    [10_918, '{"a":', 'exceeds', 413],
    [40_000, '{"a":', 'exceeds', 413],
  ])('a %i-deep %s nesting in metadata (the body %s the 64 KiB limit) answers %i', async (depth, open, side, status) => {
    const raw = deepMetadata(depth, open);
    const res = await send('POST', '/clients', { rawBody: raw, contentType: 'application/json' });
    expectSane(res, [status]);
    if (side === 'fits') {
      expect(bytes(raw)).toBeLessThanOrEqual(BODY_LIMIT);
      expect(res.body.errorMessage).toBe(deepRefusal(open));
    } else {
      expect(bytes(raw)).toBeGreaterThan(BODY_LIMIT);
      expect(res.body).toEqual({ errorCode: 'PAYLOAD_TOO_LARGE', errorMessage: `Request body must be at most ${BODY_LIMIT} bytes` });
    }
  });

  it('parses a 32,700-deep array and a 10,000-deep object in an unknown key, and drops them', async () => {
    for (const [depth, open] of [[32_700, '['], [10_000, '{"a":']] as const) {
      const raw = `{"name":"deep","ignored":${nested(depth, open)}}`;
      expect(bytes(raw)).toBeLessThanOrEqual(BODY_LIMIT);
      const res = await send('POST', '/clients', { rawBody: raw, contentType: 'application/json' });
      expectSane(res, [201]);
      expect((await send('GET', `/clients/${res.body.data.id}`)).body.data).toEqual(expectedClient(res.body.data.id, { name: 'deep' }));
    }
  });

  it('answers every nesting depth from 100 to 40,000 by its size: 400 naming the field up to 64 KiB, 413 beyond', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 100, max: 40_000 }), fc.constantFrom('[', '{"a":'), async (depth, open) => {
        const raw = deepMetadata(depth, open);
        const res = await generate('POST', '/clients', { rawBody: raw, contentType: 'application/json' });
        if (bytes(raw) <= BODY_LIMIT) {
          expectSane(res, [400]);
          expect(res.body.errorMessage).toBe(deepRefusal(open));
        } else {
          expectSane(res, [413]);
        }
      }),
      { numRuns: RUNS.deep },
    );
  });

  it('answers odd path parameters on every route with 400, 404 or 405', async () => {
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
        const res = await generate(method, path, { body: method === 'PUT' && path.startsWith('/scopes/') && !path.includes('/transient/') ? { label: 'l' } : body });
        // 405: a dot segment resolves to another route's path (POST /clients/./secrets is POST /clients/secrets,
        // a client's path, which takes no POST).
        expectSane(res, [400, 404, 405, 415]);
      }),
      { numRuns: RUNS.paths },
    );
  });

  it('updateClient replaces a client with any valid body, read back exactly', async () => {
    const created = await send('POST', '/clients', { body: { name: 'to update' } });
    const id = created.body.data.id;
    await fc.assert(
      fc.asyncProperty(clientOptions, async (options) => {
        const res = await generate('PUT', `/clients/${id}`, { body: options });
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
          expectSane(await generate('POST', '/scopes', { body: { label, metadata: meta } }), [400]);
          return;
        }
        if (viaUpdate) {
          const scratch = await send('POST', '/scopes', { body: { label: `scratch:${crypto.randomUUID()}` } });
          res = await generate('PUT', `/scopes/${scratch.body.data.id}`, { body: { label, metadata: meta } }, '/scopes/{scratch}');
          expectSane(res, [200, 409]);
        } else {
          res = await generate('POST', '/scopes', { body: { label, metadata: meta } });
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
        const res = await generate('POST', `/clients/${id}/secrets`, { body: { name, metadata: meta } });
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

  afterAll(() => {
    // Every digest that ever existed was collected (one per secret created), and the scanner finds a
    // planted one, alone or inside a longer run of hex digits: the scan below is not vacuous.
    expect(secretsCreated).toBeGreaterThan(0);
    expect(digests.size).toBe(secretsCreated);
    const planted = [...digests][secretsCreated - 1]!;
    expect(digestsIn(`{"digest":"${planted}"}`, digests)).toEqual([planted]);
    expect(digestsIn(`x-trace: ab${planted.toUpperCase()}cd`, digests)).toEqual([planted]);
    // Not one response body or header seen by the suite held a digest.
    expect(seen.flatMap((text) => digestsIn(text, digests))).toEqual([]);
    // At least 10,000 distinct generated requests.
    expect(generated.size).toBeGreaterThanOrEqual(10_000);
  });
});
