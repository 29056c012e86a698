import { and, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import { guardedAll, type TokenGuard } from '../auth/token-liveness';
import type { Database } from '../db';
import { auditEvents } from '../db/schema';
import type { CursorPosition } from '../lib/cursor';
import { afterPosition, FILTERED_SCAN_BUDGET, scannedPage, withinPageBudget, type BoundedScan, type BudgetedRow, type ScannedRow } from '../lib/pagination';
import type { AuditEvent } from './audit.schemas';

export interface AuditFilters {
  targetId?: string;
  actorId?: string;
  action?: string;
  /** Epoch ms, inclusive. */
  since?: number;
  /** Epoch ms, exclusive. */
  until?: number;
}

export interface AuditPage {
  limit: number;
  after?: CursorPosition;
  filters: AuditFilters;
}

/**
 * The equality filters with an index of their own, (tenant_id, <column>,
 * created_at, id), most selective first: a target has few events, an actor
 * more, an action many. The first one given picks the index; the others are
 * tested on the rows it yields, within the scan budget.
 */
const KEYED = [
  { filter: 'targetId', column: auditEvents.targetId, index: 'audit_events_target_idx' },
  { filter: 'actorId', column: auditEvents.actorSub, index: 'audit_events_actor_idx' },
  { filter: 'action', column: auditEvents.action, index: 'audit_events_action_idx' },
] as const;
const TENANT_INDEX = 'audit_events_tenant_idx';

// Raw SQL over the table's own name, as clientJson: evaluated in the final select, joined by rowid.
// `at` is epoch ms here: toEvent() formats it.
export const eventJson = sql`json_object(
  'id', audit_events.id,
  'tenant', audit_events.tenant_id,
  'at', audit_events.created_at,
  'actor', json_object('sub', audit_events.actor_sub, 'clientId', audit_events.actor_client_id,
    'issuer', audit_events.actor_issuer, 'jti', audit_events.actor_jti),
  'action', audit_events.action,
  'target', json_object('type', audit_events.target_type, 'id', audit_events.target_id),
  'changes', json_object('before', json(audit_events."before"), 'after', json(audit_events."after")),
  'requestId', audit_events.request_id
)`;

/** What an event's JSON weighs, about, without building it: for the page budget. */
const eventBytes = sql`(300 + octet_length(audit_events.actor_sub) + octet_length(audit_events.actor_issuer)
  + octet_length(audit_events.target_id) + coalesce(octet_length(audit_events."before"), 0)
  + coalesce(octet_length(audit_events."after"), 0))`;

/**
 * One lower bound on (created_at, id), the later of the cursor and `since`:
 * given both, SQLite would range on one and filter on the other, and a cursor
 * deep into a long range would re-read the index from `since` on every page.
 */
function lowerBound(after: CursorPosition | undefined, since: number | undefined): SQL | undefined {
  if (after && (since === undefined || after.createdAt >= since)) return afterPosition(auditEvents, after);
  return since === undefined ? undefined : gte(auditEvents.createdAt, since);
}

/**
 * A page of the tenant's events as one statement (exported for its EXPLAIN
 * QUERY PLAN test). The range (tenant, the keyed filter, since/until, the
 * cursor) is read from one index in (created_at, id) order, INDEXED BY so the
 * planner cannot pick another. Without other filters, the page is the next
 * `limit` positions. With others, like listFilteredClients: the next
 * FILTERED_SCAN_BUDGET + 1 positions are scanned, the first
 * FILTERED_SCAN_BUDGET fetched by rowid and tested, at most `limit` kept, and
 * a marker row (stop = 1) says where the scan stopped when rows remained.
 */
export function auditEventsQuery(tenantId: string, page: AuditPage): SQL {
  const { filters } = page;
  const [key, ...others] = KEYED.filter(({ filter }) => filters[filter] !== undefined);
  const range = and(
    eq(auditEvents.tenantId, tenantId),
    key && eq(key.column, filters[key.filter]!),
    lowerBound(page.after, filters.since),
    filters.until === undefined ? undefined : lt(auditEvents.createdAt, filters.until),
  );
  const scan = (limit: number) => sql`
    SELECT ${auditEvents}.rowid AS rid, ${auditEvents.createdAt} AS created_at, ${auditEvents.id} AS id
    FROM ${auditEvents} INDEXED BY ${sql.raw(key?.index ?? TENANT_INDEX)}
    WHERE ${range}
    ORDER BY ${auditEvents.createdAt}, ${auditEvents.id}
    LIMIT ${limit}`;
  const pageOf = (hits: string) =>
    withinPageBudget(
      sql`SELECT ${sql.raw(hits)}.rid AS rid, ${sql.raw(hits)}.created_at AS created_at, ${sql.raw(hits)}.id AS id,
        ${eventBytes} AS bytes FROM ${sql.raw(hits)} JOIN ${auditEvents} ON ${auditEvents}.rowid = ${sql.raw(hits)}.rid`,
      auditEvents,
      eventJson,
      sql`0`,
    );
  if (others.length === 0) {
    return sql`WITH hits AS (${scan(page.limit)}), page AS (${pageOf('hits')})
      SELECT 0 AS stop, json, version, created_at, id, fetched FROM page ORDER BY 4, 5`;
  }
  return sql`
    WITH
      scan AS (${scan(FILTERED_SCAN_BUDGET + 1)}),
      budget AS (SELECT rid, created_at, id FROM scan ORDER BY created_at, id LIMIT ${FILTERED_SCAN_BUDGET}),
      hits AS (
        SELECT budget.rid, budget.created_at, budget.id FROM budget JOIN ${auditEvents} ON ${auditEvents}.rowid = budget.rid
        WHERE ${and(...others.map(({ filter, column }) => eq(column, filters[filter]!)))}
        ORDER BY budget.created_at, budget.id
        LIMIT ${page.limit}
      ),
      page AS (${pageOf('hits')})
    SELECT 0 AS stop, json, version, created_at, id, fetched FROM page
    UNION ALL
    SELECT 1, NULL, NULL, created_at, id, NULL
      FROM (SELECT created_at, id FROM budget ORDER BY created_at DESC, id DESC LIMIT 1)
      WHERE (SELECT count(*) FROM scan) > ${FILTERED_SCAN_BUDGET}
    ORDER BY 1, 4, 5`;
}

type AuditRow = { event: AuditEvent; createdAt: number; id: string };

/** An event as the API (and the queue) carry it, from eventJson. */
export const toEvent = (json: string): AuditEvent => {
  const event = JSON.parse(json) as Omit<AuditEvent, 'at'> & { at: number };
  return { ...event, at: new Date(event.at).toISOString() };
};

const toRow = (row: BudgetedRow): AuditRow => ({ event: toEvent(row.json), createdAt: row.created_at, id: row.id });

/** One page, one query: see auditEventsQuery. */
export async function listAuditEvents(db: Database, tenantId: string, page: AuditPage, guard?: TokenGuard): Promise<BoundedScan<AuditRow>> {
  const rows = await guardedAll<ScannedRow>(db, guard, auditEventsQuery(tenantId, page));
  return scannedPage(rows, toRow);
}
