import type { Context } from 'hono';
import type { AppEnv } from '../lib/create-router';
import { OAuthError } from './oauth-error';

// The limiters' period (wrangler.toml, ratelimits: 10 or 60 seconds): the longest a caller waits.
export const RATE_LIMIT_RETRY_AFTER_SECONDS = '60';

/** The caller's address as Cloudflare's edge saw it (the edge sets this header; a caller cannot). */
const addressOf = (c: Context<AppEnv>) => c.req.header('cf-connecting-ip') ?? 'unknown';

async function spend(limiter: RateLimit | undefined, key: string) {
  if (!limiter) return;
  const { success } = await limiter.limit({ key });
  if (!success) throw new OAuthError('temporarily_unavailable', 'too many token requests: retry later', 429);
}

/**
 * First gate of /oauth/token, before its body is read or D1 is queried: every
 * request from one address spends from that address's budget, whatever it asks.
 */
export const throttleAddress = (c: Context<AppEnv>) => spend(c.env.TOKEN_ADDRESS_RATE_LIMITER, addressOf(c));

/**
 * Second gate, still before D1: per (address, client id). The key is built the
 * same way whether or not the client exists, so a 429 tells nothing about
 * existence, and failures from one address never lock out the client elsewhere.
 */
export const throttleClient = (c: Context<AppEnv>, clientId: string) =>
  spend(c.env.TOKEN_RATE_LIMITER, `${addressOf(c)}\n${clientId}`);
