// Measuring: the baseline windows interleaved with the groups of cases, each case's probe,
// warm-up and measured autocannon run, percentiles; and how busy the machine was.
import autocannon from 'autocannon';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { call } from './api.mjs';
import { WAIT_UNTIL_TASKS_HEADER, BASE, PROBE_HEADER, ROUND_TRIPS_HEADER, SETTINGS } from './config.mjs';
import { cpuSnapshot, otherCpuShare } from './cpu.mjs';
import { serverProcessGroup } from './server.mjs';

export const round = (value, digits) => (value === null || value === undefined || !Number.isFinite(value) ? null : Number(value.toFixed(digits)));

/** The baselines: a request that touches nothing, and one that runs one `select 1` on D1. */
const baselines = (window) => [
  { id: `empty@${window}`, baseline: 'empty', window, label: 'baseline: empty', kind: 'baseline', request: { method: 'GET', path: '/__bench/empty' } },
  { id: `oneQuery@${window}`, baseline: 'oneQuery', window, label: 'baseline: one D1 query', kind: 'baseline', request: { method: 'GET', path: '/__bench/d1' } },
];

const merge = (request, changes) => ({ ...request, ...changes, headers: { ...request.headers, ...changes?.headers } });

/**
 * The case's probe requests, once each, outside the load: status, body check, the D1 round
 * trips including those of background (waitUntil) work, which the bench Worker waits for when
 * it sees the probe header, and how many waitUntil tasks there were.
 */
async function probe(testCase) {
  const requests = testCase.probes ?? [merge(testCase.request, testCase.vary?.())];
  const counts = [];
  for (const request of requests) {
    const res = await call(request.method, request.path, { headers: { ...request.headers, [PROBE_HEADER]: '1' }, body: request.body });
    if (res.status < 200 || res.status > 299) throw new Error(`${testCase.label}: probe got ${res.status} ${res.text.slice(0, 500)}`);
    const problem = testCase.check?.(res.body);
    if (problem) throw new Error(`${testCase.label}: ${problem}`);
    const total = res.headers.get(ROUND_TRIPS_HEADER);
    const waitUntil = res.headers.get(WAIT_UNTIL_TASKS_HEADER);
    if (total === null || waitUntil === null) throw new Error(`${testCase.label}: no ${ROUND_TRIPS_HEADER} or ${WAIT_UNTIL_TASKS_HEADER} header`);
    counts.push({ total: Number(total), waitUntil: Number(waitUntil) });
  }
  return counts;
}

function percentile(sorted, q) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function runAutocannon({ request, vary }, seconds, latencies) {
  const options = {
    url: `${BASE}${request.path}`,
    connections: SETTINGS.connections,
    pipelining: SETTINGS.pipelining,
    duration: seconds,
    timeout: 10,
    method: request.method,
    headers: request.headers ?? {},
    body: request.body,
  };
  if (vary) {
    options.requests = [{ setupRequest: (raw) => merge(raw, vary()) }];
  }
  const instance = autocannon(options);
  // autocannon's own histogram has whole-millisecond buckets; keep every response time exactly.
  if (latencies) instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
  });
  return instance;
}

const failedRequests = (result) => result.non2xx + result.errors + result.timeouts;

async function measure(testCase) {
  await testCase.prepare?.(); // what the probe and the run need made first (signed assertions)
  const roundTrips = await probe(testCase);
  const base = {
    id: testCase.id,
    label: testCase.label,
    kind: testCase.kind,
    ...(testCase.baseline ? { baseline: testCase.baseline, window: testCase.window } : { group: testCase.group }),
    method: testCase.request.method,
    path: testCase.shownPath ?? testCase.request.path,
    headers: Object.keys(testCase.request.headers ?? {}).sort(),
    roundTrips,
  };
  if (testCase.measure === false) return { ...base, measured: false };

  await testCase.before?.();
  let warmupRequests = 0;
  if (SETTINGS.warmupSeconds > 0) {
    const warmup = await runAutocannon(testCase.warmup ?? testCase, SETTINGS.warmupSeconds, null);
    warmupRequests = warmup.requests.total;
    if (failedRequests(warmup) > 0) throw new Error(`${testCase.label}: ${failedRequests(warmup)} failed requests in the warm-up`);
  }
  const latencies = [];
  const cpuBefore = cpuSnapshot(serverProcessGroup());
  const startedAt = Date.now();
  const result = await runAutocannon(testCase, SETTINGS.seconds, latencies);
  const endedAt = Date.now();
  const otherCpu = otherCpuShare(cpuBefore, cpuSnapshot(serverProcessGroup()));
  latencies.sort((a, b) => a - b);
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]));
  const requests = result.requests.total;
  const mean = latencies.reduce((sum, value) => sum + value, 0) / (latencies.length || 1);
  const run = {
    ...base,
    measured: true,
    startedAt,
    endedAt,
    requests,
    durationSeconds: result.duration,
    requestsPerSecond: round(requests / result.duration, 1),
    latencyMs: {
      p50: round(percentile(latencies, 0.5), 2),
      p90: round(percentile(latencies, 0.9), 2),
      p99: round(percentile(latencies, 0.99), 2),
      mean: round(mean, 2),
      max: round(latencies.at(-1) ?? null, 2),
    },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    otherCpu: round(otherCpu, 3),
  };
  const facts = await testCase.after?.(run, warmupRequests);
  return facts ? { ...run, facts } : run;
}

function progress(run) {
  const trips = run.roundTrips.map((t) => `${t.total}${t.waitUntil ? ` (${t.waitUntil} waitUntil task)` : ''}`).join(', ');
  const speed = run.measured ? `${String(Math.round(run.requestsPerSecond)).padStart(6)} req/s  p50 ${run.latencyMs.p50} ms` : '  probe only';
  const other = run.otherCpu > 0.1 ? `  (other processes: ${Math.round(run.otherCpu * 100)}% CPU)` : '';
  return `${speed}  D1 ${trips}${other}${run.facts?.note ? `  — ${run.facts.note}` : ''}`;
}

/** Baselines, then each group followed by the baselines again: windows 0..groups.length. */
export async function measureSchedule(groups) {
  const runs = [];
  const runOne = async (testCase) => {
    const label = testCase.baseline ? `${testCase.label} [window ${testCase.window}]` : testCase.label;
    process.stdout.write(`[bench] ${label.padEnd(52)} `);
    const run = await measure(testCase);
    runs.push(run);
    console.log(progress(run));
  };
  for (let i = 0; i <= groups.length; i++) {
    for (const baseline of baselines(i)) await runOne(baseline);
    for (const testCase of groups[i] ?? []) await runOne({ ...testCase, group: i });
  }
  return runs;
}

/** How busy all CPUs were over `ms` (0-1), before we start anything: other work skews the numbers. */
export async function cpuBusyFraction(ms) {
  const totals = () =>
    os.cpus().reduce(
      (acc, { times }) => {
        acc.idle += times.idle;
        acc.all += times.user + times.nice + times.sys + times.idle + times.irq;
        return acc;
      },
      { idle: 0, all: 0 },
    );
  const before = totals();
  await sleep(ms);
  const after = totals();
  const all = after.all - before.all;
  return all > 0 ? 1 - (after.idle - before.idle) / all : 0;
}
