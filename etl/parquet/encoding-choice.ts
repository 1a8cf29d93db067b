/**
 * Per-file choice of Parquet column encodings, judged from a sample of the file's first rows.
 *
 * parquet-wasm's dictionary encoder is its most expensive path (on order_items-shaped int32 columns,
 * about twice the time of DELTA_BINARY_PACKED, which also leaves zstd less to do), so a dictionary is
 * kept only where it pays:
 * - Integer, date and timestamp columns are written DELTA_BINARY_PACKED, unless the sample has a few
 *   often repeated values jumping over a wide range (status codes, sparse category ids): there a
 *   dictionary index takes at least `DICTIONARY_MIN_SAVING_BITS` fewer bits per value than a delta would.
 * - String columns keep their dictionary unless most sampled values are distinct (ids, free text),
 *   where a dictionary would only grow until parquet-wasm falls back to plain pages.
 * - Every other column keeps the writer's default (dictionary on).
 */
import { type Data, DataType, type RecordBatch, type Schema, Type } from 'apache-arrow';
import { validityOf, isValidBit } from './bitmap.js';
import type { ParquetWriteOptions } from './types.js';

/** Non-null values sampled per column, from the start of a file. */
export const ENCODING_SAMPLE_ROWS = 1024;

/** Bits per value a dictionary index must save over a delta before an integer column gets a dictionary. */
export const DICTIONARY_MIN_SAVING_BITS = 3;

/** Times each distinct value of an integer column's sample must occur on average before a dictionary is considered. */
export const DICTIONARY_MIN_REPEATS = 16;

/** Distinct values a full integer sample may hold and still get a dictionary. */
const MAX_DICTIONARY_SAMPLE_DISTINCT = ENCODING_SAMPLE_ROWS / DICTIONARY_MIN_REPEATS;

/** The encodings of one file's columns beyond the writer's default (dictionary on). */
export interface EncodingChoice {
  /** Columns written DELTA_BINARY_PACKED without a dictionary. */
  deltaColumns: string[];
  /** Columns written without a dictionary, in their type's default (plain) encoding. */
  plainColumns: string[];
}

/**
 * The encodings of a file whose first rows are `batches` (any number; at most
 * `ENCODING_SAMPLE_ROWS` non-null values per column are looked at). Columns named in
 * `options.plainColumns` stay plain and those in `options.deltaColumns` are delta-encoded, whatever
 * the sample says.
 */
export function chooseEncodings(schema: Schema, batches: readonly RecordBatch[], options: Pick<ParquetWriteOptions, 'deltaColumns' | 'plainColumns'> = {}): EncodingChoice {
  const plain = new Set(options.plainColumns ?? []);
  const delta = new Set((options.deltaColumns ?? []).filter((c) => !plain.has(c)));
  schema.fields.forEach((field, index) => {
    if (plain.has(field.name) || delta.has(field.name)) return;
    const chunks = batches.map((b) => b.data.children[index]!);
    if (isIntegerLike(field.type)) {
      if (!integerDictionaryPays(chunks)) delta.add(field.name);
    } else if (DataType.isUtf8(field.type) || DataType.isLargeUtf8(field.type)) {
      if (mostlyDistinct(chunks)) plain.add(field.name);
    }
  });
  return { deltaColumns: [...delta], plainColumns: [...plain] };
}

/** Arrow types stored as Parquet INT32 or INT64 that DELTA_BINARY_PACKED can encode. */
function isIntegerLike(type: DataType): boolean {
  return DataType.isInt(type) || DataType.isDate(type) || DataType.isTimestamp(type);
}

/** Bits needed to hold the unsigned value `n` (0 for 0). */
function bitsFor(n: number): number {
  return n <= 0 ? 0 : Math.floor(Math.log2(n)) + 1;
}

/** Values per DELTA_BINARY_PACKED miniblock: each miniblock packs its deltas at its own bit width. */
const MINIBLOCK = 32;

/**
 * True when a dictionary beats DELTA_BINARY_PACKED on the sample by `DICTIONARY_MIN_SAVING_BITS`
 * bits per value: a delta costs, on average over the sample's miniblocks, the bits of the spread of
 * a miniblock's consecutive differences; an index costs the bits of the distinct count. Only a sample
 * whose values repeat `DICTIONARY_MIN_REPEATS` times on average can get a dictionary (zstd shrinks
 * the deltas of repeating values well, which the bit counts do not show).
 */
function integerDictionaryPays(chunks: Data[]): boolean {
  const seen = new Set<number>();
  let sampled = 0;
  let previous = 0;
  let blockMin = Infinity;
  let blockMax = -Infinity;
  let inBlock = 0;
  let deltaBits = 0;
  for (const data of chunks) {
    const values = data.values as ArrayLike<number | bigint>;
    const validity = validityOf(data);
    const wide = values instanceof BigInt64Array || values instanceof BigUint64Array;
    for (let i = 0; i < data.length && sampled < ENCODING_SAMPLE_ROWS; i++) {
      if (validity !== undefined && isValidBit(validity, data.offset + i) === 0) continue;
      const v = wide ? Number(values[i]) : (values[i] as number);
      if (sampled > 0) {
        const d = v - previous;
        if (d < blockMin) blockMin = d;
        if (d > blockMax) blockMax = d;
        if (++inBlock === MINIBLOCK) {
          deltaBits += MINIBLOCK * bitsFor(blockMax - blockMin);
          blockMin = Infinity;
          blockMax = -Infinity;
          inBlock = 0;
        }
      }
      previous = v;
      seen.add(v);
      // Past this many distinct values no full sample repeats them often enough: stop early.
      if (seen.size > MAX_DICTIONARY_SAMPLE_DISTINCT) return false;
      sampled++;
    }
    if (sampled >= ENCODING_SAMPLE_ROWS) break;
  }
  if (inBlock > 0) deltaBits += inBlock * bitsFor(blockMax - blockMin);
  if (sampled < 2 || seen.size * DICTIONARY_MIN_REPEATS > sampled) return false;
  return bitsFor(seen.size - 1) + DICTIONARY_MIN_SAVING_BITS <= deltaBits / (sampled - 1);
}

const decoder = new TextDecoder();

/** True when more than half of the sampled non-null strings are distinct. */
function mostlyDistinct(chunks: Data[]): boolean {
  const seen = new Set<string>();
  let sampled = 0;
  for (const data of chunks) {
    if (data.typeId !== Type.Utf8 && data.typeId !== Type.LargeUtf8) return false;
    const offsets = data.valueOffsets as Int32Array | BigInt64Array;
    const bytes = data.values as Uint8Array;
    const validity = validityOf(data);
    for (let i = 0; i < data.length && sampled < ENCODING_SAMPLE_ROWS; i++) {
      if (validity !== undefined && isValidBit(validity, data.offset + i) === 0) continue;
      seen.add(decoder.decode(bytes.subarray(Number(offsets[i]), Number(offsets[i + 1]))));
      sampled++;
    }
    if (sampled >= ENCODING_SAMPLE_ROWS) break;
  }
  return sampled > 0 && seen.size > sampled / 2;
}
