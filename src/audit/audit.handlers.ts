import { signingKeysOf } from '../auth/signing-keys';
import { publicUrlOf } from '../config';
import type { AppRouteHandler as Handler } from '../lib/create-router';
import { readPage } from '../lib/pagination';
import * as repository from './audit.repository';
import type * as routes from './audit.routes';

const epochMs = (dateTime: string | undefined) => (dateTime === undefined ? undefined : Date.parse(dateTime));

export const listAuditEvents: Handler<typeof routes.listAuditEvents> = async (c) => {
  const { pageSize, cursor, targetId, actorId, action, since, until } = c.req.valid('query');
  const filters: repository.AuditFilters = { targetId, actorId, action, since: epochMs(since), until: epochMs(until) };
  const { cursorKey } = await signingKeysOf(c.env.SIGNING_KEYS!);
  // Bound to the filters as parsed (an instant, however it was written): another set is another list.
  const scope = { list: 'audit-events', tenantId: c.var.tenantId, filters: JSON.stringify(filters) };
  const { page, headers } = await readPage(
    { cursorKey, scope, url: publicUrlOf(c.env, c.req.url), pageSize, cursor },
    (window) => repository.listAuditEvents(c.var.db, c.var.tenantId, { ...window, filters }, c.var.tokenGuard),
    (row) => row.event,
  );
  return c.json(page, 200, headers);
};
