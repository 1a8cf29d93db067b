/**
 * Per-column statistics of Arrow record batches (null count, min, max), in the value conventions of
 * `ColumnStats`. Computed with plain loops over the typed arrays and validity bitmaps (see
 * `min-max.ts`); nothing is truncated here — the table formats truncate strings themselves.
 *
 * Supported for min/max: Int8..Int64 and unsigned ints, Float32/Float64 (NaN ignored), Bool,
 * Utf8/LargeUtf8, Dictionary<*, any of these> (over the dictionary entries rows actually use),
 * DateDay, DateMillisecond (as days), Timestamp of any unit (as UTC microseconds). Every other type
 * (decimals, binary, float16, lists, structs, maps, ...) gets `nullCount` only; for nested types that is
 * the number of null top-level values, not of null leaves.
 *
 * Strings are ordered by their UTF-8 bytes (= code point order), the order Parquet, Delta and Iceberg
 * use for their own statistics; this differs from JS `<` only between characters U+E000..U+FFFF and
 * characters above U+FFFF.
 */
import { type Data, DateUnit, type DataType, type RecordBatch, type TimeUnit, Type } from 'apache-arrow';
import type { ColumnStats } from './types.js';
import { nullCountOf } from './bitmap.js';
import { type RawMinMax, rawMinMax } from './min-max.js';
import { millisToDays, timestampToMicros } from './time-units.js';
import { compareValues } from './value-order.js';

/** A statistics value: what `ColumnStats.min` / `max` can hold. */
export type StatValue = NonNullable<ColumnStats['min']>;

/** Statistics of every top-level column of `batch`, by column name. */
export function computeStats(batch: RecordBatch): Record<string, ColumnStats> {
  const out: Record<string, ColumnStats> = {};
  const fields = batch.schema.fields;
  const columns = batch.data.children;
  for (let i = 0; i < fields.length; i++) {
    out[fields[i]!.name] = computeColumnStats(columns[i]!);
  }
  return out;
}

/** Statistics of one column chunk. */
export function computeColumnStats(data: Data): ColumnStats {
  const stats: ColumnStats = { nullCount: nullCountOf(data) };
  const raw = stats.nullCount < data.length ? rawMinMax(data) : undefined;
  if (raw) {
    const valueType = data.typeId === Type.Dictionary ? (data.type as unknown as { dictionary: DataType }).dictionary : (data.type as DataType);
    const min = toStatValue(valueType, raw.min);
    const max = toStatValue(valueType, raw.max);
    if (min !== undefined && max !== undefined) {
      stats.min = min;
      stats.max = max;
    }
  }
  return stats;
}

/** Convert a raw storage value of a column of `type` to its `ColumnStats` form. */
function toStatValue(type: DataType, raw: RawMinMax['min']): StatValue | undefined {
  switch (type.typeId) {
    case Type.Date:
      return (type as unknown as { unit: DateUnit }).unit === DateUnit.MILLISECOND ? millisToDays(raw as bigint) : raw;
    case Type.Timestamp:
      return timestampToMicros(raw as bigint, (type as unknown as { unit: TimeUnit }).unit);
    default:
      return raw;
  }
}

/**
 * Statistics of the union of two sets of rows with the same columns: null counts add up, min of mins,
 * max of maxes. A column present on one side only is copied.
 */
export function mergeStats(a: Record<string, ColumnStats>, b: Record<string, ColumnStats>): Record<string, ColumnStats> {
  const out: Record<string, ColumnStats> = { ...a };
  for (const [name, stats] of Object.entries(b)) {
    const left = out[name];
    out[name] = left ? mergeColumnStats(left, stats) : { ...stats };
  }
  return out;
}

/** Statistics of the union of the rows two `ColumnStats` describe. */
export function mergeColumnStats(a: ColumnStats, b: ColumnStats): ColumnStats {
  const out: ColumnStats = { nullCount: a.nullCount + b.nullCount };
  const min = pick(a.min, b.min, (x, y) => compareStatValues(x, y) <= 0);
  const max = pick(a.max, b.max, (x, y) => compareStatValues(x, y) >= 0);
  if (min !== undefined) out.min = min;
  if (max !== undefined) out.max = max;
  return out;
}

/**
 * Order of two statistics values of the same column: numbers and bigints numerically, false < true,
 * strings in UTF-8 byte order. Negative, 0 or positive.
 */
export function compareStatValues(a: StatValue, b: StatValue): number {
  return compareValues(a, b);
}

function pick(a: StatValue | undefined, b: StatValue | undefined, keepA: (x: StatValue, y: StatValue) => boolean): StatValue | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return keepA(a, b) ? a : b;
}
