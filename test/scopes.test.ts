import { describe, expect, it } from 'vitest';
import { api, countRows, createScope, expectError } from './helpers';

describe('createScope / readScope / listScopes', () => {
  it('creates a scope, reads it and lists scopes in creation order', async () => {
    const res = await api('POST', '/scopes', { body: { label: 'ledger:read', metadata: { owner: 'ledger' } } });
    expect(res.status).toBe(201);
    expect(res.body.data).toEqual({
      id: expect.any(String),
      label: 'ledger:read',
      metadata: { owner: 'ledger' },
      transient: [],
    });
    expect((await api('GET', `/scopes/${res.body.data.id}`)).body.data).toEqual(res.body.data);
    const second = await createScope('ledger:write');
    const list = await api('GET', '/scopes');
    expect(list.status).toBe(200);
    const ids = list.body.data.map((s: { id: string }) => s.id);
    expect(ids.indexOf(second.id)).toBeGreaterThan(ids.indexOf(res.body.data.id));
  });

  it('refuses a duplicate label with 409', async () => {
    await createScope('dup:label');
    const res = await api('POST', '/scopes', { body: { label: 'dup:label' } });
    expect(expectError(res, 409, 'CONFLICT')).toContain('dup:label');
    expect(await countRows('scopes', 'label = ?', 'dup:label')).toBe(1);
  });

  it.each([
    [{}, 'label: is required'],
    [{ label: '' }, 'label: must not be empty'],
    [{ label: 'has space' }, 'label: must be printable ASCII without spaces'],
    [{ label: 'x'.repeat(257) }, 'label: must be at most 256 characters'],
    [{ label: 'ok', metadata: 'x' }, 'metadata: Invalid input: expected record'],
  ])('refuses %j with a 400 naming the field and rule', async (body, message) => {
    expect(expectError(await api('POST', '/scopes', { body }), 400, 'VALIDATION')).toContain(message);
  });

  it('answers 404 for an unknown scope', async () => {
    expect(expectError(await api('GET', '/scopes/nope'), 404, 'NOT_FOUND')).toBe('scope "nope" not found');
  });
});

describe('updateScope', () => {
  it('replaces label and metadata, keeping transient scopes', async () => {
    const scope = await createScope('old:label', { a: '1' });
    const other = await createScope();
    await api('PUT', `/scopes/${scope.id}/transient/${other.id}`);
    const res = await api('PUT', `/scopes/${scope.id}`, { body: { label: 'new:label' } });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ id: scope.id, label: 'new:label', metadata: {}, transient: [other.id] });
  });

  it('keeps its own label (no self-conflict) and refuses another scope’s label with 409, unchanged', async () => {
    const scope = await createScope('mine');
    expect((await api('PUT', `/scopes/${scope.id}`, { body: { label: 'mine', metadata: { x: 'y' } } })).status).toBe(200);
    await createScope('taken');
    expectError(await api('PUT', `/scopes/${scope.id}`, { body: { label: 'taken' } }), 409, 'CONFLICT');
    expect((await api('GET', `/scopes/${scope.id}`)).body.data).toMatchObject({ label: 'mine', metadata: { x: 'y' } });
  });

  it('answers 404 for an unknown scope', async () => {
    expectError(await api('PUT', '/scopes/nope', { body: { label: 'whatever' } }), 404, 'NOT_FOUND');
  });
});

describe('deleteScope', () => {
  it('deletes, then answers 404', async () => {
    const scope = await createScope();
    expect((await api('DELETE', `/scopes/${scope.id}`)).status).toBe(204);
    expectError(await api('GET', `/scopes/${scope.id}`), 404, 'NOT_FOUND');
    expectError(await api('DELETE', `/scopes/${scope.id}`), 404, 'NOT_FOUND');
  });
});

describe('addTransientScope / deleteTransientScope', () => {
  it('adds idempotently, allows cycles, and removes idempotently', async () => {
    const a = await createScope();
    const b = await createScope();
    expect((await api('PUT', `/scopes/${a.id}/transient/${b.id}`)).status).toBe(204);
    expect((await api('PUT', `/scopes/${a.id}/transient/${b.id}`)).status).toBe(204);
    expect((await api('PUT', `/scopes/${b.id}/transient/${a.id}`)).status).toBe(204);
    expect((await api('GET', `/scopes/${a.id}`)).body.data.transient).toEqual([b.id]);
    expect((await api('GET', `/scopes/${b.id}`)).body.data.transient).toEqual([a.id]);
    expect((await api('DELETE', `/scopes/${a.id}/transient/${b.id}`)).status).toBe(204);
    expect((await api('DELETE', `/scopes/${a.id}/transient/${b.id}`)).status).toBe(204);
    expect((await api('GET', `/scopes/${a.id}`)).body.data.transient).toEqual([]);
  });

  it('refuses a scope as its own transient scope with 400', async () => {
    const a = await createScope();
    const message = expectError(await api('PUT', `/scopes/${a.id}/transient/${a.id}`), 400, 'VALIDATION');
    expect(message).toContain('transientScopeId: must differ from scopeId');
    expect(await countRows('scope_transients', 'scope_id = ?', a.id)).toBe(0);
  });

  it('answers 404 naming whichever scope is unknown', async () => {
    const a = await createScope();
    for (const method of ['PUT', 'DELETE']) {
      expect(expectError(await api(method, `/scopes/ghost/transient/${a.id}`), 404, 'NOT_FOUND')).toContain('scope "ghost"');
      expect(expectError(await api(method, `/scopes/${a.id}/transient/ghost`), 404, 'NOT_FOUND')).toContain('scope "ghost"');
    }
  });
});
