/**
 * Min/max kernels over the raw buffers of one Arrow JS `Data` chunk: plain loops over typed arrays and
 * the validity bitmap, no per-row objects. Values come back in the column's storage unit (raw
 * timestamps, raw Date64 milliseconds); `stats.ts` converts them to `ColumnStats` values.
 *
 * Every kernel takes an optional `pick` mask: when given, row `i` is considered only if `pick[i]` is 1
 * (used for dictionaries, where only the dictionary entries some row points at count).
 */
import { type Data, Precision, Type } from 'apache-arrow';
import { isValidBit, validityOf } from './bitmap.js';
import { compareBytes, compareValues } from './value-order.js';

/** Smallest and largest non-null value of a chunk, in storage units. */
export interface RawMinMax {
  /** Smallest value. */
  min: number | bigint | boolean | string;
  /** Largest value. */
  max: number | bigint | boolean | string;
}

const utf8Decoder = new TextDecoder();

/**
 * Min and max of the non-null values of `data` (restricted to `pick` when given), or `undefined` when
 * there are none or the type has no supported ordering (decimals, binary, nested, float16, ...).
 * Floats ignore NaN. Strings are ordered by UTF-8 bytes.
 */
export function rawMinMax(data: Data, pick?: Uint8Array): RawMinMax | undefined {
  switch (data.typeId) {
    case Type.Int:
    case Type.Date:
    case Type.Timestamp:
      return fixedMinMax(data, pick);
    case Type.Float:
      return (data.type as { precision?: Precision }).precision === Precision.HALF ? undefined : fixedMinMax(data, pick);
    case Type.Bool:
      return boolMinMax(data, pick);
    case Type.Utf8:
    case Type.LargeUtf8:
      return utf8MinMax(data, pick);
    case Type.Dictionary:
      return dictionaryMinMax(data, pick);
    default:
      return undefined;
  }
}

/** Merge two raw results of the same column (values of one type). */
export function mergeRaw(a: RawMinMax | undefined, b: RawMinMax | undefined): RawMinMax | undefined {
  if (!a) return b;
  if (!b) return a;
  return { min: compareValues(b.min, a.min) < 0 ? b.min : a.min, max: compareValues(b.max, a.max) > 0 ? b.max : a.max };
}

function fixedMinMax(data: Data, pick: Uint8Array | undefined): RawMinMax | undefined {
  const values = data.values as unknown;
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) return bigintMinMax(data, values, pick);
  return numberMinMax(data, values as ArrayLike<number>, pick);
}

function numberMinMax(data: Data, values: ArrayLike<number>, pick: Uint8Array | undefined): RawMinMax | undefined {
  const validity = validityOf(data);
  if (validity === undefined && pick === undefined) return denseNumberMinMax(values, data.length);
  const { offset, length } = data;
  let min = Infinity;
  let max = -Infinity;
  let found = false;
  for (let i = 0; i < length; i++) {
    if (validity !== undefined && isValidBit(validity, offset + i) === 0) continue;
    if (pick !== undefined && pick[i] === 0) continue;
    const v = values[i]!;
    if (v !== v) continue; // NaN
    found = true;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return found ? { min, max } : undefined;
}

/** Min and max of the first `length` values, all of them valid (the common case, kept branch-light). */
function denseNumberMinMax(values: ArrayLike<number>, length: number): RawMinMax | undefined {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  // NaN fails both comparisons, so only NaN values leave the bounds untouched.
  return min <= max ? { min, max } : undefined;
}

/**
 * Min and max of 64-bit integers, compared as pairs of 32-bit words (high word signed for
 * BigInt64Array, unsigned for BigUint64Array; low word unsigned) so that no BigInt is made per value;
 * only the two results are read as BigInts (the words of a little-endian platform, as Node runs on).
 */
function bigintMinMax(data: Data, values: BigInt64Array | BigUint64Array, pick: Uint8Array | undefined): RawMinMax | undefined {
  const validity = validityOf(data);
  const { offset, length } = data;
  const words = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
  const flip = values instanceof BigUint64Array ? 0x80000000 : 0; // makes an unsigned high word compare as signed
  let minAt = -1;
  let maxAt = -1;
  let minHi = 0;
  let minLo = 0;
  let maxHi = 0;
  let maxLo = 0;
  for (let i = 0; i < length; i++) {
    if (validity !== undefined && isValidBit(validity, offset + i) === 0) continue;
    if (pick !== undefined && pick[i] === 0) continue;
    const lo = words[2 * i]! >>> 0;
    const hi = words[2 * i + 1]! ^ flip;
    if (minAt < 0 || hi < minHi || (hi === minHi && lo < minLo)) {
      minAt = i;
      minHi = hi;
      minLo = lo;
    }
    if (maxAt < 0 || hi > maxHi || (hi === maxHi && lo > maxLo)) {
      maxAt = i;
      maxHi = hi;
      maxLo = lo;
    }
  }
  return minAt < 0 ? undefined : { min: values[minAt]!, max: values[maxAt]! };
}

function boolMinMax(data: Data, pick: Uint8Array | undefined): RawMinMax | undefined {
  const validity = validityOf(data);
  const values = data.values as Uint8Array;
  const { offset, length } = data;
  let sawTrue = false;
  let sawFalse = false;
  for (let i = 0; i < length && !(sawTrue && sawFalse); i++) {
    if (validity !== undefined && isValidBit(validity, offset + i) === 0) continue;
    if (pick !== undefined && pick[i] === 0) continue;
    if (isValidBit(values, offset + i)) sawTrue = true;
    else sawFalse = true;
  }
  if (!sawTrue && !sawFalse) return undefined;
  return { min: !sawFalse, max: sawTrue };
}

function utf8MinMax(data: Data, pick: Uint8Array | undefined): RawMinMax | undefined {
  const validity = validityOf(data);
  const bytes = data.values as Uint8Array;
  const offsets = data.valueOffsets as Int32Array | BigInt64Array;
  const wide = offsets instanceof BigInt64Array;
  const { offset, length } = data;
  let minStart = 0;
  let minEnd = 0;
  let maxStart = 0;
  let maxEnd = 0;
  let found = false;
  for (let i = 0; i < length; i++) {
    if (validity !== undefined && isValidBit(validity, offset + i) === 0) continue;
    if (pick !== undefined && pick[i] === 0) continue;
    const start = wide ? Number(offsets[i]) : (offsets[i] as number);
    const end = wide ? Number(offsets[i + 1]) : (offsets[i + 1] as number);
    if (!found) {
      minStart = maxStart = start;
      minEnd = maxEnd = end;
      found = true;
      continue;
    }
    if (compareBytes(bytes, start, end, bytes, minStart, minEnd) < 0) {
      minStart = start;
      minEnd = end;
    } else if (compareBytes(bytes, start, end, bytes, maxStart, maxEnd) > 0) {
      maxStart = start;
      maxEnd = end;
    }
  }
  if (!found) return undefined;
  return {
    min: utf8Decoder.decode(bytes.subarray(minStart, minEnd)),
    max: utf8Decoder.decode(bytes.subarray(maxStart, maxEnd)),
  };
}

function dictionaryMinMax(data: Data, pick: Uint8Array | undefined): RawMinMax | undefined {
  const dictionary = data.dictionary;
  if (!dictionary || dictionary.length === 0) return undefined;
  const validity = validityOf(data);
  const indices = data.values as ArrayLike<number> | BigInt64Array | BigUint64Array;
  const { offset, length } = data;
  const used = new Uint8Array(dictionary.length);
  if (indices instanceof BigInt64Array || indices instanceof BigUint64Array) {
    for (let i = 0; i < length; i++) {
      if (validity !== undefined && isValidBit(validity, offset + i) === 0) continue;
      if (pick !== undefined && pick[i] === 0) continue;
      used[Number(indices[i])] = 1;
    }
  } else {
    for (let i = 0; i < length; i++) {
      if (validity !== undefined && isValidBit(validity, offset + i) === 0) continue;
      if (pick !== undefined && pick[i] === 0) continue;
      used[indices[i]!] = 1;
    }
  }
  let result: RawMinMax | undefined;
  let base = 0;
  for (const chunk of dictionary.data as Data[]) {
    const part = rawMinMax(chunk, used.subarray(base, base + chunk.length));
    result = mergeRaw(result, part);
    base += chunk.length;
  }
  return result;
}
