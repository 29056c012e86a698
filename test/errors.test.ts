import { describe, expect, it } from 'vitest';
import { api, countRows, createClient, expectError } from './helpers';

describe('request bodies', () => {
  it('answers malformed JSON with a 400', async () => {
    const res = await api('POST', '/clients', { rawBody: '{"name": ', headers: { 'content-type': 'application/json' } });
    expect(expectError(res, 400, 'VALIDATION')).toBe('Malformed JSON in request body');
  });

  it.each([
    ['text/plain', 'name=x'],
    ['application/x-www-form-urlencoded', 'name=x'],
  ])('answers a %s body with 415 naming the expected type', async (contentType, rawBody) => {
    const res = await api('POST', '/clients', { rawBody, headers: { 'content-type': contentType } });
    expect(expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE')).toBe(`Content-Type must be application/json (got "${contentType}")`);
  });

  it('answers a body without content type with 415', async () => {
    const res = await api('POST', '/scopes', { rawBody: '{"label":"x"}' });
    expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('accepts application/json with a charset', async () => {
    const res = await api('POST', '/scopes', { rawBody: '{"label":"charset"}', headers: { 'content-type': 'application/json; charset=utf-8' } });
    expect(res.status).toBe(201);
  });

  it('answers bodies over 64 KiB with 413 and stores nothing', async () => {
    const before = await countRows('clients');
    const huge = { name: 'big', description: 'x'.repeat(70 * 1024) };
    const res = await api('POST', '/clients', { body: huge });
    expect(expectError(res, 413, 'PAYLOAD_TOO_LARGE')).toContain('65536 bytes');
    const client = await createClient();
    expectError(await api('PUT', `/clients/${client.id}`, { body: huge }), 413, 'PAYLOAD_TOO_LARGE');
    expect(await countRows('clients')).toBe(before + 1);
  });

  it('answers a streamed body over 64 KiB (no Content-Length) with 413', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 5; i++) controller.enqueue(chunk);
        controller.close();
      },
    });
    const res = await api('POST', '/clients', { rawBody: stream, headers: { 'content-type': 'application/json' } });
    expectError(res, 413, 'PAYLOAD_TOO_LARGE');
  });
});

describe('routes', () => {
  it('answers an unknown route with a JSON 404', async () => {
    expect(expectError(await api('GET', '/nothing-here'), 404, 'NOT_FOUND')).toBe('no route for GET /nothing-here');
  });
});
