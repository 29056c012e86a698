import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { api, apiCountingRoundTrips, basicAuth, createClient, createSecret } from './helpers';

// wrangler.toml: TOKEN_RATE_LIMITER allows 120 requests per 60 s per (address, client id);
// TOKEN_ADDRESS_RATE_LIMITER allows 600 per 60 s per address, and is checked first.
const PER_CLIENT = 120;
const PER_ADDRESS = 600;
const WINDOW_MS = 60_000;

const window = () => Math.floor(Date.now() / WINDOW_MS);

/**
 * Miniflare's limiter counts in windows aligned to the wall clock, so a burst
 * that straddles a boundary starts counting afresh halfway. Such a run is
 * repeated once, with fresh keys, in the new window (which then has almost a
 * whole period ahead of it); a run that stays in one window must pass.
 */
async function inOneWindow(run: (attempt: number) => Promise<void>) {
  for (let attempt = 0; ; attempt++) {
    const started = window();
    try {
      await run(attempt);
      return;
    } catch (error) {
      if (window() === started || attempt === 1) throw error;
    }
  }
}

const form = 'grant_type=client_credentials';

const tokenRequest = (authorization: string, address: string, body: BodyInit = form) =>
  api('POST', '/oauth/token', {
    rawBody: body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization, 'cf-connecting-ip': address },
    token: null,
  });

async function statusesOf(count: number, request: (i: number) => Promise<{ status: number }>) {
  const statuses = new Map<number, number>();
  for (let i = 0; i < count; i++) {
    const { status } = await request(i);
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  }
  return Object.fromEntries(statuses);
}

async function clientWithSecret() {
  const client = await createClient();
  return { id: client.id as string, secret: (await createSecret(client.id)).clear as string };
}

const throttled = {
  status: 429,
  body: { error: 'temporarily_unavailable', error_description: 'too many token requests: retry later' },
};

// Bursts of hundreds of requests, possibly run twice: a generous timeout, no timing assertion.
describe('rate limiting /oauth/token', { timeout: 120_000 }, () => {
  it('throttles a client at one address with 429, Retry-After and an RFC 6749 body; not elsewhere, not other clients', async () => {
    expect(env.TOKEN_RATE_LIMITER).toBeDefined();
    const client = await clientWithSecret();
    const other = await clientWithSecret();
    await inOneWindow(async (attempt) => {
      const address = `10.1.${attempt}.1`;
      expect(await statusesOf(PER_CLIENT, () => tokenRequest(basicAuth(client.id, client.secret), address))).toEqual({ 200: PER_CLIENT });
      const limited = await tokenRequest(basicAuth(client.id, client.secret), address);
      expect({ status: limited.status, body: limited.body }).toEqual(throttled);
      expect(limited.headers.get('retry-after')).toBe('60');
      expect(limited.headers.get('cache-control')).toBe('no-store');
      expect((await tokenRequest(basicAuth(client.id, client.secret), `10.2.${attempt}.1`)).status).toBe(200);
      expect((await tokenRequest(basicAuth(other.id, other.secret), address)).status).toBe(200);
    });
  });

  it('an attacker failing for a client from its address cannot lock that client out elsewhere', async () => {
    const victim = await clientWithSecret();
    await inOneWindow(async (attempt) => {
      const attacker = `198.51.100.${attempt + 1}`;
      expect(await statusesOf(PER_CLIENT, () => tokenRequest(basicAuth(victim.id, 'wrong'), attacker))).toEqual({ 401: PER_CLIENT });
      expect((await tokenRequest(basicAuth(victim.id, 'wrong'), attacker)).status).toBe(429);
      expect((await tokenRequest(basicAuth(victim.id, victim.secret), `203.0.113.${attempt + 1}`)).status).toBe(200);
    });
  });

  it('answers a known and an unknown client id alike once throttled, and a throttled request costs no D1 query', async () => {
    const known = await clientWithSecret();
    await inOneWindow(async (attempt) => {
      const address = `192.0.2.${attempt + 10}`;
      const unknownId = `no-such-client-${attempt}`;
      for (const id of [known.id, unknownId]) {
        expect(await statusesOf(PER_CLIENT, () => tokenRequest(basicAuth(id, 'wrong'), address))).toEqual({ 401: PER_CLIENT });
      }
      const answers = [];
      for (const id of [known.id, unknownId]) {
        const res = await apiCountingRoundTrips('POST', '/oauth/token', {
          rawBody: form,
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(id, 'wrong'), 'cf-connecting-ip': address },
          token: null,
        });
        answers.push({ status: res.status, body: res.body, retryAfter: res.headers.get('retry-after'), roundTrips: res.roundTrips });
      }
      expect(answers).toEqual([
        { ...throttled, retryAfter: '60', roundTrips: 0 },
        { ...throttled, retryAfter: '60', roundTrips: 0 },
      ]);
    });
  });

  it('throttles an address whatever client ids it rotates through, before reading the body', async () => {
    const elsewhere = await clientWithSecret();
    await inOneWindow(async (attempt) => {
      const address = `192.0.2.${attempt + 100}`;
      const guesses = await statusesOf(PER_ADDRESS, (i) => tokenRequest(basicAuth(`guess-${attempt}-${i}`, 'x'), address));
      expect(guesses).toEqual({ 401: PER_ADDRESS });
      const rotated = await apiCountingRoundTrips('POST', '/oauth/token', {
        rawBody: form,
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(`guess-${attempt}-new`, 'x'), 'cf-connecting-ip': address },
        token: null,
      });
      expect({ status: rotated.status, body: rotated.body, roundTrips: rotated.roundTrips }).toEqual({ ...throttled, roundTrips: 0 });
      // A body over the size limit would be a 413 if it were read: the limiter answers first.
      const oversized = await tokenRequest(basicAuth(elsewhere.id, elsewhere.secret), address, `${form}&pad=${'x'.repeat(64 * 1024)}`);
      expect(oversized.status).toBe(429);
      expect((await tokenRequest(basicAuth(elsewhere.id, elsewhere.secret), `192.0.2.${attempt + 200}`)).status).toBe(200);
    });
  });
});
