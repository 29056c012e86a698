import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { api, createClient } from './helpers';

// On its own file: it drops a table, and D1 storage is isolated per test file,
// so no other test ever runs against the damaged database, whatever the order.
it('answers a database failure with a generic 500: no SQL, no stack, and logs it', async () => {
  const client = await createClient();
  const logged: unknown[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => logged.push(args);
  try {
    await env.DB.exec('DROP TABLE client_scopes');
    const res = await api('GET', `/clients/${client.id}`);
    expect(res.body).toEqual({ errorCode: 'INTERNAL', errorMessage: 'An internal error occurred.' });
    expect(res.status).toBe(500);
    expect(res.text).not.toMatch(/client_scopes|SELECT|D1|at /i);
  } finally {
    console.error = original;
  }
  expect(JSON.stringify(logged)).toContain('client_scopes');
});
