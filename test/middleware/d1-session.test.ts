import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { api, expectError, getAdminToken } from '../helpers';

/** The real app over a D1 binding that records how each session was opened. */
async function recordSessions(method: string, path: string, headers: Record<string, string> = {}, body?: unknown) {
  const constraints: (string | undefined)[] = [];
  const DB = new Proxy(env.DB, {
    get(target, prop) {
      if (prop === 'withSession') {
        return (constraint?: string) => {
          constraints.push(constraint);
          return target.withSession(constraint);
        };
      }
      return Reflect.get(target, prop, target);
    },
  });
  const init: RequestInit = { method, headers: { authorization: `Bearer ${await getAdminToken()}`, ...headers } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const res = await createApp().fetch(new Request(`https://registry.test${path}`, init), { ...env, DB });
  return { res, constraints };
}

describe('d1Session', () => {
  it('opens reads first-unconstrained, or at the caller’s bookmark, and writes first-primary', async () => {
    expect((await recordSessions('GET', '/clients')).constraints).toEqual(['first-unconstrained']);
    expect((await recordSessions('POST', '/scopes', {}, { label: 'session:write' })).constraints).toEqual(['first-primary']);
    const bookmark = (await api('GET', '/clients')).headers.get('x-d1-bookmark')!;
    expect((await recordSessions('GET', '/clients', { 'x-d1-bookmark': bookmark })).constraints).toEqual([bookmark]);
    expect((await recordSessions('DELETE', '/clients/nope', { 'x-d1-bookmark': bookmark })).constraints).toEqual(['first-primary']);
  });

  it('returns the session bookmark on every response, errors included; a read at a write’s bookmark sees that write', async () => {
    const created = await api('POST', '/clients', { body: { name: 'bookmarked' } });
    const bookmark = created.headers.get('x-d1-bookmark')!;
    expect(bookmark).toMatch(/^[0-9a-f-]+$/);
    const path = `/clients/${created.body.data.id}`;

    // Read your own write: a read at the write's bookmark sees it.
    const read = await api('GET', path, { headers: { 'x-d1-bookmark': bookmark } });
    expect(read.status).toBe(200);
    expect(read.body.data).toEqual(created.body.data);
    // D1 documents bookmarks as lexicographically sortable, oldest to newest
    // (developers.cloudflare.com/d1/reference/time-travel/#bookmarks): the read's
    // bookmark is the one passed or a later one, never an earlier one.
    expect(read.headers.get('x-d1-bookmark')! >= bookmark).toBe(true);

    // The order is real here: a later write answers a strictly later bookmark,
    // and a read at that bookmark sees the later write.
    const updated = await api('PUT', path, { body: { name: 'bookmarked again' } });
    const later = updated.headers.get('x-d1-bookmark')!;
    expect(later > bookmark).toBe(true);
    const reread = await api('GET', path, { headers: { 'x-d1-bookmark': later } });
    expect(reread.body.data.name).toBe('bookmarked again');
    expect(reread.headers.get('x-d1-bookmark')! >= later).toBe(true);

    const missing = await api('GET', '/clients/nope');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-d1-bookmark')).toMatch(/^[0-9a-f-]+$/);
  });

  it('refuses a malformed bookmark with 400', async () => {
    const res = await api('GET', '/clients', { headers: { 'x-d1-bookmark': 'not a bookmark!' } });
    expect(expectError(res, 400, 'VALIDATION')).toBe('x-d1-bookmark: must be a bookmark returned by this service');
  });
});
