#!/usr/bin/env node
// Mutation testing for the code where a bug hurts most (see scripts/mutants.mjs).
//
// Why not StrykerJS: see the README ("Mutation testing"). In short, Stryker 10 needs
// Node >= 22, and with 9.6.1 the workerd pool silently reports module-level (static)
// mutants as survivors; its generic operators also cannot express the bugs listed here
// (a condition dropped inside a drizzle `sql` template, a setting ignored, ...).
//
// What this does: copies the repository's files (tracked, and untracked but not
// ignored) into a temporary directory with node_modules symlinked, runs the listed
// tests there once unmutated, then for each mutant: applies it, runs its test files
// with --bail=1, records killed / survived / timeout, and restores the file. The
// working tree is never touched; the temporary directory is removed at the end,
// Ctrl-C included.
//
//   npm run mutate                       every mutant
//   npm run mutate -- --only M09,N12     some of them
//   npm run mutate -- --list             list them (and check none is stale), run nothing
//   npm run mutate -- --json             the report as JSON on stdout (progress on stderr)
//   npm run mutate -- --report out.json  where to write the JSON report
//   npm run mutate -- --timeout 600      seconds one mutant's test run may take (a hang counts as killed)
//   npm run mutate -- --keep             keep the temporary directory
//
// Exit code: 0 when the score is at least 90% and no mutant is stale; 1 otherwise;
// 2 when the run could not start (bad arguments, unmutated tests failing).

import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mutants as allMutants } from './mutants.mjs';

const TARGET_SCORE = 90;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// ---------------------------------------------------------------- arguments

function parseArgs(argv) {
  const options = { only: null, list: false, json: false, keep: false, report: null, timeoutSeconds: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) usage(`${name} needs a value`);
      return v;
    };
    switch (name) {
      case '--only':
        options.only = value().split(',').map((s) => s.trim()).filter(Boolean);
        break;
      case '--list':
        options.list = true;
        break;
      case '--json':
        options.json = true;
        break;
      case '--keep':
        options.keep = true;
        break;
      case '--report':
        options.report = path.resolve(value());
        break;
      case '--timeout':
        options.timeoutSeconds = Number(value());
        if (!(options.timeoutSeconds > 0)) usage('--timeout needs a number of seconds');
        break;
      case '--help':
      case '-h':
        usage();
        break;
      default:
        usage(`unknown argument ${arg}`);
    }
  }
  return options;
}

function usage(problem) {
  const text = 'usage: npm run mutate -- [--only M09,N01] [--list] [--json] [--report file.json] [--timeout seconds] [--keep]';
  if (problem) {
    console.error(`mutate: ${problem}\n${text}`);
    process.exit(2);
  }
  console.log(text);
  process.exit(0);
}

const options = parseArgs(process.argv.slice(2));
// With --json, stdout carries the JSON only.
const log = (...args) => (options.json ? console.error : console.log)(...args);

// ---------------------------------------------------------------- the list

function checkList(list) {
  const problems = [];
  const seen = new Set();
  for (const m of list) {
    for (const key of ['id', 'module', 'description', 'find']) {
      if (typeof m[key] !== 'string' || !m[key]) problems.push(`${m.id ?? '?'}: missing ${key}`);
    }
    if (typeof m.replace !== 'string') problems.push(`${m.id}: missing replace`);
    if (m.find === m.replace) problems.push(`${m.id}: replace equals find`);
    if (!Array.isArray(m.tests) || m.tests.length === 0) problems.push(`${m.id}: no test files`);
    if (seen.has(m.id)) problems.push(`${m.id}: duplicate id`);
    seen.add(m.id);
  }
  return problems;
}

const listProblems = checkList(allMutants);
if (listProblems.length) {
  console.error(`mutate: scripts/mutants.mjs is malformed:\n  ${listProblems.join('\n  ')}`);
  process.exit(2);
}

let selected = allMutants;
if (options.only) {
  const known = new Set(allMutants.map((m) => m.id));
  const unknown = options.only.filter((id) => !known.has(id));
  if (unknown.length) usage(`unknown mutant id(s): ${unknown.join(', ')}`);
  const wanted = new Set(options.only);
  selected = allMutants.filter((m) => wanted.has(m.id));
}

const occurrences = (text, snippet) => {
  let count = 0;
  for (let at = text.indexOf(snippet); at !== -1; at = text.indexOf(snippet, at + 1)) count++;
  return count;
};

/** A mutant is stale when its snippet is not found exactly once, or a file it names is gone. */
async function staleness(dir, m) {
  const file = path.join(dir, m.module);
  if (!existsSync(file)) return `${m.module} does not exist`;
  const missingTests = m.tests.filter((t) => !existsSync(path.join(dir, t)));
  if (missingTests.length) return `test file(s) not found: ${missingTests.join(', ')}`;
  const n = occurrences(await fs.readFile(file, 'utf8'), m.find);
  if (n !== 1) return `its find snippet occurs ${n} times in ${m.module} (must be exactly once): refresh scripts/mutants.mjs`;
  return null;
}

// ---------------------------------------------------------------- the sandbox

let sandbox = null;
let child = null;
let interrupted = false;

async function makeSandbox() {
  const listed = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  const files = listed.stdout.split('\0').filter(Boolean);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'edge-oauth-mutate-'));
  sandbox = dir;
  for (const file of files) {
    const from = path.join(ROOT, file);
    if (!existsSync(from)) continue; // tracked but deleted in the working tree
    await fs.mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await fs.copyFile(from, path.join(dir, file));
  }
  if (!existsSync(path.join(ROOT, 'node_modules'))) throw new Error('node_modules is missing: run npm ci first');
  await fs.symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

async function cleanUp() {
  if (child) killTree(child);
  if (sandbox && !options.keep) {
    // Removes the node_modules symlink, never what it points to.
    await fs.rm(sandbox, { recursive: true, force: true });
  } else if (sandbox) {
    log(`kept ${sandbox}`);
  }
  sandbox = null;
}

function killTree(proc) {
  try {
    process.kill(-proc.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    log(`\nmutate: ${signal}, cleaning up`);
    cleanUp().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------- running vitest

/**
 * Runs vitest on some test files in the sandbox. Resolves to
 * { outcome: 'passed' | 'failed' | 'timeout', seconds, failures: [test names], output }.
 */
function runVitest(dir, testFiles, { bail, timeoutMs }) {
  const resultFile = path.join(dir, '.mutate-vitest.json');
  const args = [
    path.join(dir, 'node_modules', 'vitest', 'vitest.mjs'),
    'run',
    ...testFiles,
    '--reporter=dot',
    '--reporter=json',
    `--outputFile.json=${resultFile}`,
    '--no-cache',
    ...(bail ? ['--bail=1'] : []),
  ];
  const started = Date.now();
  return new Promise((resolve) => {
    let output = '';
    let timedOut = false;
    const proc = spawn(process.execPath, args, {
      cwd: dir,
      env: { ...process.env, PWD: dir, WRANGLER_SEND_METRICS: 'false', FORCE_COLOR: '0', NO_COLOR: '1', CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so workerd goes with it on a timeout
    });
    child = proc;
    const keep = (chunk) => {
      output += chunk;
      if (output.length > 200_000) output = output.slice(-100_000);
    };
    proc.stdout.on('data', keep);
    proc.stderr.on('data', keep);
    const timer = setTimeout(() => {
      timedOut = true;
      killTree(proc);
    }, timeoutMs);
    proc.on('close', async (code) => {
      clearTimeout(timer);
      if (interrupted) return; // the signal handler cleans up and exits
      child = null;
      killTree(proc); // any workerd left behind
      const seconds = (Date.now() - started) / 1000;
      let failures = [];
      try {
        const report = JSON.parse(await fs.readFile(resultFile, 'utf8'));
        for (const file of report.testResults ?? []) {
          const rel = path.relative(dir, file.name);
          const failed = (file.assertionResults ?? []).filter((a) => a.status === 'failed');
          for (const a of failed) failures.push(`${rel} > ${a.fullName ?? a.title}`);
          if (!failed.length && file.status === 'failed') failures.push(`${rel}: ${(file.message ?? 'failed').split('\n')[0]}`);
        }
      } catch {
        // no JSON report: vitest crashed before writing it
      }
      await fs.rm(resultFile, { force: true });
      if (timedOut) return resolve({ outcome: 'timeout', seconds, failures, output });
      if (code === 0) return resolve({ outcome: 'passed', seconds, failures, output });
      if (!failures.length) failures.push(`vitest exited with code ${code}: ${lastLines(output, 1)}`);
      resolve({ outcome: 'failed', seconds, failures, output });
    });
  });
}

const lastLines = (text, n) =>
  text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter(Boolean)
    .slice(-n)
    .join('\n');

// ---------------------------------------------------------------- reporting

const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
const pct = (killed, total) => (total ? (100 * killed) / total : 100);

function summarise(results) {
  const modules = new Map();
  for (const r of results) {
    const row = modules.get(r.module) ?? { module: r.module, total: 0, killed: 0, survived: 0, timeout: 0, stale: 0 };
    row.total++;
    if (r.status === 'killed') row.killed++;
    if (r.status === 'timeout') row.timeout++;
    if (r.status === 'survived') row.survived++;
    if (r.status === 'stale') row.stale++;
    modules.set(r.module, row);
  }
  const rows = [...modules.values()].sort((a, b) => a.module.localeCompare(b.module));
  const total = results.length;
  const killed = results.filter((r) => r.status === 'killed' || r.status === 'timeout').length;
  return { rows, total, killed, score: pct(killed, total) };
}

function printTable(summary) {
  const w = Math.max(...summary.rows.map((r) => r.module.length), 'module'.length);
  log(`\n${pad('module', w)}  total  killed  timeout  survived  stale  score`);
  for (const r of summary.rows) {
    log(
      `${pad(r.module, w)}  ${lpad(r.total, 5)}  ${lpad(r.killed, 6)}  ${lpad(r.timeout, 7)}  ${lpad(r.survived, 8)}  ${lpad(r.stale, 5)}  ${lpad(
        pct(r.killed + r.timeout, r.total).toFixed(0),
        4,
      )}%`,
    );
  }
  log(`\nscore: ${summary.killed}/${summary.total} killed = ${summary.score.toFixed(1)}% (target ${TARGET_SCORE}%)`);
}

// ---------------------------------------------------------------- main

async function main() {
  const began = Date.now();
  const dir = await makeSandbox();

  const stale = new Map();
  for (const m of selected) {
    const problem = await staleness(dir, m);
    if (problem) stale.set(m.id, problem);
  }

  if (options.list) {
    for (const m of selected) {
      log(`${pad(m.id, 4)} ${stale.has(m.id) ? 'STALE ' : ''}${m.module}: ${m.description}\n       tests: ${m.tests.join(' ')}`);
      if (stale.has(m.id)) log(`       STALE: ${stale.get(m.id)}`);
    }
    log(`\n${selected.length} mutants, ${stale.size} stale`);
    await cleanUp();
    return stale.size ? 1 : 0;
  }

  for (const [id, problem] of stale) log(`STALE ${id}: ${problem}`);

  const runnable = selected.filter((m) => !stale.has(m.id));
  const union = [...new Set(runnable.flatMap((m) => m.tests))].sort();
  const results = [];
  let baselineSeconds = 0;

  if (runnable.length) {
    log(`sandbox ${dir}\nunmutated run of the ${union.length} test files the mutants use ...`);
    const baseline = await runVitest(dir, union, { bail: false, timeoutMs: (options.timeoutSeconds ?? 1800) * 1000 });
    baselineSeconds = baseline.seconds;
    if (baseline.outcome !== 'passed') {
      log(lastLines(baseline.output, 40));
      log(
        `\nmutate: the unmutated tests ${baseline.outcome === 'timeout' ? 'timed out' : 'fail'} (${baseline.failures.slice(0, 5).join('; ')}).\n` +
          'Fix the suite first: on a red suite every mutant would look killed.',
      );
      await cleanUp();
      return 2;
    }
    log(`unmutated: green in ${baseline.seconds.toFixed(0)} s\n`);
  }

  // A mutant runs fewer files than the baseline; a hang is anything well beyond the baseline.
  const timeoutMs = (options.timeoutSeconds ?? Math.max(300, Math.ceil(baselineSeconds * 2))) * 1000;

  for (const m of selected) {
    if (stale.has(m.id)) {
      results.push({ id: m.id, module: m.module, description: m.description, tests: m.tests, status: 'stale', detail: stale.get(m.id) });
      continue;
    }
    const file = path.join(dir, m.module);
    const original = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, original.replace(m.find, () => m.replace));
    let run;
    try {
      run = await runVitest(dir, m.tests, { bail: true, timeoutMs });
    } finally {
      await fs.writeFile(file, original);
    }
    const status = run.outcome === 'passed' ? 'survived' : run.outcome === 'timeout' ? 'timeout' : 'killed';
    const detail = status === 'killed' ? run.failures[0] : status === 'timeout' ? `no result after ${timeoutMs / 1000} s` : undefined;
    results.push({ id: m.id, module: m.module, description: m.description, tests: m.tests, status, seconds: Math.round(run.seconds), detail });
    const label = { killed: 'killed  ', survived: 'SURVIVED', timeout: 'timeout ' }[status];
    log(`${pad(m.id, 4)} ${label} ${lpad(run.seconds.toFixed(0), 4)} s  ${m.module}: ${m.description}${detail ? `\n                     by ${detail}` : ''}`);
  }

  const summary = summarise(results);
  const survivors = results.filter((r) => r.status === 'survived');
  const staleResults = results.filter((r) => r.status === 'stale');
  printTable(summary);
  if (survivors.length) {
    log(`\nsurvivors (${survivors.length}): a test should fail under each of these`);
    for (const r of survivors) log(`  ${pad(r.id, 4)} ${r.module}: ${r.description}`);
  }
  if (staleResults.length) {
    log(`\nstale (${staleResults.length}): the code changed under these mutants; update scripts/mutants.mjs`);
    for (const r of staleResults) log(`  ${pad(r.id, 4)} ${r.detail}`);
  }
  const seconds = Math.round((Date.now() - began) / 1000);
  log(`\nrun time: ${Math.floor(seconds / 60)} min ${seconds % 60} s`);

  const report = {
    date: new Date().toISOString(),
    commit: spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim(),
    workingTreeDirty: spawnSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim() !== '',
    seconds,
    baselineSeconds: Math.round(baselineSeconds),
    score: Number(summary.score.toFixed(1)),
    target: TARGET_SCORE,
    total: summary.total,
    killed: summary.killed,
    survived: survivors.map((r) => r.id),
    stale: staleResults.map((r) => r.id),
    modules: summary.rows,
    mutants: results,
  };
  const reportFile = options.report ?? path.join(os.tmpdir(), 'edge-oauth-mutation-report.json');
  await fs.writeFile(reportFile, `${JSON.stringify(report, null, 2)}\n`);
  log(`report: ${reportFile}`);
  if (options.json) console.log(JSON.stringify(report, null, 2));

  await cleanUp();
  return summary.score >= TARGET_SCORE && staleResults.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  async (error) => {
    console.error(error);
    await cleanUp();
    process.exit(2);
  },
);
