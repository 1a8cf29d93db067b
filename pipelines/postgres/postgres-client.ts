/**
 * The one small interface the PostgreSQL serving sink talks to, implemented by PGlite (embedded, real
 * Postgres in WASM) and by `pg` (a real server by URL). Only what the sink needs: a query with bound
 * parameters, and a transaction that commits when its callback resolves and rolls back when it throws.
 */

/** Something that runs SQL: a client, or a client inside a transaction. */
export interface SqlRunner {
  /** Run one statement with `$1..$n` parameters bound; rows as plain objects. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<{ rows: R[] }>;
}

/** A connection to PostgreSQL. */
export interface PostgresClient extends SqlRunner {
  /** `pglite` (embedded) or `pg` (server). */
  readonly kind: 'pglite' | 'pg';
  /** Run `fn` inside BEGIN ... COMMIT; ROLLBACK when it throws (the error is re-thrown). */
  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T>;
  /** Close the connection (and, for PGlite, flush and close the database). */
  close(): Promise<void>;
}
