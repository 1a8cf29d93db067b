/**
 * String columns, plain or dictionary-encoded. Strings are made straight from the batch bytes: ASCII
 * fields as one-byte strings, others as UTF-8 (already validated by the tokenizer).
 */
import { FIELD_ESCAPED, FIELD_NON_ASCII, type CsvBatch } from './csv-batch.js';
import { unescapeQuotes } from './csv-tokenizer.js';
import { columnFields, isNullField, type DecodedColumn } from './decoded-column.js';
import { zeroed } from './decode-arrays.js';

/** A dictionary-encoded string column: `dictionary[indices[r]]` is row r's value (index 0 under nulls). */
export interface DictionaryValues {
  /** Per row, the position of its value in `dictionary`. */
  indices: Int32Array;
  /** The distinct values, in order of first appearance. */
  dictionary: string[];
}

/** Default most distinct values `decodeDictionary` accepts before giving up. */
export const DEFAULT_MAX_DICTIONARY = 1 << 16;

type Slicer = (this: Buffer, start: number, end: number) => string;
const proto = Buffer.prototype as unknown as { latin1Slice?: Slicer; utf8Slice?: Slicer };
const latin1Slice: Slicer = proto.latin1Slice ?? function (this: Buffer, s, e) { return this.toString('latin1', s, e); };
const utf8Slice: Slicer = proto.utf8Slice ?? function (this: Buffer, s, e) { return this.toString('utf8', s, e); };

/** A Buffer over the same memory as `bytes` (no copy), for the fast slicing methods. */
function bufferOf(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function textAt(buf: Buffer, s: number, e: number, f: number, quote: number): string {
  const text = (f & FIELD_NON_ASCII) !== 0 ? utf8Slice.call(buf, s, e) : latin1Slice.call(buf, s, e);
  return (f & FIELD_ESCAPED) !== 0 ? unescapeQuotes(text, quote) : text;
}

/** Decodes column `col` as strings; null rows hold `''` with `valid = 0`. Never has errors. */
export function decodeString(batch: CsvBatch, col: number): DecodedColumn<string[]> {
  const { starts, ends, flags } = columnFields(batch, col);
  const bytes = batch.bytes;
  const buf = bufferOf(bytes);
  const tok = batch.nullToken;
  const n = batch.rowCount;
  const values: string[] = new Array<string>(n);
  const valid = zeroed(Uint8Array, n);
  let nullCount = 0;
  for (let r = 0; r < n; r++) {
    const s = starts[r]!;
    const e = ends[r]!;
    const f = flags[r]!;
    if (isNullField(bytes, s, e, f, tok)) {
      values[r] = '';
      nullCount++;
      continue;
    }
    values[r] = textAt(buf, s, e, f, batch.quote);
    valid[r] = 1;
  }
  return { values, valid, errors: zeroed(Uint8Array, n), nullCount, errorCount: 0 };
}

/**
 * Decodes column `col` as a dictionary: each distinct byte sequence becomes one string, found through a
 * small open-addressing hash table on the raw bytes. Returns undefined once more than `maxSize` distinct
 * values appear (use `decodeString` then).
 */
export function decodeDictionary(batch: CsvBatch, col: number, maxSize: number = DEFAULT_MAX_DICTIONARY): DecodedColumn<DictionaryValues> | undefined {
  const { starts, ends, flags } = columnFields(batch, col);
  const bytes = batch.bytes;
  const tok = batch.nullToken;
  const n = batch.rowCount;
  const indices = zeroed(Int32Array, n);
  const valid = zeroed(Uint8Array, n);
  let nullCount = 0;

  let tableSize = 64;
  while (tableSize < 2 * Math.min(maxSize, n) && tableSize < 1 << 30) tableSize <<= 1;
  const table = new Int32Array(tableSize).fill(-1); // slot -> entry
  const mask = tableSize - 1;
  const entryStart: number[] = [];
  const entryEnd: number[] = [];
  const entryFlags: number[] = [];

  for (let r = 0; r < n; r++) {
    const s = starts[r]!;
    const e = ends[r]!;
    const f = flags[r]!;
    if (isNullField(bytes, s, e, f, tok)) {
      nullCount++;
      continue;
    }
    let h = 0x811c9dc5;
    for (let i = s; i < e; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
    let slot = (h ^ (h >>> 15)) & mask;
    for (;;) {
      const id = table[slot]!;
      if (id < 0) {
        if (entryStart.length >= maxSize) return undefined;
        table[slot] = entryStart.length;
        indices[r] = entryStart.length;
        entryStart.push(s);
        entryEnd.push(e);
        entryFlags.push(f);
        break;
      }
      const es = entryStart[id]!;
      const len = entryEnd[id]! - es;
      if (len === e - s) {
        let k = 0;
        while (k < len && bytes[es + k] === bytes[s + k]) k++;
        if (k === len) {
          indices[r] = id;
          break;
        }
      }
      slot = (slot + 1) & mask;
    }
    valid[r] = 1;
  }
  const buf = bufferOf(bytes);
  const dictionary = entryStart.map((s, id) => textAt(buf, s, entryEnd[id]!, entryFlags[id]!, batch.quote));
  return { values: { indices, dictionary }, valid, errors: zeroed(Uint8Array, n), nullCount, errorCount: 0 };
}
