import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { CountingD1 } from '../src/lib/counting-d1';
import { api, basicAuth, createClient, expectError } from './helpers';

async function secretWithExpiry(clientId: string, expiresAt?: string) {
  return api('POST', `/clients/${clientId}/secrets`, { body: { name: 'rotating', expiresAt } });
}

/**
 * A D1 binding whose writes to client_secrets wait until released: if the
 * token endpoint awaited its lastUsedAt write, its response would never come.
 */
function withHeldSecretWrites(db: D1Database) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let held = 0;
  const hold = (statement: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(statement, {
      get(target, prop) {
        if (prop === 'bind') return (...values: unknown[]) => hold(target.bind(...values));
        if (prop === 'run' || prop === 'all' || prop === 'raw') {
          return async (...args: unknown[]) => {
            held++;
            await gate;
            return (target[prop] as (...a: unknown[]) => unknown)(...args);
          };
        }
        return Reflect.get(target, prop, target);
      },
    });
  const session = (inner: D1DatabaseSession) =>
    new Proxy(inner, {
      get(target, prop) {
        if (prop === 'prepare') return (query: string) => {
          const statement = target.prepare(query);
          return /^update "client_secrets"/i.test(query) ? hold(statement) : statement;
        };
        return Reflect.get(target, prop, target);
      },
    });
  const binding = new Proxy(db, {
    get(target, prop) {
      if (prop === 'withSession') return (constraint?: string) => session(target.withSession(constraint));
      return Reflect.get(target, prop, target);
    },
  });
  return { binding, release, held: () => held };
}

/** POST /oauth/token through the real app; lastUsedAt writes are held until the response is back. */
async function tokenWithBackgroundWork(clientId: string, clear: string) {
  const rounds = new CountingD1(env.DB);
  const gated = withHeldSecretWrites(rounds.asBinding());
  const ctx = createExecutionContext();
  const res = await createApp().fetch(
    new Request('https://registry.test/oauth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(clientId, clear) },
      body: 'grant_type=client_credentials',
    }),
    { ...env, DB: gated.binding },
    ctx,
  );
  const heldWrites = gated.held();
  gated.release();
  await waitOnExecutionContext(ctx);
  return { status: res.status, heldWrites, roundTrips: rounds.roundTrips };
}

const readSecret = async (clientId: string) => (await api('GET', `/clients/${clientId}`)).body.data.secrets[0];

describe('secret expiry', () => {
  it('accepts an RFC 3339 expiresAt in the future and shows it', async () => {
    const client = await createClient();
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const res = await secretWithExpiry(client.id, expiresAt);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ expiresAt, lastUsedAt: null });
    expect(await readSecret(client.id)).toMatchObject({ expiresAt, lastUsedAt: null, createdAt: res.body.data.createdAt });
    const offset = await secretWithExpiry(client.id, '2099-01-01T02:00:00+02:00');
    expect(offset.body.data.expiresAt).toBe('2099-01-01T00:00:00.000Z');
  });

  it.each([
    ['2001-01-01T00:00:00Z', 'expiresAt: must be in the future'],
    ['tomorrow', 'expiresAt: must be an RFC 3339 date-time'],
    ['2099-01-01', 'expiresAt: must be an RFC 3339 date-time'],
  ])('refuses expiresAt %j', async (expiresAt, message) => {
    const client = await createClient();
    expect(expectError(await secretWithExpiry(client.id, expiresAt), 400, 'VALIDATION')).toContain(message);
  });

  it('refuses an expired secret at the token endpoint, and keeps accepting a live one', async () => {
    const client = await createClient();
    const expiring = (await secretWithExpiry(client.id, new Date(Date.now() + 60_000).toISOString())).body.data;
    const live = (await secretWithExpiry(client.id)).body.data;
    const token = (clear: string) =>
      api('POST', '/oauth/token', {
        rawBody: 'grant_type=client_credentials',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(client.id, clear) },
        token: null,
      });
    expect((await token(expiring.clear)).status).toBe(200);
    // Time passes: move its expiry into the past.
    await env.DB.prepare('UPDATE client_secrets SET expires_at = ? WHERE id = ?').bind(Date.now() - 1, expiring.id).run();
    const refused = await token(expiring.clear);
    expect(refused.status).toBe(401);
    expect(refused.body.error).toBe('invalid_client');
    expect((await token(live.clear)).status).toBe(200);
  });
});

describe('lastUsedAt', () => {
  it('is recorded after the response, at most about once an hour, keeping token issuance to one round trip', async () => {
    const client = await createClient();
    const secret = (await secretWithExpiry(client.id)).body.data;

    const first = await tokenWithBackgroundWork(client.id, secret.clear);
    // The response came while the write was still held: one round trip on its path, one in the background.
    expect(first).toEqual({ status: 200, heldWrites: 1, roundTrips: 2 });
    const recorded = (await readSecret(client.id)).lastUsedAt;
    expect(Date.parse(recorded)).toBeGreaterThan(Date.now() - 60_000);

    const second = await tokenWithBackgroundWork(client.id, secret.clear);
    expect(second).toEqual({ status: 200, heldWrites: 0, roundTrips: 1 });
    expect((await readSecret(client.id)).lastUsedAt).toBe(recorded);

    // An hour later, the next use is recorded again.
    await env.DB.prepare('UPDATE client_secrets SET last_used_at = ? WHERE id = ?').bind(Date.now() - 3_700_000, secret.id).run();
    const later = await tokenWithBackgroundWork(client.id, secret.clear);
    expect(later).toEqual({ status: 200, heldWrites: 1, roundTrips: 2 });
    expect(Date.parse((await readSecret(client.id)).lastUsedAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('does not change the client’s ETag', async () => {
    const client = await createClient();
    const secret = (await secretWithExpiry(client.id)).body.data;
    const before = (await api('GET', `/clients/${client.id}`)).headers.get('etag');
    await tokenWithBackgroundWork(client.id, secret.clear);
    expect((await api('GET', `/clients/${client.id}`)).headers.get('etag')).toBe(before);
  });
});
