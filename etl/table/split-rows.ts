/**
 * Grouping the rows of a record batch by a key computed from some of its columns (partition values),
 * without row objects: rows are grouped by their raw column values first, and the key is computed
 * once per distinct raw value.
 */
import * as arrow from 'apache-arrow';
import { selectRows } from '../arrow/take.js';

/** The group of one row: a stable id (rows with equal ids share a group) and the value the caller wants back. */
export interface RowGroupKey<V> {
  /** Identity of the group; rows whose raw values differ but whose ids are equal end up together. */
  id: string;
  /** What the caller gets back with the group's rows (e.g. the formatted partition values). */
  value: V;
}

/** A per-row accessor of a column's raw value: typed-array reads for fixed-width columns, `get` otherwise. */
export function rawValues(data: arrow.Data): (i: number) => unknown {
  const type = data.type;
  const fixed = arrow.DataType.isInt(type) || arrow.DataType.isDate(type) || arrow.DataType.isFloat(type) || arrow.DataType.isTimestamp(type);
  if (fixed && data.stride === 1) {
    // Arrow slices a fixed-width values buffer together with the Data: no offset to add (unlike bitmaps).
    const values = data.values as Int32Array;
    if (data.nullCount === 0) return (i) => values[i];
    return (i) => (data.getValid(i) ? values[i] : null);
  }
  const vector = new arrow.Vector([data]);
  return (i) => vector.get(i);
}

/** The values of a 32-bit int or date column without nulls (stride 1), else undefined. */
function plainInt32Values(data: arrow.Data): Int32Array | undefined {
  const type = data.type;
  if (!(arrow.DataType.isInt(type) || arrow.DataType.isDate(type)) || data.stride !== 1 || data.nullCount !== 0) return undefined;
  // Arrow slices a fixed-width values buffer together with the Data: values[0] is row 0.
  return data.values instanceof Int32Array ? data.values : undefined;
}

/** One group of rows: the caller's value, and the rows (ascending). */
export interface RowGroup<V> {
  /** The value `describe` returned for the group. */
  value: V;
  /** The group's rows, ascending; undefined when the group is the whole batch. */
  rows: Uint32Array | undefined;
}

/**
 * Group the rows of `batch` by a key. `keyColumns` are the columns the key depends on; `describe(i)`
 * computes the key of row `i` and is called once per distinct combination of raw values of those
 * columns. Groups come back in order of first appearance. With no key columns (or a single group) the
 * whole batch is one group with `rows` undefined.
 */
export function groupRows<V>(batch: arrow.RecordBatch, keyColumns: string[], describe: (row: number) => RowGroupKey<V>): RowGroup<V>[] {
  if (batch.numRows === 0) return [];
  if (keyColumns.length === 0) return [{ value: describe(0).value, rows: undefined }];
  const raws = keyColumns.map((name) => {
    const index = batch.schema.fields.findIndex((f) => f.name === name);
    if (index < 0) throw new Error(`splitRows: column ${name} is not in the batch`);
    return rawValues(batch.data.children[index]!);
  });
  // One pass assigns every row its group (rows with the raw value of the row before reuse its group);
  // a second fills each group's row list, ascending, at its exact size.
  const groupOf = new Uint32Array(batch.numRows);
  const values: V[] = [];
  const byRaw = new Map<unknown, number>();
  const byId = new Map<string, number>();
  const single = raws.length === 1 ? raws[0]! : undefined;
  /** The group of row `i`, whose raw value is `raw`, seen for the first time. */
  const groupOfNew = (i: number, raw: unknown): number => {
    // Different raw values can describe to the same group (e.g. two timestamps on one day): merge them.
    const key = describe(i);
    let group = byId.get(key.id);
    if (group === undefined) {
      group = values.length;
      values.push(key.value);
      byId.set(key.id, group);
    }
    byRaw.set(raw, group);
    return group;
  };
  const int32 = keyColumns.length === 1 ? plainInt32Values(batch.data.children[batch.schema.fields.findIndex((f) => f.name === keyColumns[0])]!) : undefined;
  if (int32 !== undefined) {
    // The common case (one date or int column without nulls): typed-array reads, no accessor call.
    let lastRaw = 0;
    let lastGroup = -1;
    for (let i = 0; i < int32.length; i++) {
      const raw = int32[i]!;
      if (raw !== lastRaw || lastGroup < 0) {
        lastGroup = byRaw.get(raw) ?? groupOfNew(i, raw);
        lastRaw = raw;
      }
      groupOf[i] = lastGroup;
    }
  } else {
    let lastRaw: unknown = undefined;
    let lastGroup = -1;
    for (let i = 0; i < batch.numRows; i++) {
      const raw = single ? single(i) : raws.map((r) => String(r(i))).join('\u0001');
      if (raw !== lastRaw || lastGroup < 0) {
        lastGroup = byRaw.get(raw) ?? groupOfNew(i, raw);
        lastRaw = raw;
      }
      groupOf[i] = lastGroup;
    }
  }
  if (values.length === 1) return [{ value: values[0]!, rows: undefined }];
  const counts = new Uint32Array(values.length);
  for (let i = 0; i < groupOf.length; i++) counts[groupOf[i]!]!++;
  const rows = Array.from(counts, (n) => new Uint32Array(n));
  const filled = new Uint32Array(counts.length);
  for (let i = 0; i < groupOf.length; i++) {
    const g = groupOf[i]!;
    rows[g]![filled[g]!++] = i;
  }
  return values.map((value, g) => ({ value, rows: rows[g]! }));
}

/**
 * Split `batch` into one batch per group (see `groupRows`). Groups come back in order of first
 * appearance; rows keep their order within a group. A group of consecutive rows is a zero-copy slice
 * of `batch` (see `selectRows`), any other a copy.
 */
export function splitRows<V>(batch: arrow.RecordBatch, keyColumns: string[], describe: (row: number) => RowGroupKey<V>): [V, arrow.RecordBatch][] {
  return groupRows(batch, keyColumns, describe).map((g) => [g.value, g.rows === undefined ? batch : selectRows(batch, g.rows)]);
}
