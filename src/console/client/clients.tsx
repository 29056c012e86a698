import { useState } from 'hono/jsx/dom';
import { api } from './api';
import { ClientFields, clientOptionsFrom } from './client-form';
import { ErrorNote, formText, go, Pager, parseMetadata, useAction, useLoad, usePages, when } from './ui';

interface Filters {
  name: string;
  metadata: string;
}

/** The clients of the tenant, a page at a time (the API's cursors), filtered by name prefix and metadata. */
export function ClientsPage() {
  const [filters, setFilters] = useState<Filters>({ name: '', metadata: '' });
  // Cursors of the pages before this one: the API only links forward.
  const pages = usePages();
  const [filterError, setFilterError] = useState<unknown>(null);
  const cursor = pages.cursor;
  const page = useLoad(async () => {
    const query: Record<string, string | undefined> = { pageSize: '20', cursor, name: filters.name || undefined };
    for (const [key, value] of Object.entries(parseMetadata(filters.metadata))) query[`metadata[${key}]`] = value;
    return (await api('GET', '/clients', { query })).body;
  }, [cursor, filters.name, filters.metadata]);

  const applyFilters = (event: Event) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const next = { name: formText(data, 'name').trim(), metadata: formText(data, 'metadata') };
    try {
      parseMetadata(next.metadata);
      setFilterError(null);
    } catch (error) {
      return setFilterError(error);
    }
    setFilters(next);
    pages.reset();
  };

  const clients: any[] = page.value?.data ?? [];
  return (
    <main id="main" tabindex={-1}>
      <h1>Clients</h1>
      <CreateClient />
      <section aria-labelledby="clients-list">
        <h2 id="clients-list">All clients</h2>
        <form class="filters" onSubmit={applyFilters} role="search">
          <div>
            <label for="filter-name">Name starts with</label>
            <input id="filter-name" name="name" value={filters.name} />
          </div>
          <div>
            <label for="filter-metadata">Metadata (key=value, comma-separated)</label>
            <input id="filter-metadata" name="metadata" value={filters.metadata} placeholder="team=billing" />
          </div>
          <button type="submit" class="secondary">
            Filter
          </button>
        </form>
        <ErrorNote error={filterError ?? page.error} />
        <div class="table-wrap" tabindex={0} aria-label="Clients table">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Id</th>
                <th scope="col">Scopes</th>
                <th scope="col">Secrets</th>
                <th scope="col">Last secret used</th>
              </tr>
            </thead>
            <tbody>
              {clients.map((client) => (
                <tr>
                  <td>
                    <a href={`#/clients/${encodeURIComponent(client.id)}`}>{client.name}</a>
                  </td>
                  <td>
                    <code>{client.id}</code>
                  </td>
                  <td>{client.scopes.length}</td>
                  <td>{client.secrets.length}</td>
                  <td>{when(lastUsed(client.secrets))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {page.loading && <p role="status">Loading…</p>}
        {!page.loading && !page.error && clients.length === 0 && (
          <p>{page.value?.cursor?.hasMore ? 'No match in this stretch: try the next page.' : 'No clients match.'}</p>
        )}
        <Pager label="Pages of clients" pages={pages} cursor={page.value?.cursor} />
      </section>
    </main>
  );
}

const lastUsed = (secrets: Array<{ lastUsedAt: string | null }>) =>
  secrets.map((s) => s.lastUsedAt).filter((at): at is string => !!at).sort().pop() ?? null;

function CreateClient() {
  const action = useAction();
  const submit = async (event: Event) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    await action.run(async () => {
      const id = formText(data, 'id').trim();
      const { data: client } = await api('POST', '/clients', { body: { ...clientOptionsFrom(data), ...(id ? { id } : {}) } });
      go(`/clients/${encodeURIComponent(client.id)}`);
    });
  };
  return (
    <details class="panel">
      <summary>New client</summary>
      <form onSubmit={submit}>
        <label for="new-client-id">Id (optional: a UUID is generated)</label>
        <input id="new-client-id" name="id" spellcheck={false} />
        <ClientFields prefix="new-client" />
        <ErrorNote error={action.error} />
        <button type="submit" disabled={action.pending}>
          Create client
        </button>
      </form>
    </details>
  );
}
