import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { ADMIN_CREDENTIALS, api, apiCountingRoundTrips, basicAuth, countRows, expectError, getAdminToken, tokenRequest } from './helpers';
import { as, issuedClient, revoke } from './issued-clients';
import { runMaintenance } from '../src/maintenance/scheduled';
import { now, signToken } from './tokens';

const REVOKED = 'the token has been revoked';

async function expectRevoked(token: string, method = 'GET', path = '/clients', body?: unknown) {
  const res = await as(token, method, path, body);
  expect(expectError(res, 401, 'UNAUTHORIZED'), `${method} ${path}`).toBe(REVOKED);
  expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
}

const expectGood = async (token: string) => expect((await as(token, 'GET', '/clients')).status).toBe(200);

const claimsOf = (token: string) => JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')));

describe('deleting a client or a secret', () => {
  it('F3: a deleted writer is refused at every step (read, create a client, give itself a secret) and changes nothing', async () => {
    const writer = await issuedClient(['auth:read', 'auth:write']);
    const token = await writer.token();
    await expectGood(token);
    const made = await as(token, 'POST', '/clients', { name: 'made by the writer' });
    expect(made.status).toBe(201);
    expect((await writer.admin('DELETE', `/clients/${writer.client.id}`)).status).toBe(204);

    const before = { clients: await countRows('clients'), secrets: await countRows('client_secrets'), scopes: await countRows('scopes') };
    const victim = made.body.data.id;
    const steps: [string, string, unknown?][] = [
      ['GET', '/clients'],
      ['GET', `/clients/${victim}`],
      ['POST', '/clients', { name: 'a new foothold' }],
      ['POST', `/clients/${victim}/secrets`, { name: 'a permanent credential' }],
      ['PUT', `/clients/${victim}`, { name: 'renamed' }],
      ['POST', '/scopes', { label: 'anything' }],
      ['DELETE', `/clients/${victim}`],
    ];
    for (const [method, path, body] of steps) await expectRevoked(token, method, path, body);
    expect({ clients: await countRows('clients'), secrets: await countRows('client_secrets'), scopes: await countRows('scopes') }).toEqual(before);
    // And it cannot mint a new token: its secret went with it.
    const again = await tokenRequest({ grant_type: 'client_credentials' }, { authorization: basicAuth(writer.client.id, writer.secret.clear) });
    expect(again.status).toBe(401);
  });

  it('a token carries the id of the secret that minted it and the client generation', async () => {
    const c = await issuedClient(['auth:read']);
    expect(claimsOf(await c.token())).toMatchObject({ secret_id: c.secret.id, gen: 0, client_id: c.client.id, tenant: c.tenant });
  });

  it('deleting a secret revokes the tokens it minted and no others: a planned rotation causes no outage', async () => {
    const c = await issuedClient(['auth:read']);
    const second = await c.addSecret();
    const old = await c.token();
    const moved = await c.token(undefined, second.clear);
    await expectGood(old);
    expect((await c.admin('DELETE', `/clients/${c.client.id}/secrets/${c.secret.id}`)).status).toBe(204);
    await expectRevoked(old);
    await expectGood(moved);
    await expectGood(await c.token(undefined, second.clear));
  });

  it('a client re-created under the same id does not bring its old tokens back', async () => {
    const c = await issuedClient(['auth:read']);
    const old = await c.token();
    expect((await c.admin('DELETE', `/clients/${c.client.id}`)).status).toBe(204);
    expect((await c.admin('POST', '/clients', { id: c.client.id, name: 'again' })).status).toBe(201);
    await expectRevoked(old);
  });
});

describe('tokens minted before tokens named their secret, and after the records expire', () => {
  const legacyOf = async (token: string) => {
    const { secret_id: _secret, gen: _gen, ...claims } = claimsOf(token);
    return signToken({ claims: { ...claims, jti: crypto.randomUUID() } });
  };

  it('a token without secret_id is refused once its client is deleted, even when the id is taken again', async () => {
    const c = await issuedClient(['auth:read']);
    const legacy = await legacyOf(await c.token());
    await expectGood(legacy);
    expect((await c.admin('DELETE', `/clients/${c.client.id}`)).status).toBe(204);
    await expectRevoked(legacy);
    expect((await c.admin('POST', '/clients', { id: c.client.id, name: 'again' })).status).toBe(201);
    await expectRevoked(legacy);
    // And like any token, it needs the grants it carries while its client exists.
    const d = await issuedClient(['auth:read', 'ledger:read']);
    const carrying = await legacyOf(await d.token());
    await expectGood(carrying);
    expect((await d.admin('DELETE', `/clients/${d.client.id}/scopes/${d.scopeIds['ledger:read']}`)).status).toBe(204);
    await expectRevoked(carrying);
  });

  it('a client’s token needs its client to exist, even once the record of its deleted secret is gone', async () => {
    const c = await issuedClient(['auth:read']);
    const token = await c.token();
    expect((await c.admin('DELETE', `/clients/${c.client.id}`)).status).toBe(204);
    await env.DB.prepare('DELETE FROM revoked_secrets WHERE client_id = ?').bind(c.client.id).run();
    await env.DB.prepare('DELETE FROM revoked_clients WHERE client_id = ?').bind(c.client.id).run();
    await expectRevoked(token);
  });
});

describe('removing a grant', () => {
  const removals: [string, (c: Awaited<ReturnType<typeof issuedClient>>) => Promise<number>][] = [
    ['deleteScopeFromClient', async (c) => (await c.admin('DELETE', `/clients/${c.client.id}/scopes/${c.scopeIds['ledger:read']}`)).status],
    ['deleteScope', async (c) => (await c.admin('DELETE', `/scopes/${c.scopeIds['ledger:read']}`)).status],
    ['updateScope (relabel)', async (c) => (await c.admin('PUT', `/scopes/${c.scopeIds['ledger:read']}`, { label: 'ledger:renamed' })).status],
  ];

  it.each(removals)('%s: tokens carrying the scope are refused, tokens without it keep working', async (_name, remove) => {
    const c = await issuedClient(['auth:read', 'ledger:read']);
    const carrying = await c.token();
    const without = await c.token('auth:read');
    expect(claimsOf(carrying).scope).toBe('auth:read ledger:read');
    await expectGood(carrying);
    expect(await remove(c)).toBeLessThan(300);
    await expectRevoked(carrying);
    await expectGood(without);
  });

  it('deleteTransientScope: a scope reached through the removed link is no longer held', async () => {
    const c = await issuedClient(['auth:read', 'ledger']);
    const reached = (await c.admin('POST', '/scopes', { label: 'ledger:write' })).body.data.id;
    expect((await c.admin('PUT', `/scopes/${c.scopeIds.ledger}/transient/${reached}`)).status).toBe(204);
    const carrying = await c.token('auth:read ledger:write');
    const without = await c.token('auth:read ledger');
    await expectGood(carrying);
    expect((await c.admin('DELETE', `/scopes/${c.scopeIds.ledger}/transient/${reached}`)).status).toBe(204);
    await expectRevoked(carrying);
    await expectGood(without);
  });
});

describe('POST /oauth/revoke (RFC 7009)', () => {
  it('a client revokes one of its tokens: refused at once, its other tokens keep working; again is still 200', async () => {
    const c = await issuedClient(['auth:read']);
    const [revoked, kept] = [await c.token(), await c.token()];
    const res = await revoke(c.client.id, c.secret.clear, revoked);
    expect({ status: res.status, body: res.text, cache: res.headers.get('cache-control') }).toEqual({ status: 200, body: '', cache: 'no-store' });
    await expectRevoked(revoked);
    await expectGood(kept);
    expect((await revoke(c.client.id, c.secret.clear, revoked)).status).toBe(200);
    const { jti, exp } = claimsOf(revoked);
    // Kept past exp + the 30 s of clock tolerance (while the token would still verify), then purged.
    expect(await env.DB.prepare('SELECT client_id, expires_at FROM revoked_tokens WHERE jti = ?').bind(jti).first()).toEqual({
      client_id: c.client.id,
      expires_at: exp + 60,
    });
  });

  it('refuses another client’s token; a token that is not valid anyway is 200; bad credentials are 401', async () => {
    const [a, b] = [await issuedClient(['auth:read']), await issuedClient(['auth:read'])];
    const theirs = await b.token();
    const refused = await revoke(a.client.id, a.secret.clear, theirs);
    expect({ status: refused.status, error: refused.body.error }).toEqual({ status: 400, error: 'unauthorized_client' });
    await expectGood(theirs);
    expect((await revoke(a.client.id, a.secret.clear, 'not-a-token')).status).toBe(200);
    expect((await revoke(a.client.id, 'wrong', theirs)).body.error).toBe('invalid_client');
    const missing = await api('POST', '/oauth/revoke', {
      rawBody: '',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(a.client.id, a.secret.clear) },
      token: null,
    });
    expect({ status: missing.status, error: missing.body.error }).toEqual({ status: 400, error: 'invalid_request' });
  });

  it('a token revoked in its last seconds stays refused through the clock tolerance, whatever purges run', async () => {
    const c = await issuedClient(['auth:read']);
    // One of its tokens, 10 s past exp: still accepted for 30 s of clock tolerance.
    const claims = claimsOf(await c.token());
    const late = await signToken({ claims: { ...claims, jti: crypto.randomUUID(), iat: now() - 3610, exp: now() - 10 } });
    await expectGood(late);
    expect((await revoke(c.client.id, c.secret.clear, late)).status).toBe(200);
    await expectRevoked(late);
    // The cron's purge, and the client's own purge when it revokes again, leave its entry in place.
    await runMaintenance(env as never, Date.now());
    expect((await revoke(c.client.id, c.secret.clear, await c.token())).status).toBe(200);
    await expectRevoked(late);
  });

  it('the static admin revokes one of its own tokens, by jti alone', async () => {
    const adminAuth = { authorization: basicAuth(ADMIN_CREDENTIALS.id, ADMIN_CREDENTIALS.secret) };
    const mine = (await tokenRequest({ grant_type: 'client_credentials' }, adminAuth)).body.access_token;
    await expectGood(mine);
    expect((await revoke(ADMIN_CREDENTIALS.id, ADMIN_CREDENTIALS.secret, mine)).status).toBe(200);
    await expectRevoked(mine);
    await expectGood(await getAdminToken());
  });

  it('keeps its state bounded: a client’s expired entries go, and past 1,000 its whole generation is revoked', async () => {
    const c = await issuedClient(['auth:read']);
    const [asked, other] = [await c.token(), await c.token()];
    const now = Math.floor(Date.now() / 1000);
    const rows = [
      ...Array.from({ length: 5 }, (_, i) => [`expired-${c.client.id}-${i}`, now - 10]),
      ...Array.from({ length: 1000 }, (_, i) => [`live-${c.client.id}-${i}`, now + 3600]),
    ];
    const statements = [];
    for (let i = 0; i < rows.length; i += 25) {
      const chunk = rows.slice(i, i + 25);
      statements.push(
        env.DB.prepare(`INSERT INTO revoked_tokens (jti, tenant_id, client_id, expires_at) VALUES ${chunk.map(() => '(?, ?, ?, ?)').join(', ')}`).bind(
          ...chunk.flatMap(([jti, exp]) => [jti, c.tenant, c.client.id, exp]),
        ),
      );
    }
    await env.DB.batch(statements);
    expect((await revoke(c.client.id, c.secret.clear, asked)).status).toBe(200);
    expect(await countRows('revoked_tokens', 'client_id = ? AND expires_at < ?', c.client.id, now)).toBe(0);
    expect(await countRows('revoked_tokens', 'client_id = ?', c.client.id)).toBe(1000);
    await expectRevoked(asked);
    await expectRevoked(other); // the generation moved on
    await expectGood(await c.token());
  });
});

describe('DELETE /clients/{clientId}/tokens', () => {
  it('revokes every token of the client; its secrets mint good ones after; its ETag stays', async () => {
    const c = await issuedClient(['auth:read']);
    const tokens = [await c.token(), await c.token()];
    const etag = (await c.admin('GET', `/clients/${c.client.id}`)).headers.get('etag');
    const res = await c.admin('DELETE', `/clients/${c.client.id}/tokens`);
    expect(res.status).toBe(204);
    for (const token of tokens) await expectRevoked(token);
    const fresh = await c.token();
    expect(claimsOf(fresh).gen).toBe(1);
    await expectGood(fresh);
    expect((await c.admin('GET', `/clients/${c.client.id}`)).headers.get('etag')).toBe(etag);
    expectError(await c.admin('DELETE', '/clients/no-such-client/tokens'), 404, 'NOT_FOUND');
  });

  it('needs auth:write; another tenant’s client is 404', async () => {
    const c = await issuedClient(['auth:read']);
    const reader = await c.token();
    expectError(await as(reader, 'DELETE', `/clients/${c.client.id}/tokens`), 403, 'FORBIDDEN');
    expectError(await api('DELETE', `/clients/${c.client.id}/tokens`), 404, 'NOT_FOUND'); // the admin, in its own tenant
    await expectGood(reader);
  });
});

describe('what checking costs, and where it applies', () => {
  it('a read and a write each stay one round trip with the check folded in, refused or not', async () => {
    const c = await issuedClient(['auth:read', 'auth:write']);
    const token = await c.token();
    // A read of one row (a drizzle query) and a page (raw SQL): each rides in one batch with the check.
    for (const path of [`/clients/${c.client.id}`, '/clients', '/clients?name=x', '/scopes']) {
      const read = await apiCountingRoundTrips('GET', path, { token });
      expect({ path, status: read.status, roundTrips: read.roundTrips }).toEqual({ path, status: 200, roundTrips: 1 });
    }
    const write = await apiCountingRoundTrips('POST', '/clients', { token, body: { name: 'w' } });
    expect({ status: write.status, roundTrips: write.roundTrips }).toEqual({ status: 201, roundTrips: 1 });
    expect((await c.admin('DELETE', `/clients/${c.client.id}/tokens`)).status).toBe(204);
    const refused = await apiCountingRoundTrips('GET', '/clients', { token });
    expect({ status: refused.status, roundTrips: refused.roundTrips }).toEqual({ status: 401, roundTrips: 1 });
    const refusedWrite = await apiCountingRoundTrips('POST', '/clients', { token, body: { name: 'w' } });
    expect({ status: refusedWrite.status, roundTrips: refusedWrite.roundTrips }).toEqual({ status: 401, roundTrips: 1 });
  });

  it('a write checks its token in its own batch: a deletion that commits just before the batch stops it', async () => {
    const writer = await issuedClient(['auth:read', 'auth:write']);
    const token = await writer.token();
    let raced = false;
    // The real D1, but the writer's deletion lands right before the request's first batch.
    const racing = new Proxy(env.DB, {
      get(target, prop) {
        if (prop !== 'withSession') return Reflect.get(target, prop).bind(target);
        return (constraint?: string) => {
          const session = target.withSession(constraint);
          return {
            prepare: (q: string) => session.prepare(q),
            getBookmark: () => session.getBookmark(),
            batch: async (statements: D1PreparedStatement[]) => {
              if (!raced) {
                raced = true;
                await target.prepare('DELETE FROM clients WHERE id = ?').bind(writer.client.id).run();
              }
              return session.batch(statements);
            },
          };
        };
      },
    });
    const before = await countRows('clients');
    const res = await createApp().fetch(
      new Request('https://registry.test/clients', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'foothold' }),
      }),
      { ...env, DB: racing },
    );
    expect(raced).toBe(true);
    expect(res.status).toBe(401);
    expect(await countRows('clients')).toBe(before - 1); // the writer went; nothing came
  });

  it('a read that never reaches D1 (a validation error) is still refused for a revoked token', async () => {
    const c = await issuedClient(['auth:read']);
    const token = await c.token();
    expectError(await as(token, 'GET', '/clients?pageSize=0'), 400, 'VALIDATION');
    expect((await c.admin('DELETE', `/clients/${c.client.id}/tokens`)).status).toBe(204);
    await expectRevoked(token, 'GET', '/clients?pageSize=0');
  });

  it('the next request carrying the revoking write’s bookmark sees the revocation', async () => {
    const c = await issuedClient(['auth:read']);
    const token = await c.token();
    const res = await c.admin('DELETE', `/clients/${c.client.id}/tokens`);
    const bookmark = res.headers.get('x-d1-bookmark');
    expect(bookmark).toBeTruthy();
    const read = await api('GET', '/clients', { token, headers: { 'x-d1-bookmark': bookmark! } });
    expect(expectError(read, 401, 'UNAUTHORIZED')).toBe(REVOKED);
  });
});

describe('revocations in the audit trail', () => {
  const eventsOf = async (c: Awaited<ReturnType<typeof issuedClient>>, action: string) =>
    (await c.admin('GET', `/audit-events?action=${action}`)).body.data;

  it('POST /oauth/revoke records revokeToken, the client as its actor, under the request id it answered', async () => {
    const c = await issuedClient(['auth:read']);
    const token = await c.token();
    const res = await revoke(c.client.id, c.secret.clear, token);
    const [event, ...more] = await eventsOf(c, 'revokeToken');
    expect(more).toEqual([]);
    const { jti, exp } = claimsOf(token);
    expect(event).toMatchObject({
      tenant: c.tenant,
      action: 'revokeToken',
      actor: { sub: c.client.id, clientId: c.client.id, issuer: 'https://registry.test', jti: null },
      target: { type: 'token', id: jti },
      requestId: res.headers.get('x-request-id'),
      changes: {
        before: { revoked: null, tokenGeneration: 0 },
        after: { revoked: { jti, clientId: c.client.id, expiresAt: exp + 60 }, tokenGeneration: 0 },
      },
    });
    // Revoking it again changes nothing, and records nothing; nor does a refused revocation.
    expect((await revoke(c.client.id, c.secret.clear, token)).status).toBe(200);
    const other = await issuedClient([], c.tenant);
    expect((await revoke(other.client.id, other.secret.clear, await c.token())).status).toBe(400);
    expect(await eventsOf(c, 'revokeToken')).toHaveLength(1);
  });

  it('DELETE /clients/{id}/tokens records revokeClientTokens with the generation before and after; a 404 records nothing', async () => {
    const c = await issuedClient(['auth:read']);
    const res = await c.admin('DELETE', `/clients/${c.client.id}/tokens`);
    expect(await eventsOf(c, 'revokeClientTokens')).toEqual([
      expect.objectContaining({
        target: { type: 'client', id: c.client.id },
        requestId: res.headers.get('x-request-id'),
        changes: { before: { revoked: null, tokenGeneration: 0 }, after: { revoked: null, tokenGeneration: 1 } },
      }),
    ]);
    expect((await c.admin('DELETE', '/clients/nobody/tokens')).status).toBe(404);
    expect(await eventsOf(c, 'revokeClientTokens')).toHaveLength(1);
  });
});
