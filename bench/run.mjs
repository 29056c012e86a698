// `npm run bench`: the Worker's throughput and latency per endpoint, against
// two floors measured the same way (a request that touches nothing, and one
// trivial D1 query), in `wrangler dev` on this machine with a local D1.
//
// 1. Fresh state in bench/.tmp (git-ignored), a fresh bench/.dev.vars (git-ignored),
//    migrations applied, then `wrangler dev -c bench/wrangler.toml` on 127.0.0.1:8788.
// 2. Seeds through the API: 100 clients in tenant `default` (one with 3 secrets and
//    3 scopes, one with a secret for /oauth/token, one operator with auth:tenants),
//    then 100,000 clients in tenant `big` through the bench-only seeding route.
// 3. One autocannon run per case, sequentially, after a short warm-up.
// 4. Prints a table and the target checks, writes bench/results.json.
//
// Settings (environment): BENCH_SECONDS (5), BENCH_WARMUP_SECONDS (1),
// BENCH_CONNECTIONS (8), BENCH_BIG_CLIENTS (100000), BENCH_DEEP_PAGES (50), BENCH_PORT (8788).
// Targets are reported as PASS/MISS and never fail the run; a request that fails does
// (exit code 1, after results.json is written), since the numbers would mean nothing.
//
// bench/config.mjs: settings and paths; server.mjs: fresh state and wrangler dev;
// api.mjs, seed.mjs: the seeding; cases.mjs: what is measured; measure.mjs: how;
// report.mjs: ratios, targets, the table and results.json.
import { defineCases } from './cases.mjs';
import { BASE, DEV_VARS, SETTINGS, STATE_DIR, WRANGLER_LOG, log, relativePath } from './config.mjs';
import { cpuBusyFraction, measureAll } from './measure.mjs';
import { buildResults, gitState, printResults, writeResults } from './report.mjs';
import { seed } from './seed.mjs';
import { applyMigrations, emptyTmpDir, startServer, stopServer, waitForServer, writeBenchDevVars } from './server.mjs';

async function main() {
  const started = Date.now();
  log(`settings: ${JSON.stringify(SETTINGS)}`);
  const code = gitState();
  // Anything else busy on the machine skews the ratios: say so, and keep it in the results.
  const busyBeforeStart = await cpuBusyFraction(1000);
  if (busyBeforeStart > 0.15) {
    log(`warning: the CPUs were ${Math.round(busyBeforeStart * 100)}% busy before starting: something else is running, numbers will be noisy`);
  }
  emptyTmpDir();
  const adminSecret = await writeBenchDevVars();
  log(`wrote ${relativePath(DEV_VARS)} (fresh ES256 key); applying migrations to ${relativePath(STATE_DIR)}`);
  applyMigrations();
  log(`starting wrangler dev on ${BASE} (log: ${relativePath(WRANGLER_LOG)})`);
  startServer();
  await waitForServer();
  log('seeding through the API');
  const seeded = await seed(adminSecret);
  const cases = await measureAll(defineCases(seeded));
  await stopServer();

  const results = buildResults({ started, code, busyBeforeStart, cases });
  writeResults(results);
  printResults(results);
  if (!results.allRequestsSucceeded) process.exitCode = 1;
}

try {
  await main();
} catch (error) {
  console.error(`\n[bench] failed: ${error.stack ?? error}`);
  process.exitCode = 1;
} finally {
  await stopServer();
}
