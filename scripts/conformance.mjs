// `npm run conformance`: schemathesis (pinned in conformance/requirements.txt, installed
// into the git-ignored conformance/.venv when missing) against the Worker under
// `wrangler dev` on a free port, with a fresh local D1 and fresh throw-away credentials
// (conformance/.tmp, git-ignored), an admin token from /oauth/token, every check and
// stateful testing (the OpenAPI links). Exits non-zero on any schemathesis failure; the
// Worker is always stopped.
//
// Settings (environment): CONFORMANCE_MAX_EXAMPLES (per operation, default 30),
// CONFORMANCE_SEED (default: random, printed by schemathesis),
// CONFORMANCE_SCHEMATHESIS_ARGS (extra arguments, space-separated).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import { adminToken, ROOT, startLocalWorker } from './local-worker.mjs';

const CONF_DIR = join(ROOT, 'conformance');
const REQUIREMENTS = join(CONF_DIR, 'requirements.txt');
const CONFIG = join(CONF_DIR, 'schemathesis.toml');
const VENV = join(CONF_DIR, '.venv');
// Wiped by startLocalWorker, which puts the local D1 (state/), dev.vars and wrangler.log there.
const TMP_DIR = join(CONF_DIR, '.tmp');
const REPORT_DIR = join(TMP_DIR, 'report');
const SCHEMATHESIS = join(VENV, 'bin', 'schemathesis');

const log = (message) => console.log(`[conformance] ${message}`);
const rel = (path) => relative(process.cwd(), path) || '.';

function intSetting(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number ≥ 1, got "${raw}"`);
  return value;
}

// ---------------------------------------------------------------------------
// schemathesis, pinned.

function pinnedVersion() {
  const line = readFileSync(REQUIREMENTS, 'utf8')
    .split('\n')
    .find((l) => /^schemathesis==/.test(l.trim()));
  if (!line) throw new Error(`${rel(REQUIREMENTS)} must pin schemathesis==<version>`);
  return line.trim().slice('schemathesis=='.length);
}

function installedVersion() {
  if (!existsSync(SCHEMATHESIS)) return null;
  const result = spawnSync(SCHEMATHESIS, ['--version'], { encoding: 'utf8' });
  return /version (\S+)/.exec(result.stdout ?? '')?.[1] ?? null;
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal})`);
  return result;
}

function ensureSchemathesis() {
  const want = pinnedVersion();
  const have = installedVersion();
  if (have === want) return log(`schemathesis ${have} (${rel(VENV)})`);
  log(have ? `schemathesis ${have} in ${rel(VENV)}, want ${want}: reinstalling` : `installing schemathesis ${want} into ${rel(VENV)}`);
  rmSync(VENV, { recursive: true, force: true });
  run(process.env.PYTHON ?? 'python3', ['-m', 'venv', VENV]);
  run(join(VENV, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', '-r', REQUIREMENTS]);
  if (installedVersion() !== want) throw new Error(`schemathesis ${want} did not install`);
}

// ---------------------------------------------------------------------------
// The Worker (scripts/local-worker.mjs), always stopped; schemathesis too.

let worker = null;
let schemathesisChild = null;
process.on('exit', () => schemathesisChild?.kill('SIGKILL')); // local-worker.mjs kills wrangler dev on exit
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    console.error(`\n[conformance] ${signal}: stopping wrangler dev`);
    schemathesisChild?.kill('SIGTERM');
    Promise.resolve(worker?.stop()).finally(() => process.exit(128 + (os.constants.signals[signal] ?? 1)));
  });
}

// ---------------------------------------------------------------------------

function runSchemathesis(base, credentials) {
  const args = [
    '--config-file',
    CONFIG,
    'run',
    `${base}/openapi.json`,
    '--url',
    base,
    '--checks',
    'all',
    '--phases',
    'examples,coverage,fuzzing,stateful',
    '--max-examples',
    String(intSetting('CONFORMANCE_MAX_EXAMPLES', 30)),
    '--report',
    'junit,ndjson',
    '--report-dir',
    REPORT_DIR,
    // One worker: with two threads, hypothesis' ast.parse of lambda sources trips CPython 3.11's
    // "AST constructor recursion depth mismatch" SystemError (a data race fixed in later CPython).
    '--workers',
    '1',
    '--request-timeout',
    '10',
  ];
  if (process.env.CONFORMANCE_SEED) args.push('--seed', process.env.CONFORMANCE_SEED);
  if (process.env.CONFORMANCE_SCHEMATHESIS_ARGS) args.push(...process.env.CONFORMANCE_SCHEMATHESIS_ARGS.split(/\s+/).filter(Boolean));
  log(`schemathesis ${args.join(' ')} (credentials in CONFORMANCE_TOKEN, CONFORMANCE_CLIENT_ID, CONFORMANCE_CLIENT_SECRET)`);
  return new Promise((resolve) => {
    schemathesisChild = spawn(SCHEMATHESIS, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, NO_COLOR: '1', ...credentials } });
    schemathesisChild.once('exit', (code, signal) => {
      schemathesisChild = null;
      resolve(code ?? 128 + (os.constants.signals[signal] ?? 1));
    });
  });
}

async function main() {
  const started = Date.now();
  ensureSchemathesis();
  worker = await startLocalWorker({ tmpDir: TMP_DIR, adminClientId: 'conformance-admin', logName: 'conformance' });
  const { base, adminClientId, adminClientSecret } = worker;
  let code;
  try {
    const token = await adminToken(base, adminClientId, adminClientSecret);
    code = await runSchemathesis(base, {
      CONFORMANCE_TOKEN: token,
      CONFORMANCE_CLIENT_ID: adminClientId,
      CONFORMANCE_CLIENT_SECRET: adminClientSecret,
    });
  } finally {
    await worker.stop();
  }
  log(`${code === 0 ? 'passed' : `FAILED (schemathesis exit ${code})`} in ${Math.round((Date.now() - started) / 1000)} s; reports in ${rel(REPORT_DIR)}`);
  process.exitCode = code === 0 ? 0 : 1;
}

main().catch(async (error) => {
  console.error(`[conformance] ${error.stack ?? error}`);
  await worker?.stop();
  process.exit(1);
});
