/**
 * A D1 binding that counts round trips (each statement execution, batch or
 * exec is one). Used by tests and the benchmark, never by the deployed worker.
 */
export class CountingD1 {
  roundTrips = 0;
  readonly #inner: D1Database;
  readonly #unwrapped = new WeakMap<object, D1PreparedStatement>();

  constructor(inner: D1Database) {
    this.#inner = inner;
  }

  prepare(query: string): D1PreparedStatement {
    return this.#wrap(this.#inner.prepare(query));
  }

  batch<T = unknown>(statements: D1PreparedStatement[]): Promise<D1Result<T>[]> {
    this.roundTrips++;
    return this.#inner.batch<T>(statements.map((s) => this.#unwrapped.get(s) ?? s));
  }

  exec(query: string): Promise<D1ExecResult> {
    this.roundTrips++;
    return this.#inner.exec(query);
  }

  dump(): Promise<ArrayBuffer> {
    return this.#inner.dump();
  }

  #wrap(statement: D1PreparedStatement): D1PreparedStatement {
    const count = <R>(result: R) => {
      this.roundTrips++;
      return result;
    };
    const wrapped = {
      bind: (...values: unknown[]) => this.#wrap(statement.bind(...values)),
      first: (column?: string) => count(column === undefined ? statement.first() : statement.first(column)),
      run: () => count(statement.run()),
      all: () => count(statement.all()),
      raw: (options?: { columnNames?: boolean }) => count(statement.raw(options as { columnNames: true })),
    } as unknown as D1PreparedStatement;
    this.#unwrapped.set(wrapped, statement);
    return wrapped;
  }

  asBinding(): D1Database {
    return this as unknown as D1Database;
  }
}
