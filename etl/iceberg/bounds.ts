/**
 * Iceberg's binary single-value serialization (spec Appendix D), used for the lower and upper bounds of
 * data files and the partition summaries of manifest lists: little-endian ints and longs, days for
 * dates, microseconds for timestamps, IEEE 754 for floats, UTF-8 for strings. String bounds are
 * truncated to 16 code points, as the default metrics mode `truncate(16)` does (an upper bound then has
 * its last code point incremented, or is dropped when that is impossible).
 */
import type { Literal } from '../predicate.js';
import type { PartitionValue } from './partition-spec.js';

/** Code points kept in string bounds. */
export const STRING_BOUND_LENGTH = 16;

/** A value to encode: numbers for int/date/float/double, bigint (or number) for long/timestamps, strings, booleans. */
export type BoundValue = number | bigint | string | boolean;

/** Encode one value of an Iceberg primitive type; undefined for types without a binary form here (decimal, nested). */
export function encodeValue(type: string, value: BoundValue): Uint8Array | undefined {
  switch (type) {
    case 'boolean':
      return Uint8Array.of(value ? 1 : 0);
    case 'int':
    case 'date': {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setInt32(0, Number(value), true);
      return b;
    }
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz': {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigInt64(0, BigInt(value), true);
      return b;
    }
    case 'float': {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setFloat32(0, Number(value), true);
      return b;
    }
    case 'double': {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setFloat64(0, Number(value), true);
      return b;
    }
    case 'string':
      return new TextEncoder().encode(String(value));
    default:
      return undefined;
  }
}

/** Decode one value of an Iceberg primitive type in its raw form (see `PartitionValue`); undefined when not decodable. */
export function decodeValue(type: string, bytes: Uint8Array): PartitionValue | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    switch (type) {
      case 'boolean':
        return bytes.length > 0 && bytes[0] !== 0;
      case 'int':
      case 'date':
        return view.getInt32(0, true);
      case 'long':
      case 'time':
      case 'timestamp':
      case 'timestamptz':
        return view.getBigInt64(0, true);
      case 'float':
        return view.getFloat32(0, true);
      case 'double':
        return view.getFloat64(0, true);
      case 'string':
        return new TextDecoder().decode(bytes);
      default:
        return undefined;
    }
  } catch {
    return undefined; // a bound shorter than its type: ignore it rather than fail the scan
  }
}

/** The lower bound to store for a column's minimum (strings truncated). */
export function lowerBound(type: string, min: BoundValue): Uint8Array | undefined {
  if (type === 'double' || type === 'float') {
    if (Number.isNaN(Number(min))) return undefined;
    // -0.0 must precede +0.0: a lower bound of 0 is written as -0.0.
    if (Object.is(Number(min), 0)) return encodeValue(type, -0);
  }
  if (type === 'string') return encodeValue(type, [...String(min)].slice(0, STRING_BOUND_LENGTH).join(''));
  return encodeValue(type, min);
}

/** The upper bound to store for a column's maximum (strings truncated and incremented), or undefined. */
export function upperBound(type: string, max: BoundValue): Uint8Array | undefined {
  if (type === 'double' || type === 'float') {
    if (Number.isNaN(Number(max))) return undefined;
    if (Object.is(Number(max), -0)) return encodeValue(type, 0); // +0.0 follows -0.0
  }
  if (type === 'string') {
    const points = [...String(max)];
    if (points.length <= STRING_BOUND_LENGTH) return encodeValue(type, String(max));
    const kept = points.slice(0, STRING_BOUND_LENGTH).map((c) => c.codePointAt(0)!);
    for (let i = kept.length - 1; i >= 0; i--) {
      let next = kept[i]! + 1;
      if (next >= 0xd800 && next <= 0xdfff) next = 0xe000; // skip surrogates
      if (next <= 0x10ffff) {
        return encodeValue(type, String.fromCodePoint(...kept.slice(0, i), next));
      }
    }
    return undefined;
  }
  return encodeValue(type, max);
}

/**
 * A decoded value in the comparable form of `etl/predicate.ts` (`comparable`): dates `YYYY-MM-DD`,
 * timestamps and longs bigint µs, ints and floats numbers, strings, booleans.
 */
export function comparableValue(type: string, value: PartitionValue): Literal {
  if (value === null) return null;
  if (type === 'date') return new Date(Number(value) * 86_400_000).toISOString().slice(0, 10);
  if (type === 'long' || type === 'timestamp' || type === 'timestamptz') return BigInt(value as bigint);
  return value;
}
