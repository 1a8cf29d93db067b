/** Conversions of Arrow temporal storage values to the units the Parquet files and stats use. */
import { TimeUnit } from 'apache-arrow';

/** Milliseconds in a day. */
export const MS_PER_DAY = 86_400_000;

/** `a / b` rounded toward negative infinity (BigInt `/` truncates toward zero). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/**
 * A timestamp in `unit` as microseconds since the epoch. Nanoseconds are floored (sub-microsecond
 * precision is dropped, the same way the writer coerces nanosecond columns).
 */
export function timestampToMicros(value: bigint, unit: TimeUnit): bigint {
  switch (unit) {
    case TimeUnit.SECOND:
      return value * 1_000_000n;
    case TimeUnit.MILLISECOND:
      return value * 1_000n;
    case TimeUnit.MICROSECOND:
      return value;
    case TimeUnit.NANOSECOND:
      return floorDiv(value, 1_000n);
  }
}

/** A Date64 value (milliseconds since the epoch) as whole days since the epoch, floored. */
export function millisToDays(value: bigint | number): number {
  return Math.floor(Number(value) / MS_PER_DAY);
}
