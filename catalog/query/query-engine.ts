/**
 * The query engine: run SQL with bound parameters over the catalog's tables and get typed rows
 * back. Implemented by DuckDB (embedded, the default) and Amazon Athena; both return the same value
 * types for the same SQL types, so reports and callers do not care which engine ran.
 */

/**
 * A value in a result row. SQL types map to: boolean -> boolean; tinyint..integer, real, double,
 * decimal -> number; bigint (and DuckDB's hugeint) -> number when within ±2^53, else bigint;
 * varchar -> string; date -> `YYYY-MM-DD` string; timestamp (with or without time zone) -> Date
 * (UTC, millisecond precision); varbinary/blob -> Uint8Array; DuckDB lists and structs -> arrays
 * and objects (Athena returns complex types as their text form); anything else -> its text form.
 */
export type SqlValue = null | boolean | number | bigint | string | Date | Uint8Array | SqlValue[] | { [key: string]: SqlValue };

/**
 * A bound parameter for a `?` placeholder: null, boolean, number, bigint, string, or Date (a
 * timestamp). Parameters are always bound, never spliced into the SQL text. Wrap a placeholder in
 * `CAST(? AS DATE)` (or another type) where the type matters; both engines accept that.
 */
export type SqlParam = null | boolean | number | bigint | string | Date;

/** A result row: column name -> value. */
export type Row = Record<string, SqlValue>;

/** A result column. */
export interface ColumnInfo {
  /** Column name (label). */
  name: string;
  /** The engine's own type name, lower case (`bigint`, `varchar`, `timestamp with time zone`, `decimal(18,2)`). */
  type: string;
}

/** What running a query cost. */
export interface QueryStats {
  /** Rows returned. */
  rows: number;
  /**
   * Bytes of table data the query read: Athena's `DataScannedInBytes`; DuckDB: the total size of
   * the data files of the tables the query names (an upper bound: pruning is not subtracted).
   * Undefined when unknown.
   */
  bytesScanned: number | undefined;
  /** Wall-clock time from the call to the last row, in ms. */
  elapsedMs: number;
  /** The engine's id of the query (Athena's `QueryExecutionId`), when it has one. */
  queryId?: string;
  /** Athena: true when a previous query's results were reused. */
  reusedResult?: boolean;
}

/** The result of a query. */
export interface QueryResult<R extends Row = Row> {
  /** Columns in result order. */
  columns: ColumnInfo[];
  /** Rows in result order. */
  rows: R[];
  /** Statistics. */
  stats: QueryStats;
}

/** Per-query options. */
export interface QueryOptions {
  /** Cancels the query when aborted (`QueryCancelledError`); Athena also stops the execution. */
  signal?: AbortSignal;
  /** Stop the query after this many ms (`QueryTimeoutError`); the engine's default when omitted. */
  timeoutMs?: number;
}

/** Runs SQL over the catalog's tables (`<database>.<table>`). */
export interface QueryEngine {
  /** Which engine this is (`duckdb`, `athena`). */
  readonly name: string;
  /**
   * Run one SQL statement with `params` bound to its `?` placeholders, in order. Throws
   * `QueryFailedError` when the engine rejects or fails the query, `QueryCancelledError` when
   * cancelled, `QueryTimeoutError` when the time limit passes, `UsageError` for a bad parameter.
   */
  query<R extends Row = Row>(sql: string, params?: readonly SqlParam[], options?: QueryOptions): Promise<QueryResult<R>>;
  /** Release the engine's resources (connections, clients). */
  close(): Promise<void>;
}
