import { describe, expect, it } from 'vitest';
import { DOCS_CSP, SCALAR_INTEGRITY, SCALAR_VERSION } from '../src/docs-page';
import { api, createClient, tokenRequest, basicAuth, ADMIN_CREDENTIALS } from './helpers';

describe('HTTP hygiene', () => {
  it('sends Cache-Control: no-store on every admin answer, errors and the clear secret included', async () => {
    const client = await createClient();
    const answers = [
      await api('GET', '/clients'),
      await api('GET', `/clients/${client.id}`),
      await api('POST', `/clients/${client.id}/secrets`, { body: { name: 'once' } }),
      await api('PUT', `/clients/${client.id}`, { body: { name: 'x' } }),
      await api('GET', '/clients/nope'),
      await api('GET', '/scopes', { token: null }),
      await api('GET', '/api/auth/scopes'),
      await api('GET', '/audit-events'),
    ];
    for (const res of answers) expect(`${res.status} ${res.headers.get('cache-control')}`).toMatch(/^\d+ no-store$/);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 404, 401, 200, 200]);
  });

  it('sends X-Content-Type-Options: nosniff and X-Frame-Options: DENY on every answer', async () => {
    const answers = [
      await api('GET', '/clients'),
      await api('GET', '/keys', { token: null }),
      await api('GET', '/openapi.json', { token: null }),
      await api('GET', '/nothing-here', { token: null }),
      await tokenRequest({ grant_type: 'client_credentials' }, { authorization: basicAuth(ADMIN_CREDENTIALS.id, ADMIN_CREDENTIALS.secret) }),
      await tokenRequest({ grant_type: 'client_credentials' }, { authorization: basicAuth('ghost', 'x') }),
    ];
    for (const res of answers) {
      expect([res.headers.get('x-content-type-options'), res.headers.get('x-frame-options')]).toEqual(['nosniff', 'DENY']);
    }
  });

  it('serves /docs with a pinned, integrity-checked script and no inline script, under a CSP that forbids framing', async () => {
    const res = await api('GET', '/docs', { token: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(DOCS_CSP);
    expect(DOCS_CSP).toContain("frame-ancestors 'none'");
    expect(DOCS_CSP).toContain("default-src 'none'");
    expect(DOCS_CSP).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    const scripts = [...res.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(2);
    for (const [, attributes, body] of scripts) {
      expect(body!.trim()).toBe('');
      if (/\bsrc=/.test(attributes!)) {
        expect(attributes).toContain(`src="https://cdn.jsdelivr.net/npm/@scalar/api-reference@${SCALAR_VERSION}/dist/browser/standalone.js"`);
        expect(attributes).toContain(`integrity="${SCALAR_INTEGRITY}"`);
        expect(attributes).toContain('crossorigin="anonymous"');
      } else {
        expect(attributes).toContain('type="application/json"');
      }
    }
    expect(SCALAR_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    expect(SCALAR_INTEGRITY).toMatch(/^sha384-[A-Za-z0-9+/]{64}$/);
  });
});
