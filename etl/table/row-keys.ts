/**
 * Row keys for upserts (merge by key columns), shared by the table formats: a string key per row,
 * de-duplication of source rows (the last row of a key wins), the range of each key column (to prune
 * files by their statistics), and removal of the rows whose key a source replaces.
 */
import * as arrow from 'apache-arrow';
import { takeRows } from '../arrow/take.js';
import { comparable, type Literal } from '../predicate.js';

/** The smallest and largest value of a key column, in `comparable` form. */
export interface KeyRange {
  /** Smallest non-null value. */
  min: Exclude<Literal, null>;
  /** Largest non-null value. */
  max: Exclude<Literal, null>;
}

/** Source rows, one per key. */
export interface KeyedRows {
  /** The rows (the last of each key, in source order). */
  batches: arrow.RecordBatch[];
  /** The keys present. */
  keys: Set<string>;
  /** Per key column, its range over the source rows (undefined when all null). */
  ranges: (KeyRange | undefined)[];
  /** Number of rows kept. */
  rows: number;
}

/** A reader of the string key of each row of `batch` over `keys` (of types `types`). */
export function rowKeyReader(batch: arrow.RecordBatch, keys: string[], types: arrow.DataType[]): (i: number) => string {
  const vectors = keys.map((k, j) => ({ v: batch.getChild(k)!, t: types[j]! }));
  if (vectors.length === 1) {
    const { v, t } = vectors[0]!;
    return (i) => String(comparable(v.get(i), t));
  }
  return (i) => JSON.stringify(vectors.map(({ v, t }) => String(comparable(v.get(i), t))));
}

/** Keep the last row of every key; also collect the keys and the range of each key column. */
export function lastRowPerKey(batches: arrow.RecordBatch[], keys: string[], types: arrow.DataType[]): KeyedRows {
  const last = new Map<string, [number, number]>();
  const ranges: (KeyRange | undefined)[] = keys.map(() => undefined);
  batches.forEach((b, bi) => {
    const keyOf = rowKeyReader(b, keys, types);
    for (let i = 0; i < b.numRows; i++) last.set(keyOf(i), [bi, i]);
    keys.forEach((k, j) => {
      const v = b.getChild(k)!;
      for (let i = 0; i < b.numRows; i++) {
        const c = comparable(v.get(i), types[j]!);
        if (c === null) continue;
        const r = ranges[j];
        if (!r) ranges[j] = { min: c, max: c };
        else {
          if (c < r.min) r.min = c;
          if (c > r.max) r.max = c;
        }
      }
    });
  });
  let rows = 0;
  const kept = batches
    .map((b, bi) => {
      const keyOf = rowKeyReader(b, keys, types);
      const picked: number[] = [];
      for (let i = 0; i < b.numRows; i++) {
        const at = last.get(keyOf(i))!;
        if (at[0] === bi && at[1] === i) picked.push(i);
      }
      rows += picked.length;
      return picked.length === b.numRows ? b : takeRows(b, Uint32Array.from(picked));
    })
    .filter((b) => b.numRows > 0);
  return { batches: kept, keys: new Set(last.keys()), ranges, rows };
}

/** The rows of `batch` whose key is not in `replaced`, and how many were. */
export function withoutKeys(batch: arrow.RecordBatch, replaced: Set<string>, keys: string[], types: arrow.DataType[]): { kept?: arrow.RecordBatch; matched: number } {
  const keyOf = rowKeyReader(batch, keys, types);
  const rows: number[] = [];
  let matched = 0;
  for (let i = 0; i < batch.numRows; i++) {
    if (replaced.has(keyOf(i))) matched++;
    else rows.push(i);
  }
  if (rows.length === 0) return { matched };
  return { kept: rows.length === batch.numRows ? batch : takeRows(batch, Uint32Array.from(rows)), matched };
}
