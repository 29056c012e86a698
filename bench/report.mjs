// Reporting: ratios to the baseline windows, target verdicts, the tables, results.json
// and the README's generated block.
import { coldStartTable } from './cold-start.mjs';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { JUDGEMENT_CASES } from './cases.mjs';
import { README, ROOT, SETTINGS, bigLabel, deepLabel, relativePath } from './config.mjs';
import { round } from './measure.mjs';

export const README_START = '<!-- bench:results:start -->';
export const README_END = '<!-- bench:results:end -->';

const failedRequests = (c) => (c.measured ? c.non2xx + c.errors + c.timeouts : 0);
const midpoint = (run) => (run.startedAt + run.endedAt) / 2;
const pct = (value) => (value === null ? '-' : `${(value * 100).toFixed(1)}%`);
const fixed = (digits) => (value) => (value === null ? '-' : value.toFixed(digits));

// ---------------------------------------------------------------------------
// Windows and ratios.

/** The baseline windows in run order: each holds an empty and a one-query baseline run. */
function windowsOf(runs) {
  const windows = [];
  for (const run of runs.filter((r) => r.kind === 'baseline')) {
    windows[run.window] ??= { index: run.window };
    windows[run.window][run.baseline] = run;
  }
  for (const w of windows) w.time = midpoint(w.oneQuery);
  return windows;
}

/**
 * Every measured run gets: its nearest window (in time), its ratios to that window's baselines,
 * and the range of its one-query ratio over every window of the run.
 */
function addRatios(runs, windows) {
  for (const run of runs.filter((r) => r.measured)) {
    const t = midpoint(run);
    const nearest = run.kind === 'baseline' ? windows[run.window] : windows.reduce((a, b) => (Math.abs(b.time - t) < Math.abs(a.time - t) ? b : a));
    run.nearestWindow = nearest.index;
    run.vsEmpty = round(run.requestsPerSecond / nearest.empty.requestsPerSecond, 3);
    run.vsOneQuery = round(run.requestsPerSecond / nearest.oneQuery.requestsPerSecond, 3);
    const all = windows.map((w) => run.requestsPerSecond / w.oneQuery.requestsPerSecond);
    run.vsOneQueryEveryWindow = [round(Math.min(...all), 3), round(Math.max(...all), 3)];
  }
}

/** A case's throughput divided by one window's one-query baseline. */
const normalized = (run, window) => run.requestsPerSecond / window.oneQuery.requestsPerSecond;

/** The windows just before and just after a case's group. */
const bracket = (run, windows) => [windows[run.group], windows[run.group + 1]].filter(Boolean);

// ---------------------------------------------------------------------------
// Verdicts.

/**
 * PASS: inside [lo, hi] against every window. MISS: outside on the bad side against the nearest
 * window. FAULT: outside on the too-good side against the nearest window: a number the code
 * cannot produce (a case faster than the floor it includes, a negative cost), so a measurement
 * fault. NOISE: inside against the nearest window but not against every one.
 */
function verdict({ nearest, values, lo, hi, better }) {
  if (nearest === null || values.some((v) => v === null || !Number.isFinite(v))) return 'N/A';
  const tooBad = (v) => (better === 'higher' ? v < lo : v > hi);
  const tooGood = (v) => (better === 'higher' ? v > hi : v < lo);
  if (tooBad(nearest)) return 'MISS';
  if (tooGood(nearest)) return 'FAULT';
  return values.every((v) => !tooBad(v) && !tooGood(v)) ? 'PASS' : 'NOISE';
}

function rangeTarget({ id, description, format, lo, hi, better, nearest, values, basis }) {
  const spread = values.length ? [Math.min(...values), Math.max(...values)] : [null, null];
  return {
    id,
    description,
    band: [round(lo, 3), round(hi, 3)],
    better,
    basis,
    nearest: round(nearest, 3),
    everyWindow: spread.map((v) => round(v, 3)),
    shown: { band: `${format(lo)} – ${format(hi)}`, nearest: format(nearest), everyWindow: `${format(spread[0])} – ${format(spread[1])}` },
    verdict: verdict({ nearest, values, lo, hi, better }),
  };
}

/** Throughput of a case over the one-query floor, against every window. */
function floorTarget(byId, windows, { id, caseId, description, lo, hi }) {
  const run = byId[caseId];
  return rangeTarget({
    id,
    description,
    format: fixed(2),
    lo,
    hi,
    better: 'higher',
    basis: 'every window',
    nearest: run.vsOneQuery,
    values: windows.map((w) => normalized(run, w)),
  });
}

/**
 * A case's throughput over the one-query floor, where nothing sets a band: shown against the nearest
 * and every window, verdict INFO. Still FAULT above 1 against the nearest window, since the case runs
 * at least that query (a number the code cannot produce).
 */
function infoFloorTarget(byId, windows, { id, caseId, description }) {
  const run = byId[caseId];
  const values = windows.map((w) => normalized(run, w));
  const spread = [Math.min(...values), Math.max(...values)];
  const format = fixed(2);
  return {
    id,
    description,
    band: null,
    better: 'higher',
    basis: 'every window',
    nearest: run.vsOneQuery,
    everyWindow: spread.map((v) => round(v, 3)),
    shown: { band: 'none (informational)', nearest: format(run.vsOneQuery), everyWindow: `${format(spread[0])} – ${format(spread[1])}` },
    verdict: run.vsOneQuery === null ? 'N/A' : run.vsOneQuery > 1 ? 'FAULT' : 'INFO',
  };
}

/**
 * A number made of two cases, each divided by its nearest window; its spread divides each by
 * either window around it (before or after its group), every combination.
 */
function pairTarget(byId, windows, { id, a, b, of, description, lo, hi, format }) {
  const [runA, runB] = [byId[a], byId[b]];
  const nearest = of(normalized(runA, windows[runA.nearestWindow]), normalized(runB, windows[runB.nearestWindow]));
  const values = bracket(runA, windows).flatMap((wa) => bracket(runB, windows).map((wb) => of(normalized(runA, wa), normalized(runB, wb))));
  return rangeTarget({ id, description, format, lo, hi, better: 'lower', basis: 'windows around each case', nearest, values });
}

/**
 * A case's probes as "1", or "1 + 1 in waitUntil, then 1" when a probe ran waitUntil work: its
 * extra trips are the difference with the case's probe that ran none (the same request again).
 */
function describeTrips(run) {
  const without = run.roundTrips.find((t) => t.waitUntil === 0)?.total;
  const text = (t) => {
    if (!t.waitUntil) return String(t.total);
    if (without === undefined) return `${t.total} (${t.waitUntil} waitUntil task${t.waitUntil > 1 ? 's' : ''})`;
    return `${without} + ${t.total - without} in waitUntil`;
  };
  return run.roundTrips.map(text).join(', then ');
}

function tripTarget({ id, description, runs, expected, limit, extra = [] }) {
  const matches = (run) => {
    const want = expected(run);
    return run.roundTrips.length === want.length && run.roundTrips.every((t, i) => t.total === want[i].total && t.waitUntil === want[i].waitUntil);
  };
  const off = runs.filter((run) => !matches(run));
  const failedChecks = extra.filter(([, ok]) => !ok).map(([what]) => what);
  const shown = [...new Set(runs.map(describeTrips))];
  const value = [
    off.length ? off.map((r) => `${r.id}: ${describeTrips(r)}`).join('; ') : `${shown.join(' / ')} (${runs.length} cases)`,
    ...extra.map(([what, ok]) => `${what}: ${ok ? 'yes' : 'NO'}`),
  ].join('; ');
  return { id, description, limit, value, verdict: off.length === 0 && failedChecks.length === 0 ? 'PASS' : 'MISS' };
}

const ALL_WRITES = [
  'createClient', 'updateClient', 'deleteClient', 'createSecret', 'deleteSecret', 'addScopeToClient', 'deleteScopeFromClient',
  'createScope', 'updateScope', 'deleteScope', 'addTransientScope', 'deleteTransientScope',
];

/**
 * The targets, each with the cases it needs. A run of every case computes them all; a run of some
 * (--only) only those whose cases all ran.
 */
function targetChecks(byId, runs, windows, only) {
  const cases = runs.filter((r) => r.kind !== 'baseline');
  const judgement = new Set(JUDGEMENT_CASES);
  const reads = cases.filter((r) => r.kind === 'read' && !r.id.startsWith('token') && !judgement.has(r.id));
  const writes = cases.filter((r) => r.kind === 'write');
  const missingWrites = ALL_WRITES.filter((id) => !byId[id]);
  const once = [{ total: 1, waitUntil: 0 }];
  const verification = (a) => ({ a, b: 'readClientNoAuth', of: (x, y) => 1 - x / y, format: pct });
  const costRatio = (a, b) => ({ a, b, of: (x, y) => y / x, format: fixed(2) }); // how many times slower a runs than b
  const pair = (target) => ({ needs: [target.a, target.b], make: () => pairTarget(byId, windows, target) });
  const targets = [
    {
      needs: reads.map((r) => r.id),
      make: () =>
        tripTarget({
          id: 'readsOneRoundTrip',
          description: 'every read is 1 D1 round trip, waitUntil work included (the token endpoint and token judgement: next rows)',
          limit: '1 each',
          runs: reads,
          expected: () => once,
        }),
    },
    {
      needs: ['token', 'tokenFirstUse', 'tokenClosure'],
      make: () => {
        const tokenFacts = byId.token.facts ?? {};
        const firstUseFacts = byId.tokenFirstUse.facts ?? {};
        return tripTarget({
          id: 'tokenRoundTrips',
          description: "/oauth/token is 1 D1 round trip, + 1 in waitUntil (lastUsedAt) on a secret's first use in an hour (a 100-scope closure too)",
          limit: '1 + 1 in waitUntil, then 1',
          runs: [byId.token, byId.tokenFirstUse, byId.tokenClosure],
          expected: (run) => (run.id === 'tokenClosure' ? once : [{ total: 2, waitUntil: 1 }, { total: 1, waitUntil: 0 }]),
          extra: [
            ['one-client window holds its lastUsedAt write', tokenFacts.lastUsedAtWrittenInWindow === true],
            ['first-use writes all recorded', firstUseFacts.writesAccountedFor === true],
          ],
        });
      },
    },
    {
      needs: ['tokenPrivateKeyJwt'],
      make: () =>
        tripTarget({
          id: 'tokenPrivateKeyJwtRoundTrips',
          description: '/oauth/token with private_key_jwt is 2 D1 round trips: the client with its keys, then the replay record of the jti',
          limit: '2',
          runs: [byId.tokenPrivateKeyJwt],
          expected: () => [{ total: 2, waitUntil: 0 }],
        }),
    },
    {
      needs: JUDGEMENT_CASES,
      make: () =>
        tripTarget({
          id: 'tokenJudgementRoundTrips',
          description:
            "token judgement: /oauth/introspect is 2 D1 round trips (the caller's credentials, the token's liveness), " +
            'TokenVerifier.verify through the binding 1 (its liveness)',
          limit: '2 / 1',
          runs: JUDGEMENT_CASES.map((id) => byId[id]),
          expected: (run) => (run.id === 'introspect' ? [{ total: 2, waitUntil: 0 }] : once),
        }),
    },
    {
      needs: ALL_WRITES,
      make: () =>
        tripTarget({
          id: 'writesOneRoundTrip',
          description: 'every write is 1 D1 round trip (a batch counts as 1), waitUntil work included',
          limit: '1 each',
          runs: writes,
          expected: () => once,
          extra: [[`all ${ALL_WRITES.length} measured${missingWrites.length ? ` (missing ${missingWrites.join(', ')})` : ''}`, missingWrites.length === 0]],
        }),
    },
    {
      needs: ['readClient'],
      make: () => floorTarget(byId, windows, { id: 'readClientVsOneQuery', caseId: 'readClient', description: 'readClient throughput over the one-query floor', lo: 0.85, hi: 1 }),
    },
    {
      needs: ['token'],
      make: () => floorTarget(byId, windows, { id: 'tokenVsOneQuery', caseId: 'token', description: '/oauth/token throughput over the one-query floor', lo: 0.8, hi: 1 }),
    },
    {
      needs: ['tokenClosure'],
      make: () =>
        floorTarget(byId, windows, {
          id: 'tokenClosureVsOneQuery',
          caseId: 'tokenClosure',
          description: '/oauth/token for a 100-scope closure over the one-query floor',
          lo: 0.7,
          hi: 1,
        }),
    },
    {
      needs: ['tokenPrivateKeyJwt'],
      make: () =>
        infoFloorTarget(byId, windows, {
          id: 'tokenPrivateKeyJwtVsOneQuery',
          caseId: 'tokenPrivateKeyJwt',
          description: '/oauth/token with private_key_jwt (2 round trips, an ES256 verification) over the one-query floor (no band)',
        }),
    },
    {
      needs: ['introspect'],
      make: () =>
        infoFloorTarget(byId, windows, { id: 'introspectVsOneQuery', caseId: 'introspect', description: '/oauth/introspect throughput over the one-query floor (no band)' }),
    },
    {
      needs: ['verifyBinding'],
      make: () =>
        infoFloorTarget(byId, windows, {
          id: 'verifyBindingVsOneQuery',
          caseId: 'verifyBinding',
          description: 'TokenVerifier.verify through the binding over the one-query floor (no band)',
        }),
    },
    pair({ id: 'verificationCostHit', description: 'bearer verification cost, cached token (1 − readClient / no bearer check)', ...verification('readClient'), lo: 0, hi: 0.05 }),
    pair({ id: 'verificationCostMiss', description: 'bearer verification cost, fresh tokens (1 − readClient / no bearer check)', ...verification('readClientFresh'), lo: 0, hi: 0.2 }),
    pair({
      id: 'listScaleFirstPage',
      description: `list page 1: cost at ${bigLabel} clients ÷ cost at ${SETTINGS.smallTenantClients}`,
      ...costRatio('listBigFirst', 'listSmall'),
      lo: 1 / 1.3,
      hi: 1.3,
    }),
    pair({
      id: 'listScaleDeepPage',
      description: `list page ${deepLabel} of ${bigLabel}: cost ÷ cost at ${SETTINGS.smallTenantClients}`,
      ...costRatio('listBigDeep', 'listSmall'),
      lo: 1 / 1.3,
      hi: 1.3,
    }),
    ...['name', 'metadata'].map((filter) =>
      pair({
        id: `filteredScale_${filter}`,
        description: `${filter}-filtered page 1 (rare match): cost at ${bigLabel} ÷ cost at ${SETTINGS.smallTenantClients}`,
        ...costRatio(`filtered${filter}Big`, `filtered${filter}Small`),
        lo: 1 / 1.3,
        hi: 2,
      }),
    ),
    pair({
      id: 'filteredDepth',
      description: `metadata-filtered page ${deepLabel} of ${bigLabel}: cost ÷ cost of page 1`,
      ...costRatio('filteredmetadataDeep', 'filteredmetadataBig'),
      lo: 1 / 1.3,
      hi: 1.3,
    }),
  ];
  return targets.filter(({ needs }) => !only || (needs.length > 0 && needs.every((id) => byId[id]))).map(({ make }) => make());
}

// ---------------------------------------------------------------------------
// Tables.

function markdownTable(header, rows, alignLeft = [0]) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((cell, i) => (alignLeft.includes(i) ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (alignLeft.includes(i) ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

function casesTable(runs) {
  const f0 = fixed(0);
  const f2 = fixed(2);
  const header = ['case', 'req/s', 'p50 ms', 'p99 ms', '× empty', '× 1 query', 'every window', 'D1 trips', 'other CPU', 'failed'];
  const rows = runs.map((c) => {
    const label = c.kind === 'baseline' ? `${c.label} (window ${c.window})` : c.label;
    if (!c.measured) return [label, '-', '-', '-', '-', '-', '-', describeTrips(c), '-', '-'];
    return [
      label,
      f0(c.requestsPerSecond),
      f2(c.latencyMs.p50),
      f2(c.latencyMs.p99),
      f2(c.vsEmpty),
      f2(c.vsOneQuery),
      `${f2(c.vsOneQueryEveryWindow[0])}–${f2(c.vsOneQueryEveryWindow[1])}`,
      describeTrips(c),
      c.otherCpu === null ? '-' : `${Math.round(c.otherCpu * 100)}%`,
      String(failedRequests(c)),
    ];
  });
  return markdownTable(header, rows);
}

function targetsTable(targets) {
  const rows = targets.map((t) =>
    t.shown
      ? [t.description, t.shown.band, t.shown.nearest, t.shown.everyWindow, t.verdict]
      : [t.description, t.limit, t.value, '', t.verdict],
  );
  return markdownTable(['target', 'band', 'measured (nearest window)', 'every window', 'verdict'], rows, [0, 1, 2, 3]);
}

// ---------------------------------------------------------------------------
// Results.

/** The commit measured, and whether the working tree differs from it (anything not ignored). */
export function gitState() {
  const git = (...args) => spawnSync('git', ['--no-optional-locks', ...args], { cwd: ROOT, encoding: 'utf8' });
  const head = git('rev-parse', 'HEAD');
  if (head.status !== 0) return { commit: null, clean: false, changes: ['not a git checkout'] };
  const status = git('status', '--porcelain', '--untracked-files=all');
  const changes = status.stdout.split('\n').filter(Boolean);
  return { commit: head.stdout.trim(), clean: status.status === 0 && changes.length === 0, changes: changes.slice(0, 20) };
}

function packageVersion(name) {
  try {
    return JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

export function buildResults({ started, code, busyBeforeStart, runs, only = null, coldStart = null }) {
  const windows = windowsOf(runs);
  addRatios(runs, windows);
  const byId = Object.fromEntries(runs.filter((r) => r.kind !== 'baseline').map((r) => [r.id, r]));
  const targets = targetChecks(byId, runs, windows, only);
  const floors = windows.map((w) => w.oneQuery.requestsPerSecond);
  const otherCpu = runs.map((r) => r.otherCpu).filter((v) => v !== null && v !== undefined);
  return {
    schemaVersion: 3, // 3: `only`, and informational targets (band null, verdict INFO)
    date: new Date().toISOString(),
    machine: {
      node: process.version,
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model?.trim() ?? null,
      memoryGiB: round(os.totalmem() / 2 ** 30, 1),
      cpuBusyBeforeStart: round(busyBeforeStart, 3),
      otherCpuMax: otherCpu.length ? round(Math.max(...otherCpu), 3) : null,
    },
    code,
    versions: { wrangler: packageVersion('wrangler'), autocannon: packageVersion('autocannon') },
    settings: SETTINGS,
    /** The case ids of a partial run (--only), or null: every case ran. */
    only,
    allRequestsSucceeded: runs.every((c) => failedRequests(c) === 0),
    windows: windows.map((w) => ({
      index: w.index,
      emptyRequestsPerSecond: w.empty.requestsPerSecond,
      oneQueryRequestsPerSecond: w.oneQuery.requestsPerSecond,
    })),
    oneQueryRange: [Math.min(...floors), Math.max(...floors)],
    runs,
    targets,
    /** bench/cold-start.mjs: fresh isolates of the dry-run bundle, or null (--only). */
    coldStart,
    wallClockSeconds: round((Date.now() - started) / 1000, 1),
  };
}

function summary(results) {
  const { machine, settings, windows, oneQueryRange, code } = results;
  const [low, high] = oneQueryRange;
  const versions = `Node ${machine.node.replace(/^v/, '')}, wrangler ${results.versions.wrangler}, autocannon ${results.versions.autocannon}`;
  const commit = code.commit ? `commit ${code.commit.slice(0, 7)}${code.clean ? '' : ' with uncommitted changes'}` : 'no commit';
  return [
    `Measured ${results.date.slice(0, 10)} at ${commit}: ${machine.cpus} vCPUs (${machine.cpuModel}), ${versions}; ` +
      `${settings.connections} connections, ${settings.seconds} s per case after ${settings.warmupSeconds} s of warm-up` +
      `${results.only ? `; only the cases ${results.only.join(', ')} (--only)` : ''}.`,
    `The one-query baseline ran at ${Math.round(low)}–${Math.round(high)} req/s over its ${windows.length} windows ` +
      `(the fastest ${(((high - low) / low) * 100).toFixed(1)}% above the slowest); ` +
      (machine.otherCpuMax === null
        ? 'other processes were not measured.'
        : `other processes used at most ${Math.round(machine.otherCpuMax * 100)}% of the CPUs during a case.`),
  ].join('\n');
}

/** A tail over this many times its median is a finding to explain (README, Performance). */
export const TAIL_FACTOR = 3;

function tails(results) {
  const long = results.runs.filter((r) => r.measured && r.latencyMs?.p50 > 0 && r.latencyMs.p99 > TAIL_FACTOR * r.latencyMs.p50);
  if (!long.length) return [`No case has a p99 over ${TAIL_FACTOR}× its p50.`];
  return [
    `p99 over ${TAIL_FACTOR}× p50 (${long.length} of ${results.runs.filter((r) => r.measured).length} measured): ` +
      long.map((r) => `${r.label} ${(r.latencyMs.p99 / r.latencyMs.p50).toFixed(1)}×`).join('; ') + '.',
  ];
}

function facts(results) {
  return [...results.runs.filter((r) => r.facts?.note).map((r) => `${r.label}: ${r.facts.note}.`), ...tails(results)];
}

/** The README's generated block, between the markers. */
export function readmeBlock(results) {
  return [
    README_START,
    summary(results),
    '',
    casesTable(results.runs),
    '',
    ...facts(results).map((line) => `${line}  `),
    '',
    targetsTable(results.targets),
    ...(results.coldStart ? ['', coldStartTable(results.coldStart)] : []),
    README_END,
  ].join('\n');
}

export function writeReadme(results) {
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf(README_START);
  const end = text.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`${relativePath(README)}: no ${README_START} … ${README_END} block to replace`);
  writeFileSync(README, text.slice(0, start) + readmeBlock(results) + text.slice(end + README_END.length));
}

export function writeResults(results, path) {
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
}

/** The tables and verdicts; on stderr, the cases with failed requests. */
export function printResults(results) {
  console.log(`\n${summary(results)}\n`);
  console.log(casesTable(results.runs));
  console.log('');
  for (const line of facts(results)) console.log(line);
  console.log(`\n${targetsTable(results.targets)}\n`);
  if (results.coldStart) console.log(`${coldStartTable(results.coldStart)}\n`);
  for (const c of results.runs.filter((c) => failedRequests(c) > 0)) {
    console.error(`[bench] ${c.label}: ${c.non2xx} non-2xx, ${c.errors} errors, ${c.timeouts} timeouts; status codes ${JSON.stringify(c.statusCodes)}`);
  }
}
