import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { escalationRefused, refuseReservedLabel } from '../src/auth/privileges';
import { explain } from '../src/console/client/explain';
import { ApiError } from '../src/lib/errors';

const get = (path: string) => exports.default.fetch(new Request(`https://registry.test${path}`));

describe('GET /console: one page, locked down', () => {
  it.each(['/console', '/console/'])('%s is the console page under a strict Content-Security-Policy', async (path) => {
    const res = await get(path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const directives = Object.fromEntries(
      res.headers
        .get('content-security-policy')!
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([name, ...values]) => [name, values.join(' ')]),
    );
    expect(directives).toMatchObject({
      'default-src': "'self'",
      'script-src': "'self'",
      'style-src': "'self'",
      'connect-src': "'self'",
      'frame-ancestors': "'none'",
      'object-src': "'none'",
      'base-uri': "'none'",
    });
    expect(res.headers.get('content-security-policy')).not.toMatch(/unsafe-|https?:|\*/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');

    const html = await res.text();
    // No inline script or style, nothing from another origin: only this origin's built assets.
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(1);
    expect(scripts[0]![1]).toContain('src="/console/assets/app.js"');
    expect(scripts[0]![2]).toBe('');
    expect(html).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).toContain('href="/console/assets/app.css"');
  });

  it('is not part of the Formance API prefix, and answers GET only', async () => {
    expect((await get('/api/auth/console')).status).toBe(404);
    const post = await exports.default.fetch(new Request('https://registry.test/console', { method: 'POST' }));
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('the console explains refusals in words', () => {
  it('an escalation names the privilege and why it is refused', () => {
    const refusal = escalationRefused('attaching scope "x"', ['auth:introspect', 'auth:tenants']);
    const words = explain({ status: 403, errorCode: 'FORBIDDEN', errorMessage: refusal.message });
    expect(words).toContain('auth:introspect, auth:tenants');
    expect(words).toMatch(/your own token does not carry it/);
    expect(words).toMatch(/tenant boundary/);
  });

  it('the reserved label, a foreign tenant and a missing scope each get their own explanation', () => {
    const reserved = (() => {
      try {
        refuseReservedLabel('auth:tenants', 'acme', 'operators');
      } catch (error) {
        return (error as ApiError).message;
      }
      throw new Error('refuseReservedLabel did not refuse');
    })();
    expect(explain({ status: 403, errorCode: 'FORBIDDEN', errorMessage: reserved })).toMatch(/only in the operator tenant/);
    expect(explain({ status: 403, errorCode: 'FORBIDDEN', errorMessage: 'X-Tenant-Id needs scope auth:tenants' })).toMatch(
      /Only operators/,
    );
    expect(explain({ status: 403, errorCode: 'FORBIDDEN', errorMessage: 'this operation needs scope auth:write' })).toBe(
      'Your token does not carry auth:write. Sign in with a client that has it.',
    );
  });

  it('a 412 says the thing changed since it was opened', () => {
    expect(explain({ status: 412, errorCode: 'PRECONDITION_FAILED', errorMessage: 'x' })).toMatch(/changed since you opened it/);
  });

  it('an error without a known meaning adds nothing', () => {
    expect(explain({ status: 400, errorCode: 'SOMETHING', errorMessage: 'x' })).toBeNull();
  });
});
