import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/lib/create-router';
import { errorJson, handleError } from '../../src/lib/errors';
import { requestId } from '../../src/middleware/request-id';
import { api, createClient } from '../helpers';
import { tenantToken } from '../tokens';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('requestId', () => {
  it('names the request in c.var.requestId and on the response, a fresh UUID each time, errors included', async () => {
    const app = new Hono<AppEnv>();
    app.onError(handleError);
    app.use(requestId);
    app.get('/ok', (c) => c.json({ seen: c.var.requestId }));
    app.get('/thrown', () => {
      throw new Error('boom');
    });
    app.get('/answered', (c) => errorJson(c, 'NOT_FOUND', 'nothing'));
    const ok = await app.request('/ok');
    const id = ok.headers.get('x-request-id');
    expect(id).toMatch(UUID);
    expect(await ok.json()).toEqual({ seen: id });
    expect((await app.request('/ok')).headers.get('x-request-id')).not.toBe(id);
    const logged: string[] = [];
    const original = console.error;
    console.error = (line: string) => logged.push(line);
    const thrown = await Promise.resolve(app.request('/thrown')).finally(() => (console.error = original));
    expect(thrown.status).toBe(500);
    expect(thrown.headers.get('x-request-id')).toMatch(UUID);
    // The log line of an internal error names the request, as its answer does.
    expect(JSON.parse(logged[0]!)).toMatchObject({ msg: 'request failed', requestId: thrown.headers.get('x-request-id') });
    expect((await app.request('/answered')).headers.get('x-request-id')).toMatch(UUID);
  });

  it('ignores an incoming X-Request-Id', async () => {
    const app = new Hono<AppEnv>().use(requestId).get('/', (c) => c.text(c.var.requestId));
    const res = await app.request('/', { headers: { 'X-Request-Id': 'chosen-by-the-caller' } });
    expect(res.headers.get('x-request-id')).not.toBe('chosen-by-the-caller');
    expect(await res.text()).toBe(res.headers.get('x-request-id'));
  });
});

describe('X-Request-Id on the admin API', () => {
  it('is on every admin answer, success or error, a different one each time, never the caller’s', async () => {
    const client = await createClient();
    const headers = { 'X-Request-Id': 'mine' };
    const answers = [
      await api('GET', '/clients', { headers }),
      await api('POST', '/clients', { body: { name: 'x' }, headers }),
      await api('GET', `/clients/${client.id}`),
      await api('DELETE', `/clients/${client.id}`),
      await api('GET', '/scopes'),
      await api('GET', '/audit-events'),
      await api('GET', '/api/auth/clients'),
      await api('GET', '/clients', { token: null }), // 401
      await api('GET', '/clients', { token: await tenantToken('t', 'none') }), // 403
      await api('GET', '/clients/nope'), // 404
      await api('GET', '/clients?pageSize=0'), // 400
      await api('POST', '/clients', { rawBody: 'x'.repeat(70 * 1024), headers: { 'content-type': 'application/json' } }), // 413
      await api('PUT', `/clients/${client.id}`, { rawBody: 'name=x', headers: { 'content-type': 'text/plain' } }), // 415
      await api('GET', '/clients/a/b/c'), // no such route
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 201, 200, 204, 200, 200, 200, 401, 403, 404, 400, 413, 415, 404]);
    const ids = answers.map((r) => r.headers.get('x-request-id'));
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
