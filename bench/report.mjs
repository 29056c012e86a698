// Reporting: ratios to the baselines, target checks, the table, bench/results.json.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { RESULTS, ROOT, SETTINGS, bigLabel, deepPageNumber, relativePath } from './config.mjs';
import { round } from './measure.mjs';

const failedRequests = (c) => c.non2xx + c.errors + c.timeouts;

function targetChecks(byId, cases) {
  const reads = cases.filter((c) => c.kind === 'read');
  const writes = cases.filter((c) => c.kind === 'write');
  const oneRoundTrip = (list) => list.every((c) => c.d1RoundTrips === 1);
  const describeRoundTrips = (list) => list.map((c) => `${c.id}=${c.d1RoundTrips}`).join(' ');
  const oneQueryRps = byId.oneQuery.requestsPerSecond;
  const ratio = (a, b) => (a && b ? a / b : null);
  const bearerCost = 1 - ratio(byId.readClient.requestsPerSecond, byId.readClientNoAuth.requestsPerSecond);
  const listFirst = ratio(byId.listBigFirst.latencyMs.p50, byId.list100.latencyMs.p50);
  const listDeep = ratio(byId.listBigDeep.latencyMs.p50, byId.list100.latencyMs.p50);
  const derived = {
    // How much slower the one-query baseline ran at the end than at the start (negative: faster).
    baselineDrift: round(1 - ratio(byId.oneQueryEnd.requestsPerSecond, oneQueryRps), 3),
    bearerVerificationCost: round(bearerCost, 3),
    listScaleRatioFirstPage: round(listFirst, 3),
    listScaleRatioDeepPage: round(listDeep, 3),
  };
  const targets = [
    {
      id: 'readsOneRoundTrip',
      description: 'every read is 1 D1 round trip',
      value: describeRoundTrips(reads),
      limit: '1 each',
      pass: oneRoundTrip(reads),
    },
    {
      id: 'writesOneRoundTrip',
      description: 'every write is 1 D1 round trip (a batch counts as 1)',
      value: describeRoundTrips(writes),
      limit: '1 each',
      pass: oneRoundTrip(writes),
    },
    {
      id: 'readClientVsOneQuery',
      description: 'readClient throughput ≥ 0.8 × one-query baseline',
      value: round(ratio(byId.readClient.requestsPerSecond, oneQueryRps), 3),
      limit: '≥ 0.8',
      pass: ratio(byId.readClient.requestsPerSecond, oneQueryRps) >= 0.8,
    },
    {
      id: 'tokenVsOneQuery',
      description: '/oauth/token throughput ≥ 0.7 × one-query baseline',
      value: round(ratio(byId.token.requestsPerSecond, oneQueryRps), 3),
      limit: '≥ 0.7',
      pass: ratio(byId.token.requestsPerSecond, oneQueryRps) >= 0.7,
    },
    {
      id: 'bearerVerificationCost',
      description: 'bearer verification costs ≤ 10% of readClient throughput',
      value: derived.bearerVerificationCost,
      limit: '≤ 0.10',
      pass: bearerCost <= 0.1,
    },
    {
      id: 'listScaleFirstPage',
      description: `list p50 at ${bigLabel} (page 1) ≤ 1.3 × p50 at ${SETTINGS.defaultTenantClients}`,
      value: derived.listScaleRatioFirstPage,
      limit: '≤ 1.3',
      pass: listFirst !== null && listFirst <= 1.3,
    },
    {
      id: 'listScaleDeepPage',
      description: `list p50 at ${bigLabel} (page ${deepPageNumber}) ≤ 1.3 × p50 at ${SETTINGS.defaultTenantClients}`,
      value: derived.listScaleRatioDeepPage,
      limit: '≤ 1.3',
      pass: listDeep !== null && listDeep <= 1.3,
    },
  ];
  return { derived, targets };
}

function formatTable(cases) {
  const fmt = (value, digits) => (value === null ? '-' : value.toFixed(digits));
  const header = ['case', 'req/s', 'p50 ms', 'p99 ms', '× empty', '× 1 query', 'D1 trips', 'failed'];
  const rows = cases.map((c) => [
    c.label,
    fmt(c.requestsPerSecond, 0),
    fmt(c.latencyMs.p50, 2),
    fmt(c.latencyMs.p99, 2),
    fmt(c.vsEmpty, 2),
    fmt(c.vsOneQuery, 2),
    String(c.d1RoundTrips),
    String(failedRequests(c)),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** The commit measured, and whether the Worker's code differed from it (uncommitted changes). */
export function gitState() {
  const git = (...args) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  const head = git('rev-parse', 'HEAD');
  if (head.status !== 0) return { commit: null, uncommittedChanges: null };
  const status = git('status', '--porcelain', '--', 'src', 'migrations', 'bench/worker.ts', 'bench/wrangler.toml', 'package-lock.json');
  return { commit: head.stdout.trim(), uncommittedChanges: status.stdout.trim() !== '' };
}

function packageVersion(name) {
  try {
    return JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

/** Everything results.json holds: the cases with their ratios to both baselines, the checks, the machine. */
export function buildResults({ started, code, busyBeforeStart, cases }) {
  const byId = Object.fromEntries(cases.map((c) => [c.id, c]));
  for (const c of cases) {
    c.vsEmpty = round(c.requestsPerSecond / byId.empty.requestsPerSecond, 3);
    c.vsOneQuery = round(c.requestsPerSecond / byId.oneQuery.requestsPerSecond, 3);
  }
  const { derived, targets } = targetChecks(byId, cases);
  return {
    schemaVersion: 1,
    date: new Date().toISOString(),
    machine: {
      node: process.version,
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model?.trim() ?? null,
      memoryGiB: round(os.totalmem() / 2 ** 30, 1),
      cpuBusyBeforeStart: round(busyBeforeStart, 3),
    },
    code,
    versions: { wrangler: packageVersion('wrangler'), autocannon: packageVersion('autocannon') },
    settings: SETTINGS,
    allRequestsSucceeded: cases.every((c) => failedRequests(c) === 0),
    cases,
    derived,
    targets,
    wallClockSeconds: round((Date.now() - started) / 1000, 1),
  };
}

export function writeResults(results) {
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
}

/** The table, the derived ratios, PASS/MISS per target; on stderr, the cases with failed requests. */
export function printResults({ cases, derived, targets, wallClockSeconds }) {
  console.log(
    `\n${SETTINGS.connections} connections, ${SETTINGS.seconds} s per case after ${SETTINGS.warmupSeconds} s of warm-up; ` +
      `Node ${process.version}, ${os.cpus().length} CPUs; wrangler dev (local D1).\n`,
  );
  console.log(formatTable(cases));
  console.log(
    `\nbaseline drift: the one-query baseline ran ${(Math.abs(derived.baselineDrift) * 100).toFixed(1)}% ${derived.baselineDrift >= 0 ? 'slower' : 'faster'} at the end than at the start` +
      `\nbearer verification cost: ${(derived.bearerVerificationCost * 100).toFixed(1)}% of readClient throughput` +
      `\nlist scale ratio (p50 at ${bigLabel} / p50 at ${SETTINGS.defaultTenantClients}): page 1 ${derived.listScaleRatioFirstPage}, page ${deepPageNumber} ${derived.listScaleRatioDeepPage}\n`,
  );
  for (const t of targets) console.log(`${t.pass ? 'PASS' : 'MISS'}  ${t.description}: ${t.value} (target ${t.limit})`);
  console.log(`\nwrote ${relativePath(RESULTS)} in ${wallClockSeconds} s`);
  for (const c of cases.filter((c) => failedRequests(c) > 0)) {
    console.error(`[bench] ${c.label}: ${c.non2xx} non-2xx, ${c.errors} errors, ${c.timeouts} timeouts; status codes ${JSON.stringify(c.statusCodes)}`);
  }
}
