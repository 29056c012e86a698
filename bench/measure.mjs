// Measuring: the one-off probe of each case, its autocannon runs, percentiles; and how
// busy the machine was before we started.
import autocannon from 'autocannon';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { call } from './api.mjs';
import { BASE, ROUND_TRIPS_HEADER, SETTINGS } from './config.mjs';

/** The case's exact request once, outside the load: status, body check, D1 round trips. */
async function probe(testCase) {
  const res = await call(testCase.method, testCase.path, { headers: testCase.headers, body: testCase.body });
  if (res.status < 200 || res.status > 299) throw new Error(`${testCase.label}: probe got ${res.status} ${res.text.slice(0, 500)}`);
  const problem = testCase.check?.(res.body);
  if (problem) throw new Error(`${testCase.label}: ${problem}`);
  const roundTrips = res.headers.get(ROUND_TRIPS_HEADER);
  if (roundTrips === null) throw new Error(`${testCase.label}: no ${ROUND_TRIPS_HEADER} header`);
  return Number(roundTrips);
}

function percentile(sorted, q) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export const round = (value, digits) => (value === null || !Number.isFinite(value) ? null : Number(value.toFixed(digits)));

function runAutocannon(testCase, seconds, latencies) {
  const options = {
    url: BASE,
    connections: SETTINGS.connections,
    pipelining: SETTINGS.pipelining,
    duration: seconds,
    timeout: 10,
    method: testCase.method,
    headers: testCase.headers ?? {},
    body: testCase.body,
  };
  if (testCase.rotatePaths) {
    let next = 0;
    options.requests = [
      {
        setupRequest: (request) => ({ ...request, path: testCase.rotatePaths[next++ % testCase.rotatePaths.length] }),
      },
    ];
  } else {
    options.url = `${BASE}${testCase.path}`;
  }
  const instance = autocannon(options);
  // autocannon's own histogram has whole-millisecond buckets; keep every response time exactly.
  if (latencies) instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
  });
  return instance;
}

async function measure(testCase) {
  const roundTrips = await probe(testCase);
  if (SETTINGS.warmupSeconds > 0) await runAutocannon(testCase, SETTINGS.warmupSeconds, null);
  const latencies = [];
  const result = await runAutocannon(testCase, SETTINGS.seconds, latencies);
  latencies.sort((a, b) => a - b);
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]));
  const requests = result.requests.total;
  const mean = latencies.reduce((sum, value) => sum + value, 0) / (latencies.length || 1);
  return {
    id: testCase.id,
    label: testCase.label,
    kind: testCase.kind,
    method: testCase.method,
    path: testCase.shownPath ?? testCase.path,
    headers: Object.keys(testCase.headers ?? {}).sort(),
    d1RoundTrips: roundTrips,
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
    vsEmpty: null,
    vsOneQuery: null,
  };
}

/** Every case in turn, one progress line each. */
export async function measureAll(testCases) {
  const cases = [];
  for (const testCase of testCases) {
    process.stdout.write(`[bench] ${testCase.label.padEnd(40)} `);
    const measured = await measure(testCase);
    cases.push(measured);
    console.log(`${String(Math.round(measured.requestsPerSecond)).padStart(6)} req/s  p50 ${measured.latencyMs.p50} ms`);
  }
  return cases;
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
