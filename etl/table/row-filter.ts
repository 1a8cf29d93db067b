/** Removing the rows that match a predicate from batches (delete by predicate, for every table format). */
import type * as arrow from 'apache-arrow';
import { takeRows } from '../arrow/take.js';
import type { RowTest } from '../predicate.js';

/** The rows of `batches` that do not satisfy `test`, and how many did. */
export interface FilteredRows {
  /** Rows that satisfied the predicate (to delete). */
  deleted: number;
  /** The other rows, in order (whole batches where nothing matched). */
  kept: arrow.RecordBatch[];
}

/** Split `batches` (in `schema`) into the rows `test` matches (counted) and the rest (kept). */
export function withoutMatchingRows(batches: Iterable<arrow.RecordBatch>, schema: arrow.Schema, test: RowTest): FilteredRows {
  let deleted = 0;
  const kept: arrow.RecordBatch[] = [];
  for (const b of batches) {
    const vectors = new Map(schema.fields.map((f) => [f.name, b.getChild(f.name)!]));
    const rows: number[] = [];
    for (let i = 0; i < b.numRows; i++) {
      if (test((c) => vectors.get(c)!.get(i))) deleted++;
      else rows.push(i);
    }
    if (rows.length) kept.push(rows.length === b.numRows ? b : takeRows(b, Uint32Array.from(rows)));
  }
  return { deleted, kept };
}
