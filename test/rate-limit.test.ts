import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { api, basicAuth, createClient, createSecret } from './helpers';

// wrangler.toml: TOKEN_RATE_LIMITER allows 120 requests per 60 s per key.
const LIMIT = 120;

const tokenRequest = (authorization: string, ip: string) =>
  api('POST', '/oauth/token', {
    rawBody: 'grant_type=client_credentials',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization, 'cf-connecting-ip': ip },
    token: null,
  });

async function statusesOf(count: number, request: () => Promise<{ status: number }>) {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) statuses.push((await request()).status);
  return statuses;
}

describe('rate limiting /oauth/token', () => {
  it('throttles a client past its limit with 429, Retry-After and an RFC 6749-style body, whatever its IP', async () => {
    expect(env.TOKEN_RATE_LIMITER).toBeDefined();
    const client = await createClient();
    const secret = await createSecret(client.id);
    const statuses = await statusesOf(LIMIT, () => tokenRequest(basicAuth(client.id, secret.clear), `10.0.${Math.floor(Math.random() * 250)}.1`));
    expect(statuses.every((s) => s === 200)).toBe(true);
    const limited = await tokenRequest(basicAuth(client.id, secret.clear), '10.9.9.9');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(limited.headers.get('cache-control')).toBe('no-store');
    expect(limited.body).toEqual({ error: 'temporarily_unavailable', error_description: 'too many token requests: retry later' });
    // Another client is not affected.
    const other = await createClient();
    const otherSecret = await createSecret(other.id);
    expect((await tokenRequest(basicAuth(other.id, otherSecret.clear), '10.9.9.9')).status).toBe(200);
  });

  it('throttles unknown clients by IP address, so rotating client ids does not help', async () => {
    const ip = '192.0.2.77';
    const statuses = await statusesOf(LIMIT, () => tokenRequest(basicAuth(`guess-${crypto.randomUUID()}`, 'x'), ip));
    expect(statuses.every((s) => s === 401)).toBe(true);
    const limited = await tokenRequest(basicAuth(`guess-${crypto.randomUUID()}`, 'x'), ip);
    expect(limited.status).toBe(429);
    expect(limited.body.error).toBe('temporarily_unavailable');
    expect((await tokenRequest(basicAuth('guess-from-elsewhere', 'x'), '198.51.100.1')).status).toBe(401);
  });
});
