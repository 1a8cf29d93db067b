/**
 * Grouping the rows of a record batch by a key computed from some of its columns (partition values),
 * without row objects: rows are grouped by their raw column values first, and the key is computed
 * once per distinct raw value.
 */
import * as arrow from 'apache-arrow';
import { takeRows } from '../arrow/take.js';

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
  interface Group {
    value: V;
    rows: number[];
  }
  const byRaw = new Map<unknown, Group>();
  const byId = new Map<string, Group>();
  const single = raws.length === 1 ? raws[0]! : undefined;
  for (let i = 0; i < batch.numRows; i++) {
    const raw = single ? single(i) : raws.map((r) => String(r(i))).join('\u0001');
    let group = byRaw.get(raw);
    if (!group) {
      // Different raw values can describe to the same group (e.g. two timestamps on one day): merge them.
      const key = describe(i);
      group = byId.get(key.id);
      if (!group) {
        group = { value: key.value, rows: [] };
        byId.set(key.id, group);
      }
      byRaw.set(raw, group);
    }
    group.rows.push(i);
  }
  if (byId.size === 1) return [{ value: [...byId.values()][0]!.value, rows: undefined }];
  return [...byId.values()].map((g) => ({ value: g.value, rows: Uint32Array.from(g.rows.sort((a, b) => a - b)) }));
}

/**
 * Split `batch` into one batch per group (see `groupRows`). Groups come back in order of first
 * appearance; rows keep their order within a group.
 */
export function splitRows<V>(batch: arrow.RecordBatch, keyColumns: string[], describe: (row: number) => RowGroupKey<V>): [V, arrow.RecordBatch][] {
  return groupRows(batch, keyColumns, describe).map((g) => [g.value, g.rows === undefined ? batch : takeRows(batch, g.rows)]);
}
