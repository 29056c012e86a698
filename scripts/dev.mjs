// `npm run dev`: apply migrations to the local D1 database, then serve on :8787.
import { spawnSync } from 'node:child_process';

const wrangler = (args, stdin) => {
  const result = spawnSync('npx', ['wrangler', ...args], { stdio: [stdin, 'inherit', 'inherit'] });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

// With no terminal on stdin, wrangler applies pending migrations without asking.
wrangler(['d1', 'migrations', 'apply', 'DB', '--local'], 'ignore');
wrangler(['dev', ...process.argv.slice(2)], 'inherit');
