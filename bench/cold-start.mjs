// Cold start: how long a fresh isolate of the deployed bundle takes to its first answer.
//
// The bundle is `wrangler deploy --dry-run`'s (what would be uploaded), run by Miniflare in
// workerd with a local D1 (the real migrations), one isolate at a time. For each of
// ISOLATES rounds and each endpoint (/keys, readClient, /oauth/token), Miniflare reloads the
// Worker (a new workerd config: a new isolate that must compile the bundle and run its global
// scope), and the time from the reload to the first answer is taken; then a second request on
// the same, now warm, isolate. The same is done for an empty Worker (`export default { fetch }`),
// so the difference — what our bundle adds to a cold start — does not depend on how fast this
// machine reloads workerd. workerd's clocks stand still inside a request (as in production), so
// the global scope cannot time itself: it is measured from outside, as part of the first answer.
//
//   node bench/cold-start.mjs [--isolates N] [--bundle path/to/index.js]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { generateDevVars } from '../scripts/dev-vars.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
// The Miniflare wrangler itself runs (`wrangler dev`), not whichever version another package hoisted.
const { Miniflare } = createRequire(createRequire(import.meta.url).resolve('wrangler/package.json'))('miniflare');
const ISSUER = 'http://cold.test';

function argument(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/** The bundle wrangler would upload: built with `wrangler deploy --dry-run` into a temporary directory. */
function buildBundle(outdir) {
  const built = spawnSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', outdir], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  });
  if (built.status !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${built.stdout}\n${built.stderr}`);
  return path.join(outdir, 'index.js');
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const stats = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: percentile(sorted, 50), p95: percentile(sorted, 95), n: sorted.length };
};

async function applyMigrations(mf) {
  const db = await mf.getD1Database('DB');
  const dir = path.join(ROOT, 'migrations');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) {
    const statements = readFileSync(path.join(dir, file), 'utf8').split('--> statement-breakpoint').map((s) => s.trim()).filter(Boolean);
    await db.batch(statements.map((s) => db.prepare(s)));
  }
}

/** Times `rounds` reloads of `options`, each followed by `request()` twice: cold, then warm. */
async function coldAndWarm(mf, options, rounds, request) {
  const cold = [];
  const warm = [];
  for (let i = 0; i < rounds; i++) {
    const reloaded = performance.now();
    await mf.setOptions(options);
    const first = await request();
    cold.push(performance.now() - reloaded);
    const again = performance.now();
    await request();
    warm.push(performance.now() - again);
    if (first.status >= 300) throw new Error(`cold request answered ${first.status}: ${await first.text()}`);
  }
  return { cold: stats(cold), warm: stats(warm) };
}

export async function measureColdStart({ isolates = 20, bundle } = {}) {
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'cold-start-'));
  try {
    const scriptPath = bundle ?? buildBundle(outdir);
    const bytes = readFileSync(scriptPath);
    const vars = await generateDevVars({ comment: 'cold start' });
    const d1Persist = path.join(outdir, 'd1');
    const worker = { modules: true, compatibilityDate: '2026-04-20', d1Databases: { DB: 'cold' }, d1Persist };
    const instance = (options) => ({ ...worker, ...options });
    const app = instance({
      scriptPath,
      modulesRoot: path.dirname(scriptPath),
      bindings: {
        ISSUER,
        SIGNING_KEYS: vars.text.match(/^SIGNING_KEYS='(.*)'$/m)[1],
        ADMIN_CLIENT_ID: vars.adminClientId,
        ADMIN_CLIENT_SECRET: vars.adminClientSecret,
      },
    });
    const empty = instance({ script: 'export default { fetch() { return new Response("ok"); } };' });
    const mf = new Miniflare(app);
    try {
      await applyMigrations(mf);
      const basic = `Basic ${btoa(`${vars.adminClientId}:${vars.adminClientSecret}`)}`;
      const form = { 'content-type': 'application/x-www-form-urlencoded', authorization: basic };
      const tokenRequest = () => mf.dispatchFetch(`${ISSUER}/oauth/token`, { method: 'POST', headers: form, body: 'grant_type=client_credentials' });
      const token = (await (await tokenRequest()).json()).access_token;
      const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const client = (await (await mf.dispatchFetch(`${ISSUER}/clients`, { method: 'POST', headers: auth, body: '{"name":"cold"}' })).json()).data;
      const endpoints = {
        '/keys': () => mf.dispatchFetch(`${ISSUER}/keys`),
        'readClient': () => mf.dispatchFetch(`${ISSUER}/clients/${client.id}`, { headers: auth }),
        'POST /oauth/token': tokenRequest,
      };
      const results = { isolates, bundle: { bytes: bytes.length, gzipBytes: gzipSync(bytes).length }, emptyWorker: null, endpoints: {} };
      results.emptyWorker = await coldAndWarm(mf, empty, isolates, () => mf.dispatchFetch(`${ISSUER}/`));
      for (const [name, request] of Object.entries(endpoints)) {
        results.endpoints[name] = await coldAndWarm(mf, app, isolates, request);
      }
      return results;
    } finally {
      await mf.dispose();
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const ms = (value) => value.toFixed(1);

export function coldStartTable(results) {
  const empty = results.emptyWorker.cold;
  const rows = [
    `Cold start over ${results.isolates} fresh isolates each (Miniflare reload → first answer), bundle ${(results.bundle.bytes / 1024).toFixed(0)} KiB / ${(results.bundle.gzipBytes / 1024).toFixed(1)} KiB gzip:`,
    '',
    '| endpoint | cold median ms | cold p95 ms | warm median ms | cold − empty Worker, median ms |',
    '|:--|--:|--:|--:|--:|',
    `| empty Worker (the floor) | ${ms(empty.median)} | ${ms(empty.p95)} | ${ms(results.emptyWorker.warm.median)} | 0 |`,
  ];
  for (const [name, { cold, warm }] of Object.entries(results.endpoints)) {
    rows.push(`| ${name} | ${ms(cold.median)} | ${ms(cold.p95)} | ${ms(warm.median)} | ${ms(cold.median - empty.median)} |`);
  }
  return rows.join('\n');
}

if (process.argv[1] === import.meta.filename) {
  const isolates = Number(argument('--isolates', '20'));
  const bundle = argument('--bundle', undefined);
  const results = await measureColdStart({ isolates, bundle: bundle && statSync(bundle) && path.resolve(bundle) });
  console.log(coldStartTable(results));
  console.log(JSON.stringify(results));
}
