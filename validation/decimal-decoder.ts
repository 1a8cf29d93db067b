/**
 * Decimal columns: `[+-]digits[.digits]` with at most `precision` significant digits and at most `scale`
 * after the point (no exponent, no spaces), stored as 128-bit two's-complement integers scaled by
 * 10^scale, four little-endian 32-bit words per value (the layout of Arrow decimal128).
 */
import { isNullField, type CsvBatch } from './csv/index.js';
import { zeroed } from './csv/decode-arrays.js';

/** A decoded decimal column: `values` holds 4 words per row. */
export interface DecodedDecimal {
  /** Four 32-bit words per row, least significant first. */
  values: Uint32Array;
  /** 1 where the field is non-null and parsed. */
  valid: Uint8Array;
  /** 1 where the field is non-null but not a decimal of this precision and scale. */
  errors: Uint8Array;
  /** Null rows. */
  nullCount: number;
  /** Error rows. */
  errorCount: number;
}

const MASK32 = (1n << 32n) - 1n;

/** Parses bytes [s, e) as a decimal scaled by 10^scale; undefined when it is not one or has too many digits. */
export function parseDecimalAt(bytes: Uint8Array, s: number, e: number, precision: number, scale: number): bigint | undefined {
  let i = s;
  let neg = false;
  if (bytes[i] === 0x2d) {
    neg = true;
    i++;
  } else if (bytes[i] === 0x2b) i++;
  let digits = '';
  let frac = -1;
  for (; i < e; i++) {
    const b = bytes[i]!;
    if (b === 0x2e && frac < 0) {
      frac = 0;
      continue;
    }
    if (b < 0x30 || b > 0x39) return undefined;
    digits += String.fromCharCode(b);
    if (frac >= 0) frac++;
  }
  if (digits.length === 0) return undefined;
  const fracDigits = Math.max(frac, 0);
  if (fracDigits > scale) return undefined;
  const scaled = digits + '0'.repeat(scale - fracDigits);
  const trimmed = scaled.replace(/^0+(?=\d)/, '');
  if (trimmed.length > precision) return undefined;
  const v = BigInt(scaled);
  return neg ? -v : v;
}

/** Writes `v` into row `r` of a 4-words-per-row array as 128-bit two's complement. */
export function writeDecimal(words: Uint32Array, r: number, v: bigint): void {
  let x = BigInt.asUintN(128, v);
  for (let k = 0; k < 4; k++) {
    words[4 * r + k] = Number(x & MASK32);
    x >>= 32n;
  }
}

/** Reads row `r` of a 4-words-per-row array as a signed bigint. */
export function readDecimal(words: Uint32Array, r: number): bigint {
  let x = 0n;
  for (let k = 3; k >= 0; k--) x = (x << 32n) | BigInt(words[4 * r + k]!);
  return BigInt.asIntN(128, x);
}

/** Decodes column `col` of `batch` as decimal(precision, scale). */
export function decodeDecimal(batch: CsvBatch, col: number, precision: number, scale: number): DecodedDecimal {
  const { starts, ends, flags } = batch.columns[col]!;
  const n = batch.rowCount;
  const values = zeroed(Uint32Array, 4 * n);
  const valid = zeroed(Uint8Array, n);
  const errors = zeroed(Uint8Array, n);
  let nullCount = 0;
  let errorCount = 0;
  for (let r = 0; r < n; r++) {
    const s = starts[r]!;
    const e = ends[r]!;
    if (isNullField(batch.bytes, s, e, flags[r]!, batch.nullToken)) {
      nullCount++;
      continue;
    }
    const v = parseDecimalAt(batch.bytes, s, e, precision, scale);
    if (v === undefined) {
      errors[r] = 1;
      errorCount++;
    } else {
      writeDecimal(values, r, v);
      valid[r] = 1;
    }
  }
  return { values, valid, errors, nullCount, errorCount };
}

/** The decimal `v` (scaled by 10^scale) as text, e.g. 12345n, 2 -> "123.45". */
export function decimalText(v: bigint, scale: number): string {
  const neg = v < 0n;
  const digits = (neg ? -v : v).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  return neg ? `-${text}` : text;
}
