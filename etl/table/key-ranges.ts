/** The range of each key column over the rows of a stream, to prune files by their statistics. */
import * as arrow from 'apache-arrow';
import { isValidBit, validityOf } from '../parquet/bitmap.js';
import { comparable } from '../predicate.js';
import type { KeyRange } from './row-keys.js';

/** The range of each key column over the rows seen, in `comparable` form (to prune files by their statistics). */
export class KeyRanges {
  /** Per key column, its range so far (undefined while no non-null value was seen). */
  readonly ranges: (KeyRange | undefined)[];

  /** Ranges of columns `keys` (of types `types`) over the batches given to `add`. */
  constructor(
    private readonly keys: string[],
    private readonly types: arrow.DataType[],
  ) {
    this.ranges = keys.map(() => undefined);
  }

  /** Widens the ranges by the rows of `batch` (which has the key columns). */
  add(batch: arrow.RecordBatch): void {
    this.keys.forEach((k, j) => {
      const type = this.types[j]!;
      const data = batch.getChild(k)!.data[0]!;
      const fixed = (arrow.DataType.isInt(type) || arrow.DataType.isDate(type) || arrow.DataType.isFloat(type)) && data.stride === 1;
      if (fixed) {
        // Find the rows holding the smallest and largest raw values, then convert just those two.
        const values = data.values as Int32Array;
        const validity = validityOf(data);
        let lo = -1;
        let hi = -1;
        let min = 0;
        let max = 0;
        for (let i = 0; i < data.length; i++) {
          if (validity !== undefined && isValidBit(validity, data.offset + i) === 0) continue;
          const v = values[i]!; // Arrow slices a fixed-width buffer with the data: no offset to add
          if (lo < 0 || v < min) {
            lo = i;
            min = v;
          }
          if (hi < 0 || v > max) {
            hi = i;
            max = v;
          }
        }
        if (lo >= 0) this.widen(j, comparable(batch.getChild(k)!.get(lo), type)!, comparable(batch.getChild(k)!.get(hi), type)!);
        return;
      }
      const v = batch.getChild(k)!;
      for (let i = 0; i < batch.numRows; i++) {
        const c = comparable(v.get(i), type);
        if (c !== null) this.widen(j, c, c);
      }
    });
  }

  private widen(j: number, min: KeyRange['min'], max: KeyRange['max']): void {
    const r = this.ranges[j];
    if (r === undefined) this.ranges[j] = { min, max };
    else {
      if (min < r.min) r.min = min;
      if (max > r.max) r.max = max;
    }
  }
}
