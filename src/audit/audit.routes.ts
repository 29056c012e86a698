import { adminRoute } from '../lib/admin-route';
import { pageContent } from '../lib/pagination';
import { errorResponses } from '../lib/schemas';
import { AuditEventSchema, LIST_DESCRIPTION, ListAuditEventsQuerySchema } from './audit.schemas';

export const listAuditEvents = adminRoute({
  operationId: 'listAuditEvents',
  method: 'get',
  path: '/audit-events',
  tags: ['Audit'],
  summary: 'List the audit trail of admin writes in the tenant',
  description: LIST_DESCRIPTION,
  request: { query: ListAuditEventsQuerySchema },
  responses: {
    200: pageContent(AuditEventSchema, 'ListAuditEventsResponse', 'A page of audit events'),
    ...errorResponses(),
  },
});
