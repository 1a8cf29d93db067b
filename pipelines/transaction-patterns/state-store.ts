/**
 * The one small interface Mechanism Y keeps its cumulative state through: PostgreSQL, embedded (PGlite,
 * real Postgres in WASM, in a data folder or in memory) or a real server by URL (`pg`).
 */
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { StateStoreError } from './errors.js';

/** A value bound to a `$n` placeholder. Arrays are bound as PostgreSQL arrays. */
export type StateParam = string | number | bigint | boolean | null | readonly (string | number | null)[];

/** Runs SQL; the same shape inside and outside a transaction. */
export interface StateSql {
  /** Run one statement with `$1..$n` parameters; resolves to its rows. */
  query<R extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: readonly StateParam[]): Promise<R[]>;
  /** Run several statements without parameters (DDL). */
  exec(sql: string): Promise<void>;
  /** Append rows to `table`, one array of text values per column (PGlite: COPY; a server: unnest). */
  bulkInsert(table: string, columns: readonly BulkColumn[], values: readonly (readonly string[])[]): Promise<void>;
}

/** A column of a bulk insert: its name and SQL type. */
export interface BulkColumn {
  /** Column name. */
  name: string;
  /** SQL type the text values are cast to (`text`, `numeric`). */
  type: string;
}

function csvField(v: string): string {
  return /[",\n\r]/.test(v) || v === '' ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The rows as CSV text, for COPY. */
function toCsv(values: readonly (readonly string[])[]): string {
  const n = values[0]?.length ?? 0;
  const parts: string[] = new Array(n);
  for (let r = 0; r < n; r++) {
    let line = csvField(values[0]![r]!);
    for (let c = 1; c < values.length; c++) line += ',' + csvField(values[c]![r]!);
    parts[r] = line;
  }
  return parts.join('\n') + '\n';
}

function unnestSql(table: string, columns: readonly BulkColumn[]): string {
  return `INSERT INTO ${table} (${columns.map((c) => c.name).join(', ')}) SELECT * FROM unnest(${columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ')})`;
}

/** A PostgreSQL database holding the pipeline's state. */
export interface StateStore extends StateSql {
  /** `pglite` or `postgres`, for messages. */
  readonly kind: 'pglite' | 'postgres';
  /** Run `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (sql: StateSql) => Promise<T>): Promise<T>;
  /** Release the database (PGlite flushes its data folder). */
  close(): Promise<void>;
}

const TRANSIENT_PG_CODES = /^(08|40|53|57P)/;

function wrap(err: unknown, kind: string): never {
  if (err instanceof StateStoreError) throw err;
  const code = (err as { code?: string }).code;
  const transient = typeof code === 'string' ? TRANSIENT_PG_CODES.test(code) : /ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE/.test(String(code ?? (err as Error).message));
  throw new StateStoreError(`${kind} state store: ${(err as Error).message}`, transient, { cause: err });
}

type PgliteRunner = Pick<PGlite, 'query'>;

async function pgliteCopy(db: PgliteRunner, table: string, columns: readonly BulkColumn[], values: readonly (readonly string[])[]): Promise<void> {
  if (!values[0]?.length) return;
  try {
    await db.query(`COPY ${table} (${columns.map((c) => c.name).join(', ')}) FROM '/dev/blob' WITH (FORMAT csv)`, [], { blob: new Blob([toCsv(values)]) });
  } catch (err) {
    wrap(err, 'pglite');
  }
}

class PgliteState implements StateStore {
  readonly kind = 'pglite' as const;
  constructor(private readonly db: PGlite) {}
  async bulkInsert(table: string, columns: readonly BulkColumn[], values: readonly (readonly string[])[]): Promise<void> {
    await pgliteCopy(this.db, table, columns, values);
  }
  async query<R extends Record<string, unknown>>(sql: string, params: readonly StateParam[] = []): Promise<R[]> {
    try {
      return (await this.db.query<R>(sql, params as unknown[])).rows;
    } catch (err) {
      return wrap(err, this.kind);
    }
  }
  async exec(sql: string): Promise<void> {
    try {
      await this.db.exec(sql);
    } catch (err) {
      wrap(err, this.kind);
    }
  }
  async transaction<T>(fn: (sql: StateSql) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) =>
      fn({
        query: async <R extends Record<string, unknown>>(sql: string, params: readonly StateParam[] = []) => {
          try {
            return (await tx.query<R>(sql, params as unknown[])).rows;
          } catch (err) {
            return wrap(err, 'pglite');
          }
        },
        exec: async (sql: string) => {
          try {
            await tx.exec(sql);
          } catch (err) {
            wrap(err, 'pglite');
          }
        },
        bulkInsert: (table, columns, values) => pgliteCopy(tx, table, columns, values),
      }),
    );
  }
  async close(): Promise<void> {
    await this.db.close();
  }
}

class PostgresState implements StateStore {
  readonly kind = 'postgres' as const;
  constructor(private readonly client: pg.Client) {}
  async query<R extends Record<string, unknown>>(sql: string, params: readonly StateParam[] = []): Promise<R[]> {
    try {
      return (await this.client.query<R>(sql, params as unknown[])).rows;
    } catch (err) {
      return wrap(err, this.kind);
    }
  }
  async exec(sql: string): Promise<void> {
    await this.query(sql);
  }
  async bulkInsert(table: string, columns: readonly BulkColumn[], values: readonly (readonly string[])[]): Promise<void> {
    if (values[0]?.length) await this.query(unnestSql(table, columns), values);
  }
  async transaction<T>(fn: (sql: StateSql) => Promise<T>): Promise<T> {
    await this.query('BEGIN');
    try {
      const result = await fn(this);
      await this.query('COMMIT');
      return result;
    } catch (err) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }
  async close(): Promise<void> {
    await this.client.end();
  }
}

/**
 * Open the state store: a `postgres://` / `postgresql://` URL connects to that server; anything else is a
 * PGlite data folder (created when absent); `undefined` is an in-memory PGlite (lost on exit).
 */
export async function openStateStore(target: string | undefined): Promise<StateStore> {
  if (target && /^postgres(ql)?:\/\//i.test(target)) {
    const client = new pg.Client({ connectionString: target });
    try {
      await client.connect();
    } catch (err) {
      wrap(err, 'postgres');
    }
    return new PostgresState(client);
  }
  try {
    if (target) await mkdir(target, { recursive: true });
    const db = target ? await PGlite.create(target) : await PGlite.create();
    return new PgliteState(db);
  } catch (err) {
    return wrap(err, 'pglite');
  }
}
