/**
 * The PostgreSQL serving sink: load rows into a table with upsert on a key, inside one transaction,
 * through a staging table. The target is created when absent (primary key on the key, the requested
 * indexes, an `updated_at` column); the rows go into a temporary staging table in batches, then one
 * `INSERT ... SELECT ... ON CONFLICT (key) DO UPDATE` moves them across. A row whose values did not
 * change is left alone (its `updated_at` too), so a re-run leaves the target identical; any failure
 * rolls the whole load back, so the target is never half-loaded.
 */
import type * as arrow from 'apache-arrow';
import { UsageError } from '../../etl/errors.js';
import { batchAsText, pgColumns, type PgColumn } from './arrow-columns.js';
import type { PostgresClient, SqlRunner } from './postgres-client.js';

/** What to load and where. */
export interface UpsertOptions {
  /** Target table name (a plain identifier, optionally `schema.table`). */
  table: string;
  /** Schema of the rows; the target's columns (plus `updated_at`). */
  schema: arrow.Schema;
  /** Conflict key columns; the target's primary key. */
  key: readonly string[];
  /** Extra indexes, as column lists (`['total_spent_aud DESC']`); created when absent. */
  indexes?: readonly string[][];
  /** Rows per INSERT into the staging table (default 5,000). */
  batchRows?: number;
}

/** What a load did. */
export interface UpsertResult {
  /** Rows loaded into staging. */
  staged: number;
  /** Rows inserted into the target. */
  inserted: number;
  /** Rows whose values changed. */
  updated: number;
  /** Rows already identical in the target. */
  unchanged: number;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const INDEX_COLUMN = /^([A-Za-z_][A-Za-z0-9_]*)( (ASC|DESC))?$/i;

/** `name` quoted as an identifier; `a.b` quotes each part. Anything else is a UsageError. */
export function quoteIdent(name: string): string {
  const parts = name.split('.');
  if (parts.length > 2 || parts.some((p) => !IDENT.test(p))) throw new UsageError(`not a plain SQL identifier: ${name}`);
  return parts.map((p) => `"${p}"`).join('.');
}

function createSql(table: string, columns: readonly PgColumn[], key: readonly string[]): string {
  const cols = columns.map((c) => `${quoteIdent(c.name)} ${c.sqlType}${c.nullable && !key.includes(c.name) ? '' : ' NOT NULL'}`);
  cols.push('"updated_at" timestamptz NOT NULL DEFAULT now()');
  return `CREATE TABLE IF NOT EXISTS ${quoteIdent(table)} (${cols.join(', ')}, PRIMARY KEY (${key.map(quoteIdent).join(', ')}))`;
}

function indexSql(table: string, columns: readonly string[]): string {
  const parsed = columns.map((c) => {
    const m = INDEX_COLUMN.exec(c.trim());
    if (!m) throw new UsageError(`bad index column: ${c}`);
    return { name: m[1]!, order: m[3]?.toUpperCase() };
  });
  const bare = table.split('.').at(-1)!;
  const name = `${bare}_${parsed.map((p) => `${p.name}${p.order === 'DESC' ? '_desc' : ''}`).join('_')}_idx`;
  return `CREATE INDEX IF NOT EXISTS ${quoteIdent(name)} ON ${quoteIdent(table)} (${parsed.map((p) => `${quoteIdent(p.name)}${p.order ? ` ${p.order}` : ''}`).join(', ')})`;
}

async function stageBatches(tx: SqlRunner, staging: string, columns: readonly PgColumn[], rows: AsyncIterable<arrow.RecordBatch>, batchRows: number): Promise<number> {
  const names = columns.map((c) => quoteIdent(c.name)).join(', ');
  const casts = columns.map((c, i) => `u.c${i}::${c.sqlType}`).join(', ');
  const unnest = columns.map((_, i) => `$${i + 1}::text[]`).join(', ');
  const aliases = columns.map((_, i) => `c${i}`).join(', ');
  const sql = `INSERT INTO ${staging} (${names}) SELECT ${casts} FROM unnest(${unnest}) AS u(${aliases})`;
  let staged = 0;
  for await (const batch of rows) {
    const text = batchAsText(batch, columns);
    for (let start = 0; start < batch.numRows; start += batchRows) {
      const end = Math.min(batch.numRows, start + batchRows);
      await tx.query(sql, text.map((col) => col.slice(start, end)));
      staged += end - start;
    }
  }
  return staged;
}

function mergeSql(table: string, staging: string, columns: readonly PgColumn[], key: readonly string[]): string {
  const t = quoteIdent(table);
  const names = columns.map((c) => quoteIdent(c.name));
  const rest = columns.filter((c) => !key.includes(c.name)).map((c) => quoteIdent(c.name));
  const onConflict = rest.length
    ? `DO UPDATE SET ${[...rest.map((c) => `${c} = EXCLUDED.${c}`), '"updated_at" = now()'].join(', ')} WHERE ROW(${rest.map((c) => `${t}.${c}`).join(', ')}) IS DISTINCT FROM ROW(${rest.map((c) => `EXCLUDED.${c}`).join(', ')})`
    : 'DO NOTHING';
  return `WITH up AS (INSERT INTO ${t} (${names.join(', ')}) SELECT ${names.join(', ')} FROM ${staging} ON CONFLICT (${key.map(quoteIdent).join(', ')}) ${onConflict} RETURNING (xmax = 0) AS inserted) SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) FILTER (WHERE NOT inserted) AS updated FROM up`;
}

/** Load `rows` into `options.table` with upsert on `options.key`, all in one transaction. */
export async function upsertTable(client: PostgresClient, rows: AsyncIterable<arrow.RecordBatch>, options: UpsertOptions): Promise<UpsertResult> {
  const columns = pgColumns(options.schema);
  if (options.key.length === 0) throw new UsageError('upsertTable needs at least one key column');
  for (const k of options.key) if (!columns.some((c) => c.name === k)) throw new UsageError(`key column ${k} is not in the rows' schema`);
  const staging = quoteIdent(`staging_${options.table.split('.').at(-1)!}`);
  const batchRows = options.batchRows ?? 5000;
  return client.transaction(async (tx) => {
    await tx.query(createSql(options.table, columns, options.key));
    for (const index of options.indexes ?? []) await tx.query(indexSql(options.table, index));
    await tx.query(`CREATE TEMP TABLE ${staging} (LIKE ${quoteIdent(options.table)} INCLUDING DEFAULTS) ON COMMIT DROP`);
    const staged = await stageBatches(tx, staging, columns, rows, batchRows);
    const { rows: counts } = await tx.query<{ inserted: number | string; updated: number | string }>(mergeSql(options.table, staging, columns, options.key));
    const inserted = Number(counts[0]?.inserted ?? 0);
    const updated = Number(counts[0]?.updated ?? 0);
    return { staged, inserted, updated, unchanged: staged - inserted - updated };
  });
}
