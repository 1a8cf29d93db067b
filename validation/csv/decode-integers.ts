/** Integer columns: optional sign and ASCII digits only (no spaces, no thousands separators). */
import type { CsvBatch } from './csv-batch.js';
import { columnFields, isNullField, latin1Text, type DecodedColumn } from './decoded-column.js';
import { LITTLE_ENDIAN, writeInt64Words } from './int64-words.js';
import { zeroed } from './decode-arrays.js';

/** Parses bytes [s, e) as a decimal int32; NaN when it is not one or is out of range. */
export function parseInt32At(bytes: Uint8Array, s: number, e: number): number {
  let i = s;
  let neg = false;
  if (i < e) {
    const first = i < e ? bytes[i] : 0;
    if (first === 0x2d) {
      neg = true;
      i++;
    } else if (first === 0x2b) i++;
  }
  const n = e - i;
  if (n === 0) return NaN;
  let v = 0;
  if (n <= 10) {
    // at most 10 digits: exact in a double, range checked once at the end
    for (; i < e; i++) {
      const d = bytes[i]! - 0x30;
      if (d >>> 0 > 9) return NaN;
      v = v * 10 + d;
    }
  } else {
    // long (leading zeros?): stop as soon as the value leaves the range
    for (; i < e; i++) {
      const d = bytes[i]! - 0x30;
      if (d >>> 0 > 9) return NaN;
      v = v * 10 + d;
      if (v > 2147483648) return NaN;
    }
  }
  if (neg) return v > 2147483648 ? NaN : -v;
  return v > 2147483647 ? NaN : v;
}

/** Decodes column `col` as 32-bit integers; values beyond int32 range are errors. */
export function decodeInt32(batch: CsvBatch, col: number): DecodedColumn<Int32Array> {
  const { starts, ends, flags } = columnFields(batch, col);
  const bytes = batch.bytes;
  const tok = batch.nullToken;
  const tokLen = tok.length;
  const n = batch.rowCount;
  const values = zeroed(Int32Array, n);
  const valid = zeroed(Uint8Array, n);
  const errors = zeroed(Uint8Array, n);
  let nullCount = 0;
  let errorCount = 0;
  for (let r = 0; r < n; r++) {
    const s = starts[r]!;
    const e = ends[r]!;
    if (e - s === tokLen && isNullField(bytes, s, e, flags[r]!, tok)) {
      nullCount++;
      continue;
    }
    // The common case first: 1 to 9 digits, no sign (cannot leave the int32 range).
    let d = bytes[s]! - 0x30;
    if (d >>> 0 <= 9 && e - s <= 9) {
      let v = d;
      let i = s + 1;
      for (; i < e; i++) {
        d = bytes[i]! - 0x30;
        if (d >>> 0 > 9) break;
        v = v * 10 + d;
      }
      if (i === e) {
        values[r] = v;
        valid[r] = 1;
        continue;
      }
    }
    const v = parseInt32At(bytes, s, e);
    if (v !== v) {
      errors[r] = 1;
      errorCount++;
    } else {
      values[r] = v;
      valid[r] = 1;
    }
  }
  return { values, valid, errors, nullCount, errorCount };
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Decodes column `col` as 64-bit integers (BigInt64Array); values beyond int64 range are errors. */
export function decodeInt64(batch: CsvBatch, col: number): DecodedColumn<BigInt64Array> {
  const { starts, ends, flags } = columnFields(batch, col);
  const bytes = batch.bytes;
  const tok = batch.nullToken;
  const tokLen = tok.length;
  const n = batch.rowCount;
  const values = zeroed(BigInt64Array, n);
  const words = new Uint32Array(values.buffer);
  const valid = zeroed(Uint8Array, n);
  const errors = zeroed(Uint8Array, n);
  let nullCount = 0;
  let errorCount = 0;
  rows: for (let r = 0; r < n; r++) {
    const s = starts[r]!;
    const e = ends[r]!;
    if (e - s === tokLen && isNullField(bytes, s, e, flags[r]!, tok)) {
      nullCount++;
      continue;
    }
    let i = s;
    let neg = false;
    const first = i < e ? bytes[i] : 0;
    if (first === 0x2d) {
      neg = true;
      i++;
    } else if (first === 0x2b) i++;
    let v = 0;
    if (i >= e) {
      errors[r] = 1;
      errorCount++;
      continue;
    }
    for (let k = i; k < e; k++) {
      const d = bytes[k]! - 0x30;
      if (d >>> 0 > 9) {
        errors[r] = 1;
        errorCount++;
        continue rows;
      }
      v = v * 10 + d;
    }
    if (v <= Number.MAX_SAFE_INTEGER) {
      // every prefix was exact, so v is
      if (LITTLE_ENDIAN) writeInt64Words(words, r, neg ? -v : v);
      else values[r] = BigInt(neg ? -v : v);
    } else {
      const big = BigInt(latin1Text(bytes, s, e));
      if (big < INT64_MIN || big > INT64_MAX) {
        errors[r] = 1;
        errorCount++;
        continue;
      }
      values[r] = big;
    }
    valid[r] = 1;
  }
  return { values, valid, errors, nullCount, errorCount };
}
