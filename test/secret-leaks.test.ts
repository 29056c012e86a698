import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { digestSecret } from '../src/lib/secrets';
import { api, type ApiResponse, createClient, createScope, createSecret } from './helpers';

/** Every string (keys included) anywhere in a JSON value. */
function* strings(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const item of value) yield* strings(item);
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      yield key;
      yield* strings(item);
    }
  }
}

function findLeaks(res: ApiResponse, forbidden: string[]) {
  const found = [...strings(res.body)].filter((s) => forbidden.some((f) => s.includes(f)));
  // The raw text too, in case something is not JSON.
  if (forbidden.some((f) => res.text.includes(f))) found.push(res.text);
  return found;
}

it('no response ever holds a digest, nor a clear secret after its creation', async () => {
  const client = await createClient({ name: 'leaky?' });
  const scope = await createScope();
  const first = await createSecret(client.id, 'first');
  const second = await createSecret(client.id, 'second');
  const clears = [first.clear, second.clear];

  const stored = await env.DB.prepare('SELECT digest FROM client_secrets WHERE client_id = ?').bind(client.id).all<{ digest: string }>();
  const digests = stored.results.map((r) => r.digest);
  expect(digests).toHaveLength(2);
  expect(digests).toContain(await digestSecret(first.clear));
  const forbidden = [...digests, ...clears];

  const responses = [
    await api('GET', '/clients'),
    await api('GET', `/clients/${client.id}`),
    await api('PUT', `/clients/${client.id}`, { body: { name: 'leaky?' } }),
    await api('PUT', `/clients/${client.id}/scopes/${scope.id}`),
    await api('GET', '/scopes'),
    await api('GET', `/scopes/${scope.id}`),
    await api('POST', `/clients/${client.id}/secrets`, { body: { name: 'third' } }),
    await api('POST', '/clients', { body: { id: client.id, name: 'dup' } }),
    await api('DELETE', `/clients/${client.id}/secrets/${first.id}`),
    await api('GET', '/openapi.json'),
    await api('DELETE', `/clients/${client.id}`),
  ];
  for (const res of responses) expect(findLeaks(res, forbidden)).toEqual([]);
  // The scan itself works: the creation response did hold its clear value.
  expect([...strings({ data: first })]).toContain(first.clear);
});
