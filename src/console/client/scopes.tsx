import { useState } from 'hono/jsx/dom';
import { api, listAll } from './api';
import { ConfirmButton, ErrorNote, formText, useAction, useLoad } from './ui';

interface Scope {
  id: string;
  label: string;
  transient: string[];
}

/** How deep the tree is drawn: the API bounds a closure, the page bounds its drawing too. */
const MAX_DEPTH = 8;

/** Scopes with their transient scopes as a tree: a scope grants the scopes below it too. */
export function ScopesPage() {
  const scopes = useLoad(() => listAll<Scope>('/scopes'), []);
  const create = useAction();
  const items = scopes.value?.items ?? [];
  const byId = new Map(items.map((scope) => [scope.id, scope]));
  const granted = new Set(items.flatMap((scope) => scope.transient));
  // Roots: scopes no other scope grants (all of them if every one is granted by another).
  const roots = items.filter((scope) => !granted.has(scope.id));
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const label = formText(new FormData(form), 'label').trim();
    if (await create.run(() => api('POST', '/scopes', { body: { label } }))) {
      form.reset();
      scopes.reload();
    }
  };
  return (
    <main id="main" tabindex={-1}>
      <h1>Scopes</h1>
      <form class="inline panel" onSubmit={submit}>
        <div>
          <label for="new-scope">New scope's label</label>
          <input id="new-scope" name="label" required maxlength={256} spellcheck={false} placeholder="ledger:read" />
        </div>
        <button type="submit" disabled={create.pending}>
          Create scope
        </button>
      </form>
      <ErrorNote error={create.error ?? scopes.error} />
      {scopes.loading && <p role="status">Loading…</p>}
      {scopes.value && !scopes.value.complete && <p class="notice">Only the first 10,000 scopes are shown.</p>}
      {!scopes.loading && items.length === 0 && <p>No scopes yet.</p>}
      <ul class="scope-tree" aria-label="Scopes and the scopes they grant">
        {(roots.length ? roots : items).map((scope) => (
          <ScopeNode scope={scope} byId={byId} all={items} path={[]} reload={scopes.reload} />
        ))}
      </ul>
    </main>
  );
}

function ScopeNode(props: { scope: Scope; byId: Map<string, Scope>; all: Scope[]; path: string[]; reload: () => void; parent?: Scope }) {
  const { scope, byId, path } = props;
  const action = useAction();
  const [renaming, setRenaming] = useState(false);
  const here = `/scopes/${encodeURIComponent(scope.id)}`;
  const rename = async (event: Event) => {
    event.preventDefault();
    const label = formText(new FormData(event.currentTarget as HTMLFormElement), 'label').trim();
    if (await action.run(() => api('PUT', here, { body: { label } }))) {
      setRenaming(false);
      props.reload();
    }
  };
  const addTransient = async (event: Event) => {
    event.preventDefault();
    const child = formText(new FormData(event.currentTarget as HTMLFormElement), 'transient');
    if (child && (await action.run(() => api('PUT', `${here}/transient/${encodeURIComponent(child)}`)))) props.reload();
  };
  const removeFromParent = async () => {
    const parent = props.parent!;
    const ok = await action.run(() => api('DELETE', `/scopes/${encodeURIComponent(parent.id)}/transient/${encodeURIComponent(scope.id)}`));
    if (ok) props.reload();
  };
  const cycle = path.includes(scope.id);
  const children = cycle || path.length >= MAX_DEPTH ? [] : scope.transient.map((id) => byId.get(id)).filter((s): s is Scope => !!s);
  const candidates = props.all.filter((s) => s.id !== scope.id && !scope.transient.includes(s.id));
  const fieldId = `${[...path, scope.id].join('--')}`.replace(/[^\w-]/g, '_');
  return (
    <li>
      <div class="scope-row">
        <code class="scope-label">{scope.label}</code>
        <span class="muted">{scope.id}</span>
        {props.parent ? (
          <button type="button" class="link" onClick={removeFromParent} aria-label={`Remove ${scope.label} from ${props.parent.label}`}>
            Remove
          </button>
        ) : (
          <>
            <button type="button" class="link" onClick={() => setRenaming(!renaming)} aria-expanded={renaming}>
              Rename
            </button>
            <ConfirmButton
              label={`Delete ${scope.label}`}
              question={`Delete scope “${scope.label}”? It is detached from every client and scope.`}
              confirm="Delete scope"
              onConfirm={async () => {
                await api('DELETE', here);
                props.reload();
              }}
            />
          </>
        )}
      </div>
      {renaming && (
        <form class="inline" onSubmit={rename}>
          <label for={`rename-${fieldId}`}>New label for {scope.label}</label>
          <input id={`rename-${fieldId}`} name="label" value={scope.label} required spellcheck={false} />
          <button type="submit" class="secondary">
            Save label
          </button>
        </form>
      )}
      {!props.parent && candidates.length > 0 && (
        <form class="inline" onSubmit={addTransient}>
          <label for={`grant-${fieldId}`}>{scope.label} also grants</label>
          <select id={`grant-${fieldId}`} name="transient" required>
            <option value="">Choose a scope…</option>
            {candidates.map((s) => (
              <option value={s.id}>{s.label}</option>
            ))}
          </select>
          <button type="submit" class="secondary">
            Add
          </button>
        </form>
      )}
      <ErrorNote error={action.error} />
      {children.length > 0 && (
        <ul>
          {children.map((child) => (
            <ScopeNode scope={child} byId={byId} all={props.all} path={[...path, scope.id]} reload={props.reload} parent={scope} />
          ))}
        </ul>
      )}
    </li>
  );
}
