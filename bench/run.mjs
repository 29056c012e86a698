// `npm run bench`: the Worker's throughput and latency per endpoint, against two floors
// measured the same way (a request that touches nothing, and one trivial D1 query), in
// `wrangler dev` on this machine with a local D1.
//
// 1. Fresh state in bench/.tmp (git-ignored), a fresh bench/.dev.vars (git-ignored),
//    migrations applied, then `wrangler dev -c bench/wrangler.toml` on 127.0.0.1:8788.
// 2. Seeding (seed.mjs): tenant default through the API (the readClient target, the token
//    client, an operator, the write targets) plus, through bench-only bulk routes, never-used
//    secrets for first-use token requests; tenants small (100 clients) and big (100,000) of
//    one shape; distinct admin tokens minted through /oauth/token; cursors 50% deep.
// 3. The baseline windows (empty, one D1 query) before the first group of cases, between
//    groups and after the last (cases.mjs); each case: a probe counting D1 round trips
//    (background waitUntil work included), a warm-up, the measured autocannon run.
// 4. Cold start (cold-start.mjs): fresh isolates of the dry-run bundle in Miniflare, per endpoint.
// 5. Ratios against the nearest window and every window, target verdicts (report.mjs).
//
// Writing: on a clean working tree (git status shows nothing, before and after the run) the
// run writes bench/results.json and the README's generated block, with the commit. On a dirty
// tree, or with --scratch, it prints the same tables and writes bench/.tmp/results.json only.
//
// Arguments: --scratch (never publish), --only <id,...> (only the cases of those ids, e.g.
// `--only introspect,verifyBinding`, still between baseline windows; the targets whose cases all ran;
// implies --scratch: a partial run is never published).
//
// Settings (environment): BENCH_SECONDS (5), BENCH_WARMUP_SECONDS (1), BENCH_CONNECTIONS (8),
// BENCH_BIG_CLIENTS (100000), BENCH_DEEP_PERCENT (50), BENCH_FIRST_USE_SECRETS, BENCH_PORT (8788).
// Verdicts never fail the run; a request that fails does (exit code 1, after the results
// are written), since the numbers would mean nothing.
import { caseIds, defineGroups, selectCases } from './cases.mjs';
import { measureColdStart } from './cold-start.mjs';
import { BASE, DEV_VARS, README, RESULTS, SCRATCH_RESULTS, SETTINGS, STATE_DIR, WRANGLER_LOG, log, relativePath } from './config.mjs';
import { cpuBusyFraction, measureSchedule } from './measure.mjs';
import { buildResults, gitState, printResults, writeReadme, writeResults } from './report.mjs';
import { seed } from './seed.mjs';
import { applyMigrations, emptyTmpDir, startServer, stopServer, waitForServer, writeBenchDevVars } from './server.mjs';

/** --scratch, and --only <id,...> (or --only=<id,...>, repeatable): the case ids, or null for all. */
function parseArgs(args) {
  let scratch = false;
  let only = null;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--scratch') scratch = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg === '--only' ? args[++i] : arg.slice('--only='.length);
      if (!value || value.startsWith('--')) throw new Error(`--only needs case ids: ${caseIds().join(', ')}`);
      only = [...(only ?? []), ...value.split(',').map((id) => id.trim()).filter(Boolean)];
    } else {
      throw new Error(`unknown argument ${arg}; the arguments are --scratch and --only <id,...>`);
    }
  }
  const unknownIds = (only ?? []).filter((id) => !caseIds().includes(id));
  if (unknownIds.length) throw new Error(`--only: no case ${unknownIds.join(', ')}; the cases are ${caseIds().join(', ')}`);
  return { scratch, only };
}

const { scratch, only } = parseArgs(process.argv.slice(2));
const COLD_START_ISOLATES = Number(process.env.BENCH_COLD_START_ISOLATES ?? 20);

function whyNotPublish(code) {
  if (scratch) return '--scratch';
  if (only) return `--only ${only.join(',')}: a partial run`;
  if (!code.commit) return 'not a git checkout';
  if (!code.clean) return `the working tree has uncommitted changes:\n  ${code.changes.join('\n  ')}`;
  return null;
}

async function main() {
  const started = Date.now();
  log(`settings: ${JSON.stringify(SETTINGS)}`);
  if (only) log(`only the cases ${only.join(', ')}`);
  const code = gitState();
  const notPublished = whyNotPublish(code);
  log(
    notPublished
      ? `results go to ${relativePath(SCRATCH_RESULTS)} only, not ${relativePath(README)} or ${relativePath(RESULTS)}: ${notPublished}`
      : `clean tree at ${code.commit.slice(0, 7)}: results go to ${relativePath(RESULTS)} and ${relativePath(README)}`,
  );
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
  log('seeding');
  const seeded = await seed(adminSecret);
  const runs = await measureSchedule(selectCases(defineGroups(seeded), only));
  await stopServer();
  // Cold start last, with the load generator and wrangler dev gone (a partial run skips it).
  let coldStart = null;
  if (!only) {
    log(`cold start: ${COLD_START_ISOLATES} fresh isolates per endpoint (bench/cold-start.mjs)`);
    coldStart = await measureColdStart({ isolates: COLD_START_ISOLATES });
  }

  const results = buildResults({ started, code, busyBeforeStart, runs, only, coldStart });
  printResults(results);
  // The tree must still be the commit it was at the start: nothing edited during the run.
  const after = gitState();
  const stillClean = after.clean && after.commit === code.commit;
  if (!notPublished && stillClean) {
    writeResults(results, RESULTS);
    writeReadme(results);
    log(`wrote ${relativePath(RESULTS)} and the results block of ${relativePath(README)} (commit ${code.commit.slice(0, 7)}) in ${results.wallClockSeconds} s`);
  } else {
    writeResults(results, SCRATCH_RESULTS);
    const reason = notPublished ?? `the working tree changed during the run:\n  ${after.changes.join('\n  ')}`;
    log(`wrote ${relativePath(SCRATCH_RESULTS)} in ${results.wallClockSeconds} s; README and ${relativePath(RESULTS)} untouched: ${reason}`);
  }
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
