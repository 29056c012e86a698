// `npm run mutate:console [name filter]`: applies each console mutant (scripts/console-mutants.mjs)
// in turn, runs the browser test that must catch it (npx playwright test -g …), and restores the
// file whatever happens. Exits non-zero when a mutant survives or no longer applies.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { CONSOLE_MUTANTS } from './console-mutants.mjs';
import { wranglerEnv } from './wrangler-env.mjs';

const filter = process.argv[2];
const mutants = CONSOLE_MUTANTS.filter((m) => !filter || m.name.includes(filter));
const results = [];
for (const mutant of mutants) {
  const original = readFileSync(mutant.file, 'utf8');
  if (!original.includes(mutant.from)) {
    results.push({ name: mutant.name, verdict: 'STALE' });
    console.log(`STALE     ${mutant.name}: "${mutant.from}" is not in ${mutant.file}`);
    continue;
  }
  writeFileSync(mutant.file, original.replace(mutant.from, mutant.to));
  try {
    const run = spawnSync('npx', ['playwright', 'test', '-g', mutant.test, '--reporter', 'line'], { env: wranglerEnv(), encoding: 'utf8' });
    const verdict = run.status === 0 ? 'SURVIVED' : 'KILLED';
    results.push({ name: mutant.name, verdict });
    console.log(`${verdict.padEnd(9)} ${mutant.name} (test: ${mutant.test})`);
  } finally {
    writeFileSync(mutant.file, original);
  }
}
const bad = results.filter((r) => r.verdict !== 'KILLED');
console.log(`\n${results.length - bad.length}/${results.length} killed`);
process.exitCode = bad.length ? 1 : 0;
