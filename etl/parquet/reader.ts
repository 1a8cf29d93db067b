/**
 * Reading Parquet files into Arrow JS tables with parquet-wasm.
 *
 * What comes back: arrow-rs restores the Arrow types recorded in the file's `ARROW:schema` metadata
 * (files written by this project, delta-rs, pyarrow), so a column written as Dictionary<Int32, Utf8>
 * reads back as a Dictionary, and field metadata (`PARQUET:field_id`) is kept. Columns this project
 * writes come back in their Parquet storage types: timestamps as Timestamp(MICROSECOND, 'UTC'),
 * Date64 columns as DateDay (see `coerce.ts`). Files without that metadata (Spark, Trino) read as
 * the plain Parquet mapping (strings as Utf8, INT96 as nanosecond timestamps, ...).
 * `normalizeToSchema` turns any of these into a wanted schema.
 */
import { type Schema, type Table, tableFromIPC } from 'apache-arrow';
import { ParquetFile, readParquet, readSchema } from 'parquet-wasm/node';
import type { ObjectStore } from '../storage/object-store.js';
import { ParquetDecodeError } from './errors.js';

/** Options of the readers. */
export interface ReadParquetOptions {
  /**
   * Top-level columns to return, in this order. Names the file does not have are left out (a column
   * added to a table after the file was written); `normalizeToSchema` can fill them with nulls.
   */
  columns?: string[];
  /** Rows per returned record batch; 65,536 by default (parquet-rs would use 1,024). */
  batchSize?: number;
}

/** Rows per record batch when the caller does not say. */
export const DEFAULT_READ_BATCH_SIZE = 65_536;

/**
 * Decode a whole Parquet file held in memory. parquet-wasm's synchronous reader ignores its
 * `columns` option, so every column is decoded and the projection is applied afterwards (zero-copy);
 * `readParquetFile` pushes the projection down instead.
 */
export function readParquetTable(bytes: Uint8Array, options: ReadParquetOptions = {}): Table {
  let table: Table;
  try {
    const wasm = readParquet(bytes, { batchSize: options.batchSize ?? DEFAULT_READ_BATCH_SIZE });
    table = tableFromIPC(wasm.intoIPCStream());
  } catch (err) {
    throw new ParquetDecodeError(`cannot decode Parquet data: ${messageOf(err)}`, { cause: err });
  }
  return options.columns ? selectPresent(table, options.columns) : table;
}

/** The Arrow schema of a Parquet file held in memory (from its footer; no data is decoded). */
export function readParquetSchema(bytes: Uint8Array): Schema {
  try {
    return tableFromIPC(readSchema(bytes).intoIPCStream()).schema;
  } catch (err) {
    throw new ParquetDecodeError(`cannot read the Parquet schema: ${messageOf(err)}`, { cause: err });
  }
}

/**
 * Read the Parquet file at `key` of `store`. With `columns`, only those column chunks are decoded
 * (parquet-wasm's async reader applies the projection); the object itself is fetched whole.
 * Throws `NotFoundError` (from the store) when absent, `ParquetDecodeError` when not Parquet.
 */
export async function readParquetFile(store: ObjectStore, key: string, options: ReadParquetOptions = {}): Promise<Table> {
  const bytes = await store.get(key);
  const where = store.uriOf(key);
  if (!options.columns) return withSource(where, () => readParquetTable(bytes, options));
  const columns = options.columns;
  const present = new Set(withSource(where, () => readParquetSchema(bytes)).fields.map((f) => f.name));
  const wanted = columns.filter((c) => present.has(c));
  if (wanted.length === 0) return withSource(where, () => readParquetTable(bytes, options));
  let table: Table;
  try {
    const file = await ParquetFile.fromFile(new Blob([bytes as Uint8Array<ArrayBuffer>]));
    try {
      const wasm = await file.read({ columns: wanted, batchSize: options.batchSize ?? DEFAULT_READ_BATCH_SIZE });
      table = tableFromIPC(wasm.intoIPCStream());
    } finally {
      file.free();
    }
  } catch (err) {
    throw new ParquetDecodeError(`cannot decode Parquet file ${where}: ${messageOf(err)}`, { cause: err });
  }
  return selectPresent(table, wanted); // the async reader returns file order
}

/** `table` restricted to the listed columns that it has, in the listed order. */
function selectPresent(table: Table, columns: string[]): Table {
  const present = new Set(table.schema.fields.map((f) => f.name));
  return table.select(columns.filter((c) => present.has(c)));
}

/** Run `read`, prefixing a decode error's message with where the bytes came from. */
function withSource<T>(where: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof ParquetDecodeError) throw new ParquetDecodeError(`${where}: ${err.message}`, { cause: err.cause });
    throw err;
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
