// node --test: the bundle budget check (part of npm test).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { BUDGET_KIB, bundleSize, moduleFiles, overBudget } from './bundle-size.mjs';

test('measures every module but source maps, the README and a metafile, the main module last', () => {
  assert.deepEqual(moduleFiles(['index.js.map', 'README.md', 'index.js', 'meta.json', 'b.wasm', 'a.mjs']), ['a.mjs', 'b.wasm', 'index.js']);
  assert.throws(() => moduleFiles(['README.md']), /no index\.js in the dry-run output/);
});

test('gzips the concatenated modules, as wrangler does', () => {
  const contents = [Buffer.from('export const a = 1;\n'), Buffer.from('export default {};\n')];
  const size = bundleSize(contents);
  assert.equal(size.raw, 39);
  assert.equal(size.gzip, gzipSync(Buffer.concat(contents)).byteLength);
  assert.equal(gunzipSync(gzipSync(Buffer.concat(contents))).toString(), 'export const a = 1;\nexport default {};\n');
});

test('says by how much a bundle is over the budget, and nothing when it is within it', () => {
  assert.equal(overBudget({ gzip: 150 * 1024 }, 150), null);
  assert.equal(overBudget({ gzip: 150 * 1024 + 1 }, 150), 'bundle is 150.00 KiB gzipped, over the 150 KiB budget');
  assert.equal(overBudget({ gzip: 237.3 * 1024 }, 150), 'bundle is 237.30 KiB gzipped, over the 150 KiB budget');
  assert.equal(overBudget({ gzip: BUDGET_KIB * 1024 }), null);
});
