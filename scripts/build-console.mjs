// Builds the operator console's browser assets (src/console/client) into
// dist/assets/console/assets/, which wrangler serves as Workers static assets
// under /console/assets/ (wrangler.toml [assets]): outside the Worker's bundle
// and its budget. Run by `npm run dev` and `wrangler deploy` (wrangler.toml
// [build]), by `npm test` and by vitest.config.ts. Fails when the assets pass
// their own budget, CONSOLE_BUDGET_GZIP_BYTES.
import { build } from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
export const ASSETS_DIR = join(ROOT, 'dist', 'assets');
const OUT_DIR = join(ASSETS_DIR, 'console', 'assets');
export const CONSOLE_BUDGET_GZIP_BYTES = 60 * 1024;

/**
 * Headers of the static assets (Workers static assets read `_headers`): never
 * sniffed, revalidated on every load (the names carry no hash, so a deploy is
 * seen at once; the ETag keeps revalidation cheap).
 */
const HEADERS = `/console/assets/*
  X-Content-Type-Options: nosniff
  Cache-Control: no-cache
  Cross-Origin-Resource-Policy: same-origin
`;

/** Builds the assets; returns their sizes, raw and gzipped. Throws over budget. */
export async function buildConsole({ quiet = false } = {}) {
  rmSync(ASSETS_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });
  await build({
    // main.tsx imports styles.css: esbuild writes it next to app.js as app.css.
    entryPoints: { app: join(ROOT, 'src/console/client/main.tsx') },
    outdir: OUT_DIR,
    entryNames: '[name]',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome120', 'firefox120', 'safari17'],
    jsx: 'automatic',
    jsxImportSource: 'hono/jsx/dom',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  writeFileSync(join(ASSETS_DIR, '_headers'), HEADERS);
  const files = readdirSync(OUT_DIR).map((name) => {
    const bytes = readFileSync(join(OUT_DIR, name));
    return { file: relative(ROOT, join(OUT_DIR, name)), bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
  const gzip = files.reduce((sum, f) => sum + f.gzip, 0);
  if (!quiet) {
    for (const f of files) console.log(`[console] ${f.file}: ${(f.bytes / 1024).toFixed(1)} KiB, ${(f.gzip / 1024).toFixed(1)} KiB gzip`);
    console.log(`[console] total ${(gzip / 1024).toFixed(1)} KiB gzip (budget ${CONSOLE_BUDGET_GZIP_BYTES / 1024} KiB)`);
  }
  if (gzip > CONSOLE_BUDGET_GZIP_BYTES) {
    throw new Error(`console assets are ${(gzip / 1024).toFixed(1)} KiB gzipped, over the ${CONSOLE_BUDGET_GZIP_BYTES / 1024} KiB budget`);
  }
  return { files, gzip };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  buildConsole().catch((error) => {
    console.error(`[console] ${error.message}`);
    process.exit(1);
  });
}
