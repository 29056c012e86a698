// Settings, paths and names shared by the bench modules (settings: see bench/run.mjs).
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const ROOT = dirname(BENCH_DIR);
export const TMP_DIR = join(BENCH_DIR, '.tmp');
export const STATE_DIR = join(TMP_DIR, 'state');
export const WRANGLER_LOG = join(TMP_DIR, 'wrangler.log');
export const DEV_VARS = join(BENCH_DIR, '.dev.vars');
export const CONFIG = join(BENCH_DIR, 'wrangler.toml');
/** Committed: written only by a run on a clean tree, with the README table. */
export const RESULTS = join(BENCH_DIR, 'results.json');
/** Git-ignored: where every other run writes (a dirty tree, or --scratch). */
export const SCRATCH_RESULTS = join(TMP_DIR, 'results.json');
export const README = join(ROOT, 'README.md');

function intSetting(name, fallback, min = 1, max = Infinity) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

/**
 * The verified-token cache's size, read from the source so the fresh-token case always
 * cycles through more tokens than it holds (every request a cache miss).
 */
function verifiedTokenCacheSize() {
  const source = readFileSync(join(ROOT, 'src/auth/access-tokens.ts'), 'utf8');
  const match = /VERIFIED_TOKENS_PER_ISOLATE\s*=\s*([\d_]+)/.exec(source);
  if (!match) throw new Error('src/auth/access-tokens.ts: VERIFIED_TOKENS_PER_ISOLATE not found; bench/config.mjs needs the cache size');
  return Number(match[1].replace(/_/g, ''));
}

const seconds = intSetting('BENCH_SECONDS', 5);
const warmupSeconds = intSetting('BENCH_WARMUP_SECONDS', 1, 0);
const tokenCacheSize = verifiedTokenCacheSize();

export const SETTINGS = {
  seconds,
  warmupSeconds,
  connections: intSetting('BENCH_CONNECTIONS', 8),
  pipelining: 1,
  pageSize: 100,
  /** The two list tenants hold clients of one shape (bench/worker.ts seedClients). */
  smallTenantClients: 100,
  bigTenantClients: intSetting('BENCH_BIG_CLIENTS', 100_000, 10_000),
  /** Where the deep pages start, in percent of the big tenant. */
  deepPercent: intSetting('BENCH_DEEP_PERCENT', 50, 1, 99),
  /** One client in this many matches the rare filters; the first at index rareOffset. */
  rareEvery: 10_000,
  rareOffset: 50,
  /**
   * Distinct tokens the fresh-token case cycles through: more than the verified-token cache (least
   * recently used out first) holds, so every request finds its token evicted.
   */
  verifiedTokenCacheSize: tokenCacheSize,
  freshTokens: tokenCacheSize + 64,
  /** Never-used secrets for the first-use token case: more than it can send (about 1,000 req/s at most here). */
  firstUseSecrets: intSetting('BENCH_FIRST_USE_SECRETS', 1000 * (seconds + warmupSeconds) + 1000, 100),
  port: intSetting('BENCH_PORT', 8788),
};
export const BASE = `http://127.0.0.1:${SETTINGS.port}`;
export const ADMIN_ID = 'admin';
export const SMALL_TENANT = 'small';
export const BIG_TENANT = 'big';
export const ROUND_TRIPS_HEADER = 'x-d1-round-trips';
export const WAIT_UNTIL_TASKS_HEADER = 'x-bench-wait-until-tasks';
export const PROBE_HEADER = 'x-bench-probe';
export const FIRST_USE_PREFIX = 'firstuse';
export const deepRow = Math.floor((SETTINGS.bigTenantClients * SETTINGS.deepPercent) / 100);
export const bigLabel = SETTINGS.bigTenantClients.toLocaleString('en-US');
export const deepLabel = `at row ${deepRow.toLocaleString('en-US')} (${SETTINGS.deepPercent}%)`;
/** The id of client i of a tenant seeded by bench/worker.ts. */
export const seededId = (tenant, i) => `${tenant}-${String(i).padStart(7, '0')}`;

export const log = (message) => console.log(`[bench] ${message}`);
export const relativePath = (path) => relative(ROOT, path) || '.';
