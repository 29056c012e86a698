import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { describe, expect, it } from 'vitest';
import worker from '../src/index';
import { assertionStatements, MAX_LIVE_ASSERTIONS } from '../src/oauth/token.repository';
import { assertion, assertionRequest, claimsOf, expectOAuthError, expectToken, keyClient, keyPair, now } from './client-key-helpers';
import { countRows } from './helpers';

// The replay store of private_key_jwt (client_assertion_jtis): bounded per client, pruned as the
// client asks, purged by the cron, and every statement on it served by an index.

async function runCron(at = Date.now()) {
  const ctx = createExecutionContext();
  await (worker as ExportedHandler<Cloudflare.Env>).scheduled!(createScheduledController({ cron: '*/10 * * * *', scheduledTime: at }), env as never, ctx);
  await waitOnExecutionContext(ctx);
}

/** `count` jti entries of `clientId` expiring at `expiresAt`, 33 a statement (100 bound parameters at most). */
async function remember(clientId: string, prefix: string, count: number, expiresAt: number) {
  const statements = [];
  for (let i = 0; i < count; i += 33) {
    const rows = Array.from({ length: Math.min(33, count - i) }, (_, j) => [clientId, `${prefix}-${i + j}`, expiresAt]);
    statements.push(env.DB.prepare(`INSERT INTO client_assertion_jtis (client_id, jti, expires_at) VALUES ${rows.map(() => '(?, ?, ?)').join(', ')}`).bind(...rows.flat()));
  }
  for (let i = 0; i < statements.length; i += 100) await env.DB.batch(statements.slice(i, i + 100));
}

const planOf = async (statement: ReturnType<typeof sql>) =>
  (await drizzle(env.DB).all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${statement}`)).map((row) => row.detail);

describe('the replay store', () => {
  it('remembers a jti until the assertion expires (plus the skew)', async () => {
    const key = await keyPair('ES256', 'k');
    const { id } = await keyClient([key]);
    const signed = await assertion(id, key, { exp: now() + 120 });
    expectToken(await assertionRequest(signed));
    const row = await env.DB.prepare('SELECT expires_at FROM client_assertion_jtis WHERE client_id = ? AND jti = ?').bind(id, claimsOf(signed).jti).first<{ expires_at: number }>();
    expect(row?.expires_at).toBe(claimsOf(signed).exp + 30);
  });

  it(`is bounded: a client with ${MAX_LIVE_ASSERTIONS} live jtis is refused until some expire`, async () => {
    const key = await keyPair('ES256', 'k');
    const { id } = await keyClient([key]);
    await remember(id, 'live', MAX_LIVE_ASSERTIONS, now() + 300);
    const res = await assertionRequest(await assertion(id, key));
    expectOAuthError(res, 401, 'invalid_client', `this client has ${MAX_LIVE_ASSERTIONS} assertions in flight: wait for some to expire`);
    expect(await countRows('client_assertion_jtis', 'client_id = ?', id)).toBe(MAX_LIVE_ASSERTIONS);
    // Another client is not held back by it.
    const other = await keyClient([key]);
    expectToken(await assertionRequest(await assertion(other.id, key)));
  });

  it("a token request prunes up to 100 of the client's expired entries, and a jti whose entry expired is usable again", async () => {
    const key = await keyPair('ES256', 'k');
    const { id } = await keyClient([key]);
    await remember(id, 'old', 150, now() - 1);
    expectToken(await assertionRequest(await assertion(id, key)));
    expect(await countRows('client_assertion_jtis', "client_id = ? AND jti LIKE 'old-%'", id)).toBe(50);
    expectToken(await assertionRequest(await assertion(id, key, { jti: 'old-149' }))); // its entry expired: not a replay
  });

  it('the cron purges expired entries of every client and keeps live ones', async () => {
    const key = await keyPair('ES256', 'k');
    const [a, b] = [await keyClient([key]), await keyClient([key])];
    await remember(a.id, 'gone', 40, now() - 1);
    await remember(b.id, 'gone', 7, now() - 600);
    await remember(b.id, 'kept', 3, now() + 120);
    await runCron();
    expect(await countRows('client_assertion_jtis', "jti LIKE 'gone-%' AND client_id IN (?, ?)", a.id, b.id)).toBe(0);
    expect(await countRows('client_assertion_jtis', "jti LIKE 'kept-%' AND client_id = ?", b.id)).toBe(3);
  });

  it('every statement on it goes through its indexes: no full scan (EXPLAIN QUERY PLAN)', async () => {
    const [prune, insert, present] = assertionStatements('c', 'j', now() + 60, now());
    expect((await planOf(prune!)).join('\n')).toMatch(/SEARCH client_assertion_jtis USING (COVERING )?INDEX client_assertion_jtis_expiry_idx \(client_id=\? AND expires_at<\?\)/);
    expect((await planOf(insert!)).join('\n')).toMatch(/SEARCH client_assertion_jtis USING (COVERING )?INDEX client_assertion_jtis_expiry_idx \(client_id=\? AND expires_at>\?\)/);
    expect((await planOf(present!)).join('\n')).toMatch(/SEARCH client_assertion_jtis USING (COVERING )?INDEX sqlite_autoindex_client_assertion_jtis_1 \(client_id=\? AND jti=\?\)/);
    const purge = sql`DELETE FROM client_assertion_jtis WHERE rowid IN (SELECT rowid FROM client_assertion_jtis WHERE expires_at < ${now()} LIMIT 1000)`;
    expect((await planOf(purge)).join('\n')).toMatch(/SEARCH client_assertion_jtis USING (COVERING )?INDEX client_assertion_jtis_purge_idx \(expires_at<\?\)/);
    for (const statement of [prune!, insert!, present!, purge]) {
      expect((await planOf(statement)).filter((d) => /^SCAN client_assertion_jtis\b/.test(d))).toEqual([]);
    }
  });
});
