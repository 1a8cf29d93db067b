/**
 * Float columns: `[+-]digits[.digits][(e|E)[+-]digits]` (also `.5` and `5.`). No NaN/Infinity text, no
 * spaces, no hex. Values that overflow to ±Infinity are errors.
 */
import type { CsvBatch } from './csv-batch.js';
import { columnFields, isNullField, latin1Text, type DecodedColumn } from './decoded-column.js';
import { zeroed } from './decode-arrays.js';

const POW10: number[] = [];
for (let k = 0, p = 1; k <= 22; k++, p *= 10) POW10.push(p);

/**
 * Parses bytes [s, e) as a decimal float; NaN when the syntax is wrong or the value is not finite.
 * Fast path (Clinger): at most 15 significant digits and a decimal exponent within ±22 give a correctly
 * rounded result from one multiplication or division; anything else is checked here and handed to `Number()`.
 */
export function parseFloat64At(bytes: Uint8Array, s: number, e: number): number {
  let i = s;
  let neg = false;
  const first = i < e ? bytes[i] : 0;
  if (first === 0x2d) {
    neg = true;
    i++;
  } else if (first === 0x2b) i++;
  let mant = 0;
  let sig = 0; // significant digits taken into mant (leading zeros excluded)
  let digits = 0;
  let scale = 0; // digits after the point
  let b = 0;
  while (i < e && (b = bytes[i]! - 0x30) >= 0 && b <= 9) {
    mant = mant * 10 + b;
    if (mant !== 0) sig++;
    digits++;
    i++;
  }
  if (i < e && bytes[i] === 0x2e) {
    i++;
    while (i < e && (b = bytes[i]! - 0x30) >= 0 && b <= 9) {
      mant = mant * 10 + b;
      if (mant !== 0) sig++;
      digits++;
      scale++;
      i++;
    }
  }
  if (digits === 0) return NaN;
  let exp = 0;
  if (i < e) {
    const c = bytes[i]!;
    if (c !== 0x65 && c !== 0x45) return NaN;
    i++;
    let eneg = false;
    const sc = bytes[i];
    if (sc === 0x2d) {
      eneg = true;
      i++;
    } else if (sc === 0x2b) i++;
    if (i >= e) return NaN;
    for (; i < e; i++) {
      const d = bytes[i]! - 0x30;
      if (d < 0 || d > 9) return NaN;
      if (exp < 100000) exp = exp * 10 + d;
    }
    if (eneg) exp = -exp;
  }
  if (sig <= 15) {
    if (mant === 0) return neg ? -0 : 0;
    const e10 = exp - scale;
    if (e10 >= 0 && e10 <= 22) {
      const v = mant * POW10[e10]!;
      return neg ? -v : v;
    }
    if (e10 < 0 && e10 >= -22) {
      const v = mant / POW10[-e10]!;
      return neg ? -v : v;
    }
  }
  const v = Number(latin1Text(bytes, s, e));
  return Number.isFinite(v) ? v : NaN;
}

/** Decodes column `col` as 64-bit floats. */
export function decodeFloat64(batch: CsvBatch, col: number): DecodedColumn<Float64Array> {
  const { starts, ends, flags } = columnFields(batch, col);
  const bytes = batch.bytes;
  const tok = batch.nullToken;
  const tokLen = tok.length;
  const n = batch.rowCount;
  const values = zeroed(Float64Array, n);
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
    const v = parseFloat64At(bytes, s, e);
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
