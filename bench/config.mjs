// Settings, paths and names shared by the bench modules (settings: see bench/run.mjs).
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const ROOT = dirname(BENCH_DIR);
export const TMP_DIR = join(BENCH_DIR, '.tmp');
export const STATE_DIR = join(TMP_DIR, 'state');
export const WRANGLER_LOG = join(TMP_DIR, 'wrangler.log');
export const DEV_VARS = join(BENCH_DIR, '.dev.vars');
export const CONFIG = join(BENCH_DIR, 'wrangler.toml');
export const RESULTS = join(BENCH_DIR, 'results.json');

function intSetting(name, fallback, min = 1) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be a whole number ≥ ${min}, got "${raw}"`);
  return value;
}

export const SETTINGS = {
  seconds: intSetting('BENCH_SECONDS', 5),
  warmupSeconds: intSetting('BENCH_WARMUP_SECONDS', 1, 0),
  connections: intSetting('BENCH_CONNECTIONS', 8),
  pipelining: 1,
  defaultTenantClients: 100,
  bigTenantClients: intSetting('BENCH_BIG_CLIENTS', 100_000, 10_000),
  pageSize: 100,
  deepPageCursorsFollowed: intSetting('BENCH_DEEP_PAGES', 50),
  port: intSetting('BENCH_PORT', 8788),
};
export const BASE = `http://127.0.0.1:${SETTINGS.port}`;
export const ADMIN_ID = 'admin';
export const BIG_TENANT = 'big';
export const ROUND_TRIPS_HEADER = 'x-d1-round-trips';
export const deepPageNumber = SETTINGS.deepPageCursorsFollowed + 1;
export const bigLabel = SETTINGS.bigTenantClients.toLocaleString('en-US');

export const log = (message) => console.log(`[bench] ${message}`);
export const relativePath = (path) => relative(ROOT, path) || '.';
