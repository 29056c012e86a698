type D1Like = Pick<D1Database, 'prepare' | 'batch'>;

/**
 * A D1 binding that counts round trips (each statement execution or batch is
 * one), sessions included. Used by tests and the benchmark, never deployed.
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
    return this.#batch(this.#inner, statements);
  }

  exec(query: string): Promise<D1ExecResult> {
    this.roundTrips++;
    return this.#inner.exec(query);
  }

  withSession(constraintOrBookmark?: string): D1DatabaseSession {
    const session = this.#inner.withSession(constraintOrBookmark);
    return {
      prepare: (query: string) => this.#wrap(session.prepare(query)),
      batch: <T = unknown>(statements: D1PreparedStatement[]) => this.#batch<T>(session, statements),
      getBookmark: () => session.getBookmark(),
    } as D1DatabaseSession;
  }

  asBinding(): D1Database {
    return this as unknown as D1Database;
  }

  #batch<T>(target: D1Like, statements: D1PreparedStatement[]): Promise<D1Result<T>[]> {
    this.roundTrips++;
    return target.batch<T>(statements.map((s) => this.#unwrapped.get(s) ?? s));
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
}
