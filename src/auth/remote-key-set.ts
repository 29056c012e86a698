import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { readBoundedText } from '../lib/bounded-body';

/** The identity provider's keys could not be had: its tokens get a 503, never a 401. */
export class KeySetUnavailableError extends Error {}

// What we wait for, and how often we ask, so a failing or slow provider costs little.
const FETCH_TIMEOUT_MS = 2_000;
const MAX_KEY_SET_BYTES = 64 * 1024;
/** A fetched key set is used this long before it is fetched again. */
const FRESH_MS = 10 * 60_000;
/** After a failure, or a fetch for an unknown kid, no new fetch for this long. */
export const QUIET_MS = 30_000;

type Verifier = ReturnType<typeof createLocalJWKSet>;

export interface RemoteKeySetOptions {
  /** Who publishes the keys, for messages: "the identity provider" by default. */
  source?: string;
  /** Keeps only the keys that may be used (a client's jwksUri: the rules of its inline keys). */
  sanitize?: (keySet: unknown) => JSONWebKeySet;
  /** Refuse redirects (a redirect answers as a failure): the URL given is the only place keys come from. */
  noRedirects?: boolean;
  /**
   * While the publisher fails, the last good keys are used at most this long after they were fetched
   * (default: with no limit). A publisher that takes its keys down to cut one off is obeyed within it.
   */
  maxStaleMs?: number;
}

async function fetchKeySet(url: string, { source = 'the identity provider', sanitize, noRedirects }: RemoteKeySetOptions): Promise<Verifier> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: 'application/json' },
      redirect: noRedirects ? 'manual' : 'follow',
    });
  } catch {
    throw new KeySetUnavailableError(`${source} did not answer`);
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new KeySetUnavailableError(`${source} answered ${response.status}`);
  }
  const text = await readBoundedText(response, MAX_KEY_SET_BYTES).catch(() => null);
  if (text === null) throw new KeySetUnavailableError(`${source} key set is too large or was cut short`);
  try {
    const parsed: unknown = JSON.parse(text);
    return createLocalJWKSet(sanitize ? sanitize(parsed) : (parsed as JSONWebKeySet));
  } catch {
    throw new KeySetUnavailableError(`${source} key set is not a JWK set`);
  }
}

/**
 * A remote JWKS, cached per isolate: fetched at most once per FRESH_MS, again
 * early only for an unknown kid and at most once per QUIET_MS; after a failed
 * fetch, QUIET_MS without asking again (the last good keys are kept meanwhile).
 * A provider that is down or slow makes its tokens fail fast with a 503 rather
 * than hold every request, or send one fetch per request its way.
 */
export class RemoteKeySet {
  #keys: Verifier | null = null;
  #fetchedAt = -Infinity;
  #lastAttemptAt = -Infinity;
  #failure: KeySetUnavailableError | null = null;
  #inFlight: Promise<Verifier> | null = null;

  constructor(
    readonly url: string,
    private readonly options: RemoteKeySetOptions = {},
  ) {}

  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    const keys = await this.#current();
    try {
      return await keys(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || !this.#mayFetch()) throw error;
      return (await this.#refresh())(header, token);
    }
  };

  #mayFetch = () => Date.now() - this.#lastAttemptAt >= QUIET_MS;

  #usableStale = () => this.#keys !== null && (this.options.maxStaleMs === undefined || Date.now() - this.#fetchedAt < this.options.maxStaleMs);

  async #current(): Promise<Verifier> {
    if (this.#keys && Date.now() - this.#fetchedAt < FRESH_MS) return this.#keys;
    if (!this.#mayFetch()) {
      if (this.#usableStale()) return this.#keys!;
      throw this.#failure ?? new KeySetUnavailableError(`${this.options.source ?? 'the identity provider'} keys are not available yet`);
    }
    return this.#refresh().catch((error) => {
      if (this.#usableStale()) return this.#keys!; // stale keys beat no keys while the provider is down, for a while
      throw error;
    });
  }

  #refresh(): Promise<Verifier> {
    this.#inFlight ??= (async () => {
      this.#lastAttemptAt = Date.now();
      try {
        this.#keys = await fetchKeySet(this.url, this.options);
        this.#fetchedAt = Date.now();
        this.#failure = null;
        return this.#keys;
      } catch (error) {
        this.#failure = error instanceof KeySetUnavailableError ? error : new KeySetUnavailableError(String(error));
        throw this.#failure;
      } finally {
        this.#inFlight = null;
      }
    })();
    return this.#inFlight;
  }
}
