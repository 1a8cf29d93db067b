/**
 * Date and timestamp columns.
 * - Dates: exactly `YYYY-MM-DD` (years 0000-9999) -> days since 1970-01-01 in an Int32Array.
 * - Timestamps: `YYYY-MM-DD(T| )HH:MM[:SS[.f{1,9}]][Z|+HH:MM|-HH:MM|+HHMM|-HHMM|+HH|-HH]`, normalised to
 *   UTC -> microseconds since the epoch in a BigInt64Array (exact for every year 0000-9999, and the
 *   representation of Arrow/Parquet `timestamp[us]`). A value without an offset is taken as UTC. Fractional
 *   digits past the sixth are truncated. Impossible values (2025-02-30, 24:00, second 60, offset minute 60)
 *   are errors.
 */
import type { CsvBatch } from './csv-batch.js';
import { columnFields, isNullField, type DecodedColumn } from './decoded-column.js';
import { LITTLE_ENDIAN, writeInt64Words } from './int64-words.js';
import { zeroed } from './decode-arrays.js';

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days from 1970-01-01 to the given proleptic Gregorian date (month 1-12, day 1-31; not checked). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function isLeap(y: number): boolean {
  return (y & 3) === 0 && (y % 100 !== 0 || y % 400 === 0);
}

/** Two ASCII digits at i as a number, or -1. The caller makes sure both bytes exist. */
function two(bytes: Uint8Array, i: number): number {
  const a = bytes[i]! - 0x30;
  const b = bytes[i + 1]! - 0x30;
  if (a >>> 0 > 9 || b >>> 0 > 9) return -1;
  return a * 10 + b;
}

/** Days from 1970-01-01 to January 1st of each year 0000-9999. */
const YEAR_START = new Int32Array(10000);
/** Per year 0000-9999: 1 when it is a leap year. */
const LEAP = new Uint8Array(10000);
for (let y = 0; y < 10000; y++) {
  YEAR_START[y] = daysFromCivil(y, 1, 1);
  LEAP[y] = isLeap(y) ? 1 : 0;
}
/** Days before the first of each month (1-12) in a common year. */
const MONTH_START = [0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/** Parses `YYYY-MM-DD` at bytes [s, s+10) (the caller checks there are 10 bytes); NaN when impossible. */
function dateAt(bytes: Uint8Array, s: number): number {
  const y1 = two(bytes, s);
  const y2 = two(bytes, s + 2);
  if (y1 < 0 || y2 < 0 || bytes[s + 4] !== 0x2d || bytes[s + 7] !== 0x2d) return NaN;
  const m = two(bytes, s + 5);
  const d = two(bytes, s + 8);
  if (m < 1 || m > 12 || d < 1) return NaN;
  const y = y1 * 100 + y2;
  const leap = LEAP[y]!;
  if (d > DAYS_IN_MONTH[m]! && !(m === 2 && d === 29 && leap === 1)) return NaN;
  return YEAR_START[y]! + MONTH_START[m]! + (m > 2 ? leap : 0) + d - 1;
}

/** Parses bytes [s, e) as `YYYY-MM-DD`: days since 1970-01-01, or NaN. */
export function parseDateAt(bytes: Uint8Array, s: number, e: number): number {
  return e - s === 10 ? dateAt(bytes, s) : NaN;
}

/** Microseconds (0-999,999) of the last successful `parseTimestampSecondsAt`. */
let lastMicros = 0;

/**
 * Parses bytes [s, e) as a timestamp: UTC seconds since the epoch (an exact integer), with the sub-second
 * part left in `lastMicros`; NaN when the text is not a possible timestamp. Never reads outside [s, e).
 */
function parseTimestampSecondsAt(bytes: Uint8Array, s: number, e: number): number {
  if (e - s < 16) return NaN;
  const days = dateAt(bytes, s);
  const sep = bytes[s + 10];
  if ((sep !== 0x54 && sep !== 0x20) || bytes[s + 13] !== 0x3a) return NaN;
  const hh = two(bytes, s + 11);
  const mi = two(bytes, s + 14);
  if (hh < 0 || hh > 23 || mi < 0 || mi > 59) return NaN;
  let i = s + 16;
  let ss = 0;
  let micros = 0;
  if (i < e && bytes[i] === 0x3a) {
    if (i + 3 > e) return NaN;
    ss = two(bytes, i + 1);
    if (ss < 0 || ss > 59) return NaN;
    i += 3;
    if (i < e && bytes[i] === 0x2e) {
      i++;
      const from = i;
      for (; i < e; i++) {
        const d = bytes[i]! - 0x30;
        if (d >>> 0 > 9) break;
        if (i - from < 6) micros = micros * 10 + d;
      }
      const nd = i - from;
      if (nd === 0 || nd > 9) return NaN;
      for (let k = nd; k < 6; k++) micros *= 10;
    }
  }
  let offset = 0; // seconds east of UTC
  if (i < e) {
    const c = bytes[i]!;
    if (c === 0x5a) {
      i++;
    } else if (c === 0x2b || c === 0x2d) {
      if (i + 3 > e) return NaN;
      const oh = two(bytes, i + 1);
      if (oh < 0 || oh > 23) return NaN;
      i += 3;
      let om = 0;
      if (i < e) {
        if (bytes[i] === 0x3a) i++;
        if (i + 2 > e) return NaN;
        om = two(bytes, i);
        if (om < 0 || om > 59) return NaN;
        i += 2;
      }
      offset = (oh * 3600 + om * 60) * (c === 0x2d ? -1 : 1);
    } else return NaN;
    if (i !== e) return NaN;
  }
  lastMicros = micros;
  return days * 86400 + hh * 3600 + mi * 60 + ss - offset; // NaN when the date was impossible
}

/** `YYYY-MM-DDTHH:MM:SS` (or with a space) at [s, s+19): UTC seconds since the epoch, or NaN. */
function plainTimestampAt(bytes: Uint8Array, s: number): number {
  const sep = bytes[s + 10];
  if ((sep !== 0x54 && sep !== 0x20) || bytes[s + 13] !== 0x3a || bytes[s + 16] !== 0x3a) return NaN;
  const hh = two(bytes, s + 11);
  const mi = two(bytes, s + 14);
  const ss = two(bytes, s + 17);
  if (hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 59) return NaN;
  return dateAt(bytes, s) * 86400 + hh * 3600 + mi * 60 + ss;
}

/** Parses bytes [s, e) as a timestamp: microseconds since the epoch as a BigInt, or undefined when invalid. */
export function parseTimestampAt(bytes: Uint8Array, s: number, e: number): bigint | undefined {
  const sec = parseTimestampSecondsAt(bytes, s, e);
  if (sec !== sec) return undefined;
  return BigInt(sec) * 1_000_000n + BigInt(lastMicros);
}

/** Decodes column `col` as `YYYY-MM-DD` dates: days since 1970-01-01. */
export function decodeDate(batch: CsvBatch, col: number): DecodedColumn<Int32Array> {
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
    const v = e - s === 10 ? dateAt(bytes, s) : NaN;
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

/** Largest |seconds| for which seconds * 1e6 + micros stays an exact double. */
const SAFE_SECONDS = 9_007_199_253;

/** Decodes column `col` as ISO-8601 timestamps: UTC microseconds since the epoch (BigInt64Array). */
export function decodeTimestamp(batch: CsvBatch, col: number): DecodedColumn<BigInt64Array> {
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
  for (let r = 0; r < n; r++) {
    const s = starts[r]!;
    const e = ends[r]!;
    if (e - s === tokLen && isNullField(bytes, s, e, flags[r]!, tok)) {
      nullCount++;
      continue;
    }
    if (e - s === 19 && LITTLE_ENDIAN) {
      // Fast path for the common `YYYY-MM-DDTHH:MM:SS`; anything else of that length takes the general path.
      const sec = plainTimestampAt(bytes, s);
      if (sec === sec) {
        writeInt64Words(words, r, sec * 1e6);
        valid[r] = 1;
        continue;
      }
    }
    const sec = parseTimestampSecondsAt(bytes, s, e);
    if (sec !== sec) {
      errors[r] = 1;
      errorCount++;
      continue;
    }
    if (LITTLE_ENDIAN && sec < SAFE_SECONDS && sec > -SAFE_SECONDS) writeInt64Words(words, r, sec * 1e6 + lastMicros);
    else values[r] = BigInt(sec) * 1_000_000n + BigInt(lastMicros);
    valid[r] = 1;
  }
  return { values, valid, errors, nullCount, errorCount };
}
