// The runnable examples the README shows in full: each README code block whose first line is
// `// examples/<path>: …` must be that file, byte for byte, so what a reader copies is what the
// tests run (scripts/readme-examples.test.mjs; test/browser/private-key-jwt.e2e.ts runs them).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

/** Every README block naming an example file: the file, the block's text and the file's text. */
export function readmeExamples(readme = readFileSync(join(ROOT, 'README.md'), 'utf8')) {
  const blocks = [...readme.matchAll(/^```(?:js|javascript|mjs)\n(\/\/ (examples\/[\w./-]+):[^\n]*\n[\s\S]*?)^```$/gm)];
  return blocks.map(([, block, file]) => ({
    file: /** @type {string} */ (file),
    block: /** @type {string} */ (block),
    source: readFileSync(join(ROOT, /** @type {string} */ (file)), 'utf8'),
  }));
}
