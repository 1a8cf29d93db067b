/**
 * Keys already committed in a target table, read column-only into a memory-bounded key set. `loadKeys`
 * works on any stream of one-column Arrow batches (a Delta or Iceberg scan of the key column);
 * `loadDeltaKeys` does the scan for a Delta table.
 */
import * as arrow from 'apache-arrow';
import type { DeltaTable } from '../etl/delta/index.js';
import { UsageError } from '../etl/errors.js';
import type { KeyLookup } from './key-lookup.js';
import { int32KeySetOf } from './int32-key-sets.js';
import { Int64KeySet } from './int64-key-set.js';
import { StringKeySet } from './string-key-set.js';

/**
 * Supplies the keys committed in a dataset's table: `(dataset, column)` -> lookup, or undefined when the
 * table does not exist yet. The validation run asks once per (dataset, column) and keeps the answer.
 */
export type CommittedKeys = (dataset: string, column: string) => Promise<KeyLookup | undefined>;

/**
 * The distinct non-null values of a key column, from `batches` whose first column is that column, of
 * Arrow type `type`. int32/date32 keys become a bitset when they fill a dense range and a hash set
 * otherwise (they are collected first, 4 bytes a key, to choose); int64/timestamp keys a Float64Array
 * hash set; anything else a set of strings. `expectedRows` (e.g. from table stats) sizes the buffers.
 */
export async function loadKeys(batches: AsyncIterable<arrow.RecordBatch>, type: arrow.DataType, expectedRows = 0): Promise<KeyLookup> {
  const expected = Math.min(Math.max(0, expectedRows), 1 << 27);
  if ((arrow.DataType.isInt(type) && type.bitWidth <= 32) || arrow.DataType.isDate(type)) {
    let keys = new Int32Array(Math.max(expected, 1024));
    let n = 0;
    for await (const batch of batches) {
      for (const data of columnOf(batch).data) {
        if (n + data.length > keys.length) {
          const grown = new Int32Array(Math.max(2 * keys.length, n + data.length));
          grown.set(keys.subarray(0, n));
          keys = grown;
        }
        n = appendInt32(keys, n, data);
      }
    }
    return int32KeySetOf(keys.subarray(0, n));
  }
  if (arrow.DataType.isInt(type) || arrow.DataType.isTimestamp(type)) {
    const set = new Int64KeySet(expected);
    for await (const batch of batches) {
      for (const data of columnOf(batch).data) {
        const values = data.values as unknown as BigInt64Array;
        for (let i = 0; i < data.length; i++) if (data.getValid(i)) set.add(values[i]!);
      }
    }
    return set;
  }
  const set = new StringKeySet();
  for await (const batch of batches) {
    const vector = columnOf(batch);
    for (let i = 0; i < vector.length; i++) {
      const v: unknown = vector.get(i);
      if (v !== null && v !== undefined) set.add(String(v));
    }
  }
  return set;
}

function columnOf(batch: arrow.RecordBatch): arrow.Vector {
  const column = batch.getChildAt(0);
  if (column === null) throw new UsageError('loadKeys needs batches with the key column first');
  return column;
}

/** Appends the non-null values of an int32/date32 column to `keys` from position `n`; returns the new length. */
function appendInt32(keys: Int32Array, n: number, data: arrow.Data): number {
  const values = data.values as Int32Array; // Arrow JS slices fixed-width values: index 0 is the data's row 0
  if (data.nullCount === 0) {
    keys.set(values.subarray(0, data.length), n);
    return n + data.length;
  }
  for (let i = 0; i < data.length; i++) if (data.getValid(i)) keys[n++] = values[i]!;
  return n;
}

/** Loads the keys of `column` of a Delta table (latest, or `version`), scanning that column only. */
export async function loadDeltaKeys(table: DeltaTable, column: string, options: { version?: number } = {}): Promise<KeyLookup> {
  const snapshot = await table.snapshotAt(options.version);
  const field = snapshot.schema.fields.find((f) => f.name === column);
  if (field === undefined) throw new UsageError(`${table.store.uri} has no column ${column}`);
  const scan = table.scan({ columns: [column], ...(options.version === undefined ? {} : { version: options.version }) });
  return loadKeys(scan, field.type, snapshotRows(snapshot.files.values()));
}

/** Rows in a snapshot by its files' stats (0 when unknown): sizes the buffers up front. */
function snapshotRows(files: Iterable<{ stats?: string | null }>): number {
  let n = 0;
  for (const f of files) {
    if (!f.stats) continue;
    try {
      n += (JSON.parse(f.stats) as { numRecords?: number }).numRecords ?? 0;
    } catch {
      // stats are optional; a bad one only loses the size hint
    }
  }
  return n;
}

/**
 * A `CommittedKeys` over Delta tables: `openTable(dataset)` returns the dataset's table, or undefined
 * when it does not exist yet.
 */
export function deltaCommittedKeys(openTable: (dataset: string) => Promise<DeltaTable | undefined>): CommittedKeys {
  return async (dataset, column) => {
    const table = await openTable(dataset);
    return table === undefined ? undefined : loadDeltaKeys(table, column);
  };
}
