// node --test: the flags `npm run dev -- …` passes through to wrangler (part of npm test).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { devOptions } from './dev.mjs';

test('takes --port from the arguments instead of passing it twice, and builds ISSUER from it', () => {
  assert.deepEqual(devOptions(['--port', '9000']), { port: 9000, protocol: 'http', rest: [], issuer: 'http://localhost:9000' });
  assert.deepEqual(devOptions(['--port=9001', '--ip', '0.0.0.0']), {
    port: 9001,
    protocol: 'http',
    rest: ['--ip', '0.0.0.0'],
    issuer: 'http://localhost:9001',
  });
  assert.equal(devOptions(['--local-protocol', 'https']).issuer, 'https://localhost:8787');
});

test('leaves an ISSUER given with --var alone, and refuses a port that is not one', () => {
  assert.equal(devOptions(['--var', 'ISSUER:https://auth.example.com']).issuer, null);
  assert.throws(() => devOptions(['--port', 'abc']), /--port must be a port number/);
});
