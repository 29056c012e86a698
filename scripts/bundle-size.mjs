// Fails (exit 1) when the Worker `wrangler deploy --dry-run --outdir <dir>` built is over
// the gzip budget. Part of npm test, right after the dry-run:
//   node scripts/bundle-size.mjs [dir, default .wrangler/dry-run]
// The size is wrangler's "Total Upload … gzip:" figure, computed the same way (its
// getSize: gzip, default level, of every module's bytes concatenated, the main module
// last), so the two agree to the byte for the same build.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** KiB, gzipped, the built Worker may be. */
export const BUDGET_KIB = 150;

/**
 * The uploaded modules in a dry-run outdir: everything but source maps, wrangler's
 * README and JSON (an esbuild --metafile; JSON imports are bundled into index.js).
 */
export function moduleFiles(names, main = 'index.js') {
  const modules = names.filter((name) => !/\.(map|md|json)$/.test(name));
  if (!modules.includes(main)) throw new Error(`no ${main} in the dry-run output: run wrangler deploy --dry-run --outdir first`);
  return [...modules.filter((name) => name !== main).sort(), main];
}

/** Raw and gzipped bytes of the modules' contents, concatenated, as wrangler measures them. */
export function bundleSize(contents) {
  const all = Buffer.concat(contents);
  return { raw: all.byteLength, gzip: gzipSync(all).byteLength };
}

const kib = (bytes) => (bytes / 1024).toFixed(2);

/** null when within the budget, else what npm test prints. */
export function overBudget({ gzip }, budgetKiB = BUDGET_KIB) {
  return gzip > budgetKiB * 1024 ? `bundle is ${kib(gzip)} KiB gzipped, over the ${budgetKiB} KiB budget` : null;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? '.wrangler/dry-run';
  const files = moduleFiles(readdirSync(dir));
  const size = bundleSize(files.map((name) => readFileSync(join(dir, name))));
  const problem = overBudget(size);
  if (problem) {
    console.error(`${problem} (${files.join(', ')} in ${dir}; ${kib(size.raw)} KiB raw)`);
    process.exit(1);
  }
  console.log(`bundle: ${kib(size.raw)} KiB / gzip: ${kib(size.gzip)} KiB, within the ${BUDGET_KIB} KiB budget`);
}
