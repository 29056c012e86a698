import { useEffect, useRef, useState } from 'hono/jsx/dom';
import type { Child } from 'hono/jsx';
import { ApiFailure } from './api';
import { explain } from './explain';

/** A refusal shown where it happened: the API's code and message, and what it means. */
export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const failure = error instanceof ApiFailure ? error : new ApiFailure(0, 'ERROR', String((error as Error)?.message ?? error));
  const meaning = explain(failure);
  return (
    <div class="error" role="alert">
      <p>
        <code class="error-code">{failure.errorCode}</code> {failure.errorMessage}
      </p>
      {meaning && <p class="error-meaning">{meaning}</p>}
    </div>
  );
}

/**
 * Runs one API action for a form or button: its pending state and its error,
 * shown next to it. `run` resolves when the action is over.
 */
export function useAction() {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (action: () => Promise<unknown>) => {
    setPending(true);
    setError(null);
    try {
      await action();
      return true;
    } catch (failure) {
      setError(failure);
      return false;
    } finally {
      setPending(false);
    }
  };
  return { pending, error, run, setError };
}

/** A value loaded from the API, reloaded when `deps` change or on `reload()`. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [state, setState] = useState<{ value?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      (value) => live && setState({ value, loading: false }),
      (error) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, round]);
  return { ...state, reload: () => setRound((r) => r + 1) };
}

/** Copies `value` to the clipboard; says so. */
export function CopyButton({ value, label = 'Copy' }: { value: string; label?: string }) {
  const [done, setDone] = useState<string | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setDone('Copied');
    } catch {
      setDone('Copy failed: select the text and copy it');
    }
  };
  return (
    <span class="copy">
      <button type="button" class="secondary" onClick={copy}>
        {label}
      </button>
      <span role="status" class="copy-status">
        {done ?? ''}
      </span>
    </span>
  );
}

/**
 * A modal dialog (native <dialog>: focus is kept inside, Escape closes it). When it goes,
 * focus goes back to what opened it, if that is still on the page.
 */
export function Dialog(props: { title: string; onClose: () => void; children: Child; labelId: string; returnTo?: HTMLElement | null }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    const opener = props.returnTo ?? (document.activeElement as HTMLElement | null);
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      dialog?.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  return (
    <dialog ref={ref} aria-labelledby={props.labelId} onClose={props.onClose}>
      <h2 id={props.labelId}>{props.title}</h2>
      {props.children}
    </dialog>
  );
}

/** A button that asks first: nothing is deleted without a second, explicit click. */
export function ConfirmButton(props: { label: string; question: string; confirm: string; onConfirm: () => Promise<unknown> }) {
  const [open, setOpen] = useState(false);
  const action = useAction();
  const id = `confirm-${props.label.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <>
      <button type="button" class="danger" onClick={() => setOpen(true)}>
        {props.label}
      </button>
      {open && (
        <Dialog title={props.question} labelId={id} onClose={() => setOpen(false)}>
          <ErrorNote error={action.error} />
          <div class="actions">
            <button
              type="button"
              class="danger"
              disabled={action.pending}
              onClick={async () => {
                if (await action.run(props.onConfirm)) setOpen(false);
              }}
            >
              {props.confirm}
            </button>
            <button type="button" class="secondary" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </Dialog>
      )}
    </>
  );
}

export const when = (iso: string | null | undefined, never = 'never') =>
  iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : never;

/** "key=value" lines to a metadata object; blank lines are skipped. */
export function parseMetadata(text: string): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const line of text.split(/[\n,]/)) {
    const trimmed = line.trim();
    if (!trimmed) continue;
    const at = trimmed.indexOf('=');
    if (at <= 0) throw new ApiFailure(400, 'VALIDATION', `metadata: "${trimmed}" must be key=value`);
    metadata[trimmed.slice(0, at).trim()] = trimmed.slice(at + 1).trim();
  }
  return metadata;
}

export const metadataText = (metadata: Record<string, string> = {}) =>
  Object.entries(metadata)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n');

export const lines = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

export const formText = (form: FormData, name: string) => String(form.get(name) ?? '');

/** Navigates inside the console (hash routes: the server has one page). */
export const go = (route: string) => {
  location.hash = route;
};

/**
 * A list's position, as a stack of cursors: the API only links forward (cursor.next), so
 * "previous" is the cursor before. `reset()` goes back to the first page (new filters).
 */
export function usePages() {
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  return {
    cursor: cursors[cursors.length - 1],
    number: cursors.length,
    back: () => setCursors(cursors.slice(0, -1)),
    forward: (next: string) => setCursors([...cursors, next]),
    reset: () => setCursors([undefined]),
  };
}

/** Previous and next page of a list whose current page answered `cursor` ({ hasMore, next }). */
export function Pager(props: { label: string; pages: ReturnType<typeof usePages>; cursor?: { hasMore?: boolean; next?: string } }) {
  const { pages, cursor } = props;
  return (
    <nav class="pager" aria-label={props.label}>
      <button type="button" class="secondary" disabled={pages.number === 1} onClick={pages.back}>
        Previous page
      </button>
      <span>Page {pages.number}</span>
      <button type="button" class="secondary" disabled={!cursor?.hasMore || !cursor.next} onClick={() => pages.forward(cursor!.next!)}>
        Next page
      </button>
    </nav>
  );
}

/** A command to copy: shown, selectable, and a button that copies it. */
export function CommandBlock({ command, label = 'curl command' }: { command: string; label?: string }) {
  return (
    <>
      <pre data-testid="token-curl" tabindex={0} aria-label={label}>
        {command}
      </pre>
      <CopyButton value={command} label="Copy curl" />
    </>
  );
}
