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
import { wranglerEnv } from './wrangler-env.mjs';
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { writeDevVars } from './dev-vars.mjs';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const CONF_DIR = join(ROOT, 'conformance');
const REQUIREMENTS = join(CONF_DIR, 'requirements.txt');
const CONFIG = join(CONF_DIR, 'schemathesis.toml');
const VENV = join(CONF_DIR, '.venv');
const TMP_DIR = join(CONF_DIR, '.tmp');
const STATE_DIR = join(TMP_DIR, 'state');
const DEV_VARS = join(TMP_DIR, 'dev.vars');
const WRANGLER_LOG = join(TMP_DIR, 'wrangler.log');
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
// The Worker: wrangler dev in its own process group, always stopped.

let server = null;
let serverExited = null;

function killServerGroup(signal) {
  if (!server) return;
  try {
    process.kill(-server.pid, signal); // npx, wrangler and workerd
  } catch (error) {
    if (error.code !== 'ESRCH') throw error;
  }
}

async function stopServer() {
  if (!server) return;
  killServerGroup('SIGTERM');
  await Promise.race([serverExited, sleep(5000)]);
  killServerGroup('SIGKILL'); // workerd children outlive a wrangler that exits first
  server = null;
}

let schemathesisChild = null;
process.on('exit', () => {
  killServerGroup('SIGKILL');
  schemathesisChild?.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    console.error(`\n[conformance] ${signal}: stopping wrangler dev`);
    schemathesisChild?.kill('SIGTERM');
    stopServer().finally(() => process.exit(128 + (os.constants.signals[signal] ?? 1)));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function assertIgnored(path) {
  const result = spawnSync('git', ['check-ignore', '-q', path], { cwd: ROOT });
  if (result.status === 1) throw new Error(`${rel(path)} is not git-ignored: refusing to write a signing key there`);
}

function applyMigrations() {
  const args = ['wrangler', 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', STATE_DIR];
  const result = spawnSync('npx', args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: wranglerEnv(), encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`wrangler d1 migrations apply failed:\n${result.stdout}\n${result.stderr}`);
}

function startServer(port) {
  const args = ['wrangler', 'dev', '--persist-to', STATE_DIR, '--env-file', DEV_VARS, '--port', String(port), '--ip', '127.0.0.1'];
  args.push('--var', `ISSUER:http://127.0.0.1:${port}`, '--log-level', 'warn', '--show-interactive-dev-session=false');
  const logFile = createWriteStream(WRANGLER_LOG);
  server = spawn('npx', args, { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: wranglerEnv() });
  const child = server;
  serverExited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.stdout.pipe(logFile);
  child.stderr.pipe(logFile);
}

async function waitForServer(base, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  let exited = null;
  serverExited.then((status) => (exited = status));
  while (Date.now() < deadline && !exited) {
    try {
      const res = await fetch(`${base}/openapi.json`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`wrangler dev ${exited ? `exited (${JSON.stringify(exited)})` : 'did not answer'}; see ${rel(WRANGLER_LOG)}`);
}

async function adminToken(base, id, secret) {
  const res = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  const body = await res.json();
  if (res.status !== 200 || !body.access_token) throw new Error(`/oauth/token: ${res.status} ${JSON.stringify(body)}`);
  return body.access_token;
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
  rmSync(TMP_DIR, { recursive: true, force: true });
  mkdirSync(TMP_DIR, { recursive: true });
  assertIgnored(DEV_VARS);
  const { adminClientId, adminClientSecret } = await writeDevVars(DEV_VARS, {
    comment: 'Throw-away settings of `npm run conformance`, regenerated by every run. Never commit this file.',
    adminClientId: 'conformance-admin',
  });
  applyMigrations();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  log(`wrangler dev on ${base} (log: ${rel(WRANGLER_LOG)})`);
  startServer(port);
  let code;
  try {
    await waitForServer(base);
    const token = await adminToken(base, adminClientId, adminClientSecret);
    code = await runSchemathesis(base, {
      CONFORMANCE_TOKEN: token,
      CONFORMANCE_CLIENT_ID: adminClientId,
      CONFORMANCE_CLIENT_SECRET: adminClientSecret,
    });
  } finally {
    await stopServer();
  }
  log(`${code === 0 ? 'passed' : `FAILED (schemathesis exit ${code})`} in ${Math.round((Date.now() - started) / 1000)} s; reports in ${rel(REPORT_DIR)}`);
  process.exitCode = code === 0 ? 0 : 1;
}

main().catch(async (error) => {
  console.error(`[conformance] ${error.stack ?? error}`);
  await stopServer();
  process.exit(1);
});
