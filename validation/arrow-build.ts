/**
 * Accepted rows of a decoded batch -> an Arrow RecordBatch in the contract's schema. Typed values are
 * used as they are when every row is kept (no copy), compacted otherwise; strings are copied straight
 * from the CSV bytes into the Arrow buffer, without making JS strings.
 */
import * as arrow from 'apache-arrow';
import { gatherTyped } from '../etl/arrow/take.js';
import { FIELD_ESCAPED, type CsvBatch } from './csv/index.js';
import type { DecodedBatch, DecodedValues } from './decoded-batch.js';

/** Packs a 0/1 byte-per-row mask (rows `take`, or all) into an Arrow validity bitmap; undefined when no nulls. */
function validity(valid: Uint8Array, take: Uint32Array | undefined, n: number): { nullBitmap?: Uint8Array; nullCount: number } {
  let nulls = 0;
  if (take === undefined) {
    for (let i = 0; i < n; i++) nulls += valid[i]! ^ 1;
  } else {
    for (let i = 0; i < n; i++) nulls += valid[take[i]!]! ^ 1;
  }
  if (nulls === 0) return { nullCount: 0 };
  const bitmap = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) {
    const r = take === undefined ? i : take[i]!;
    if (valid[r] === 1) bitmap[i >> 3]! |= 1 << (i & 7);
  }
  return { nullBitmap: bitmap, nullCount: nulls };
}

function pick<T extends Int32Array | Float64Array | BigInt64Array>(values: T, take: Uint32Array | undefined, n: number, copy: boolean): T {
  if (take === undefined) {
    if (copy) return values.slice(0, n) as T;
    return values.length === n ? values : (values.subarray(0, n) as T);
  }
  return gatherTyped(values, take);
}

function packBits(values: Uint8Array, take: Uint32Array | undefined, n: number): Uint8Array {
  const out = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) {
    const r = take === undefined ? i : take[i]!;
    if (values[r] === 1) out[i >> 3]! |= 1 << (i & 7);
  }
  return out;
}

/** Utf8 data straight from the CSV fields of column `field` (doubled quotes unescaped). */
function utf8FromFields(csv: CsvBatch, field: number, valid: Uint8Array, take: Uint32Array | undefined, n: number, type: arrow.Utf8): arrow.Data {
  const { starts, ends, flags } = csv.columns[field]!;
  const bytes = csv.bytes;
  const quote = csv.quote;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const r = take === undefined ? i : take[i]!;
    if (valid[r] === 1) total += ends[r]! - starts[r]!;
  }
  const data = new Uint8Array(total);
  const offsets = new Int32Array(n + 1);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const r = take === undefined ? i : take[i]!;
    if (valid[r] === 1) {
      const s = starts[r]!;
      const e = ends[r]!;
      if ((flags[r]! & FIELD_ESCAPED) === 0) {
        data.set(bytes.subarray(s, e), pos);
        pos += e - s;
      } else {
        for (let k = s; k < e; k++) {
          const b = bytes[k]!;
          data[pos++] = b;
          if (b === quote) k++; // the second quote of a doubled pair
        }
      }
    }
    offsets[i + 1] = pos;
  }
  return arrow.makeData({ type, length: n, valueOffsets: offsets, data: data.subarray(0, pos), ...validity(valid, take, n) });
}

/** One column's Arrow data for the kept rows. */
function columnData(csv: CsvBatch, col: DecodedValues, type: arrow.DataType, take: Uint32Array | undefined, n: number, copy: boolean): arrow.Data {
  // A column without nulls or errors in the batch is valid on every row taken: no bitmap to build.
  const v = col.nullCount === 0 && col.errorCount === 0 ? { nullCount: 0 } : validity(col.valid, take, n);
  switch (col.kind) {
    case 'int32':
    case 'date':
    case 'float64':
      return arrow.makeData({ type: type as arrow.Int32, length: n, data: pick(col.values as Int32Array, take, n, copy), ...v });
    case 'int64':
    case 'timestamp':
      return arrow.makeData({ type: type as arrow.Int64, length: n, data: pick(col.values, take, n, copy) as unknown as Int32Array, ...v } as never);
    case 'bool':
      return arrow.makeData({ type: type as arrow.Bool, length: n, data: packBits(col.values, take, n), ...v });
    case 'decimal': {
      let words = col.values;
      if (take !== undefined) words = gatherTyped(col.values, take, 4);
      else if (copy) words = words.slice(0, 4 * n);
      else if (words.length !== 4 * n) words = words.subarray(0, 4 * n);
      return arrow.makeData({ type: type as arrow.Decimal, length: n, data: words, ...v });
    }
    case 'string': {
      if (col.dictionary && arrow.DataType.isDictionary(type)) {
        const indices = pick(col.dictionary.indices, take, n, copy);
        const dictionary = arrow.vectorFromArray(col.dictionary.dictionary, new arrow.Utf8());
        return arrow.makeData({ type, length: n, data: indices, dictionary, ...v } as never);
      }
      return utf8FromFields(csv, col.field, col.valid, take, n, type as arrow.Utf8);
    }
  }
}

/**
 * The rows `take` (all rows when undefined) of `batch` as a RecordBatch of `schema` (contract order).
 * Without `copy`, a batch of all rows shares the decoded typed arrays; with it, the result owns all its memory.
 */
export function buildRecordBatch(schema: arrow.Schema, batch: DecodedBatch, take: Uint32Array | undefined, copy = false): arrow.RecordBatch {
  const n = take === undefined ? batch.rowCount : take.length;
  const children = batch.columns.map((col, c) => columnData(batch.csv, col, schema.fields[c]!.type, take, n, copy));
  const struct = arrow.makeData({ type: new arrow.Struct(schema.fields), length: n, children, nullCount: 0 });
  return new arrow.RecordBatch(schema, struct);
}
