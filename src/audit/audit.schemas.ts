import { z } from '@hono/zod-openapi';
import { FILTERED_SCAN_BUDGET, PageQuerySchema } from '../lib/pagination';
import { text } from '../lib/schemas';

const dateTime = (name: string, description: string) =>
  z.iso
    .datetime({ offset: true, message: 'must be an RFC 3339 date-time, e.g. 2030-01-01T00:00:00Z' })
    .optional()
    .openapi({ param: { name, in: 'query' }, description });

const id = (name: string, description: string) =>
  text()
    .min(1, 'must not be empty')
    .max(256, 'must be at most 256 characters')
    .optional()
    .openapi({ param: { name, in: 'query' }, description });

export const ListAuditEventsQuerySchema = PageQuerySchema.extend({
  targetId: id('targetId', 'Only events about this client or scope id'),
  actorId: id('actorId', 'Only events whose caller’s token had this `sub`'),
  action: z
    .string()
    .regex(/^[A-Za-z]{1,64}$/, 'must be an operation id, e.g. updateClient')
    .optional()
    .openapi({ param: { name: 'action', in: 'query' }, description: 'Only events of this operation (its operationId)' }),
  since: dateTime('since', 'Only events at or after this instant'),
  until: dateTime('until', 'Only events before this instant'),
}).superRefine((query, ctx) => {
  if (query.since !== undefined && query.until !== undefined && Date.parse(query.until) <= Date.parse(query.since)) {
    ctx.addIssue({ code: 'custom', path: ['until'], message: 'must be after since' });
  }
});

export type ListAuditEventsQuery = z.infer<typeof ListAuditEventsQuerySchema>;

const SnapshotSchema = z
  .record(z.string(), z.unknown())
  .nullable()
  .openapi({
    description:
      'The target as JSON, with its version; null when it did not (before) or no longer (after) exist. ' +
      'Secrets appear by id, name and last digits only.',
  });

export const AuditEventSchema = z
  .object({
    id: z.string(),
    tenant: z.string(),
    at: z.string().openapi({ format: 'date-time', description: 'When the write committed, to the millisecond' }),
    actor: z
      .object({
        sub: z.string(),
        clientId: z.string().nullable(),
        issuer: z.string(),
        jti: z.string().nullable().openapi({ description: 'The id of the token used, when it had one' }),
      })
      .openapi('AuditActor'),
    action: z.string().openapi({ description: 'The operationId of the write', example: 'updateClient' }),
    target: z.object({ type: z.string().openapi({ example: 'client' }), id: z.string() }).openapi('AuditTarget'),
    changes: z.object({ before: SnapshotSchema, after: SnapshotSchema }),
    requestId: z.string().openapi({ description: 'The X-Request-Id of the write’s response' }),
  })
  .openapi('AuditEvent');

export type AuditEvent = z.infer<typeof AuditEventSchema>;

export const LIST_DESCRIPTION =
  'One event per admin write that changed something, in (time, id) order, a page at a time; a refused write, ' +
  'or one that changed nothing (attaching an attached scope), has none. A page is one query on an index: ' +
  'the one of `targetId`, else `actorId`, else `action`, else the tenant’s; `since`/`until` narrow its range. ' +
  `Any other given filter is tested on at most ${FILTERED_SCAN_BUDGET} events after the cursor: when that ` +
  'budget runs out, the page (possibly short, or empty) comes back with `hasMore: true` and a `cursor.next` ' +
  'that resumes there. Follow `next` until `hasMore` is false. A page also carries at most 1 MiB of JSON.';
