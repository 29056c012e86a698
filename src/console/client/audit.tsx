import { useState } from 'hono/jsx/dom';
import { api } from './api';
import { ErrorNote, formText, Pager, useLoad, usePages, when } from './ui';

interface Filters {
  targetId?: string;
  actorId?: string;
  action?: string;
}

/** The tenant's audit events, newest last as the API pages them, filtered by target, actor and action. */
export function AuditPage({ initial }: { initial: Filters }) {
  const [filters, setFilters] = useState<Filters>(initial);
  const pages = usePages();
  const cursor = pages.cursor;
  const page = useLoad(
    async () => (await api('GET', '/audit-events', { query: { pageSize: '50', cursor, ...filters } })).body,
    [cursor, filters.targetId, filters.actorId, filters.action],
  );
  const submit = (event: Event) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const pick = (name: string) => formText(data, name).trim() || undefined;
    setFilters({ targetId: pick('targetId'), actorId: pick('actorId'), action: pick('action') });
    pages.reset();
  };
  const events: any[] = page.value?.data ?? [];
  return (
    <main id="main" tabindex={-1}>
      <h1>Audit trail</h1>
      <form class="filters" role="search" onSubmit={submit}>
        <div>
          <label for="audit-target">Target id</label>
          <input id="audit-target" name="targetId" value={filters.targetId ?? ''} spellcheck={false} />
        </div>
        <div>
          <label for="audit-actor">Actor (its token’s subject: a client id)</label>
          <input id="audit-actor" name="actorId" value={filters.actorId ?? ''} spellcheck={false} />
        </div>
        <div>
          <label for="audit-action">Action</label>
          <input id="audit-action" name="action" value={filters.action ?? ''} spellcheck={false} placeholder="updateClient" />
        </div>
        <button type="submit" class="secondary">
          Filter
        </button>
      </form>
      <ErrorNote error={page.error} />
      <div class="table-wrap" tabindex={0} aria-label="Audit events table">
        <table>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Actor</th>
              <th scope="col">Changes</th>
            </tr>
          </thead>
          <tbody>
            {events.map((event) => (
              <tr data-testid="audit-row">
                <td>{when(event.at)}</td>
                <td>
                  <code>{event.action}</code>
                </td>
                <td>
                  {event.target.type}{' '}
                  {event.target.type === 'client' ? (
                    <a href={`#/clients/${encodeURIComponent(event.target.id)}`}>{event.target.id}</a>
                  ) : (
                    <code>{event.target.id}</code>
                  )}
                </td>
                <td>
                  <code>{event.actor.clientId ?? event.actor.sub}</code>
                </td>
                <td>
                  <details>
                    <summary>Before and after</summary>
                    <pre tabindex={0}>{JSON.stringify(event.changes, null, 2)}</pre>
                    <p class="muted">Request {event.requestId}</p>
                  </details>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {page.loading && <p role="status">Loading…</p>}
      {!page.loading && !page.error && events.length === 0 && <p>No events match.</p>}
      <Pager label="Pages of events" pages={pages} cursor={page.value?.cursor} />
    </main>
  );
}
