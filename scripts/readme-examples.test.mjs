// node --test: the example files the README shows are the ones in examples/ (part of npm test).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readmeExamples } from './readme-examples.mjs';

test('every example the README shows in full is its file, unchanged', () => {
  const examples = readmeExamples();
  assert.deepEqual(
    examples.map((example) => example.file).sort(),
    ['examples/private-key-jwt/generate-key.mjs', 'examples/private-key-jwt/get-token.mjs'],
  );
  for (const { file, block, source } of examples) assert.equal(block, source, `the README's copy of ${file} differs from the file`);
});

test('a block that drifted from its file is found', () => {
  const [example] = readmeExamples();
  const drifted = readmeExamples(`\`\`\`js\n${example.block.replace('jose', 'jose2')}\`\`\`\n`);
  assert.equal(drifted.length, 1);
  assert.notEqual(drifted[0].block, drifted[0].source);
});
