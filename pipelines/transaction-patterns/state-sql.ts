/** The one small interface Mechanism Y keeps its cumulative state through, and helpers its implementations share. */
import { StateStoreError } from './errors.js';

/** A value bound to a `$n` placeholder. Arrays are bound as PostgreSQL arrays. */
export type StateParam = string | number | bigint | boolean | null | readonly (string | number | null)[];

/** Runs SQL; the same shape inside and outside a transaction. */
export interface StateSql {
  /** Run one statement with `$1..$n` parameters; resolves to its rows. */
  query<R extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: readonly StateParam[]): Promise<R[]>;
  /** Run several statements without parameters (DDL, or a statement and its cleanup in one round trip). */
  exec(sql: string): Promise<void>;
  /** Append rows to `table`, one array of text values per column (PGlite: COPY; a server: unnest). */
  bulkInsert(table: string, columns: readonly BulkColumn[], values: readonly (readonly string[])[]): Promise<void>;
}

/** A column of a bulk insert: its name and SQL type. */
export interface BulkColumn {
  /** Column name. */
  name: string;
  /** SQL type the text values are cast to (`text`, `int`, `numeric`, `boolean`). */
  type: string;
}

/** A PostgreSQL database holding the pipeline's state. */
export interface StateStore extends StateSql {
  /** `pglite` or `postgres`, for messages. */
  readonly kind: 'pglite' | 'postgres';
  /** Run `fn` in one transaction: committed when it resolves, rolled back when it throws. `fn` must use the `sql` it is given. */
  transaction<T>(fn: (sql: StateSql) => Promise<T>): Promise<T>;
  /** Release the database (PGlite flushes its data folder). */
  close(): Promise<void>;
}

const TRANSIENT_PG_CODES = /^(08|40|53|57P)/;

/** Rethrow `err` as a {@link StateStoreError} (transient for connection, serialization and resource errors). */
export function stateStoreError(err: unknown, kind: string): never {
  if (err instanceof StateStoreError) throw err;
  const code = (err as { code?: string }).code;
  const transient = typeof code === 'string' ? TRANSIENT_PG_CODES.test(code) : /ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE/.test(String(code ?? (err as Error).message));
  throw new StateStoreError(`${kind} state store: ${(err as Error).message}`, transient, { cause: err });
}

function csvField(v: string): string {
  return /[",\n\r]/.test(v) || v === '' ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The rows (one array of text values per column) as CSV text, for COPY. */
export function toCsv(values: readonly (readonly string[])[]): string {
  const n = values[0]?.length ?? 0;
  const parts: string[] = new Array(n);
  for (let r = 0; r < n; r++) {
    let line = csvField(values[0]![r]!);
    for (let c = 1; c < values.length; c++) line += ',' + csvField(values[c]![r]!);
    parts[r] = line;
  }
  return parts.join('\n') + '\n';
}
