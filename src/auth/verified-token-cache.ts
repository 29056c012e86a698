/**
 * A bounded, least-recently-used memory of tokens already verified in this
 * isolate. Callers reuse one token for up to an hour, so checking its
 * signature again on every request would be wasted work; an entry is only
 * served while the token's `exp` (plus the clock tolerance) has not passed.
 */
export class VerifiedTokenCache<T extends { claims: { exp?: number } }> {
  readonly #entries = new Map<string, T>();

  constructor(
    readonly maxEntries: number,
    readonly toleranceSeconds: number,
  ) {}

  get(key: string, nowSeconds: number): T | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    const { exp } = entry.claims;
    if (exp === undefined || exp + this.toleranceSeconds <= nowSeconds) return undefined;
    this.#entries.set(key, entry); // most recently used last
    return entry;
  }

  set(key: string, value: T): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
  }

  get size() {
    return this.#entries.size;
  }
}
