import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/audit/audit.schemas';
import { MAX_MESSAGE_BYTES, messageOf } from '../../src/audit/outbox';

const event = (metadata: string): AuditEvent =>
  ({
    id: 'e',
    tenant: 't',
    at: '2026-11-28T00:00:00.000Z',
    actor: { sub: 's', clientId: 's', issuer: 'https://registry.test', jti: 'j' },
    action: 'updateClient',
    target: { type: 'client', id: 'c' },
    changes: { before: { metadata }, after: { metadata } },
    requestId: 'r',
  }) as AuditEvent;

describe('messageOf', () => {
  it('sends an event whole while it fits a queue message', () => {
    const small = event('x');
    expect(messageOf(small)).toEqual({ body: small, bytes: JSON.stringify(small).length });
  });

  it(`sends an event over ${MAX_MESSAGE_BYTES} bytes (counted in UTF-8) without its changes, marked truncated`, () => {
    // 'é' is 2 bytes: 26,000 of them twice are over the limit in bytes though not in characters.
    const large = event('é'.repeat(26_000));
    expect(JSON.stringify(large).length).toBeLessThan(MAX_MESSAGE_BYTES);
    const { body, bytes } = messageOf(large);
    expect(body).toEqual({ ...large, changes: null, truncated: true });
    expect(bytes).toBeLessThan(1000);
  });
});
