/** Boolean columns: `true`/`false`, `t`/`f`, `yes`/`no`, `y`/`n`, `1`/`0`, any letter case. */
import type { CsvBatch } from './csv-batch.js';
import { columnFields, isNullField, type DecodedColumn } from './decoded-column.js';
import { zeroed } from './decode-arrays.js';

/** Parses bytes [s, e) as a boolean: 1 true, 0 false, -1 not a boolean. */
export function parseBoolAt(bytes: Uint8Array, s: number, e: number): number {
  const n = e - s;
  if (n === 0 || n > 5) return -1;
  const c = bytes[s]! | 0x20; // lower-cases letters; digits are checked before
  if (n === 1) {
    const d = bytes[s]!;
    if (d === 0x31) return 1;
    if (d === 0x30) return 0;
    if (c === 0x74 || c === 0x79) return 1; // t y
    if (c === 0x66 || c === 0x6e) return 0; // f n
    return -1;
  }
  let word = '';
  for (let i = s; i < e; i++) word += String.fromCharCode(bytes[i]! | 0x20);
  if (word === 'true' || word === 'yes') return 1;
  if (word === 'false' || word === 'no') return 0;
  return -1;
}

/** Decodes column `col` as booleans (0/1 in a Uint8Array). */
export function decodeBool(batch: CsvBatch, col: number): DecodedColumn<Uint8Array> {
  const { starts, ends, flags } = columnFields(batch, col);
  const bytes = batch.bytes;
  const tok = batch.nullToken;
  const tokLen = tok.length;
  const n = batch.rowCount;
  const values = zeroed(Uint8Array, n);
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
    const v = parseBoolAt(bytes, s, e);
    if (v < 0) {
      errors[r] = 1;
      errorCount++;
    } else {
      values[r] = v;
      valid[r] = 1;
    }
  }
  return { values, valid, errors, nullCount, errorCount };
}
