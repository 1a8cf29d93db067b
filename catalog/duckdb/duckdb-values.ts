/** DuckDB values to result values (see `SqlValue`), and parameters to DuckDB values. */
import {
  DuckDBArrayValue,
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  timestampTZValue,
  type DuckDBValue,
} from '@duckdb/node-api';
import { UsageError } from '../../etl/errors.js';
import type { SqlParam, SqlValue } from '../query/query-engine.js';
import { dateString, integerValue } from '../query/values.js';

/** A result value of a DuckDB value. */
export function fromDuckValue(value: DuckDBValue): SqlValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'bigint') return integerValue(value);
  if (value instanceof DuckDBDateValue) return value.isFinite ? dateString(value.days) : value.toString();
  if (value instanceof DuckDBTimestampValue || value instanceof DuckDBTimestampTZValue) return microsToDate(value.micros, value);
  if (value instanceof DuckDBTimestampMillisecondsValue) return new Date(Number(value.millis));
  if (value instanceof DuckDBTimestampSecondsValue) return new Date(Number(value.seconds) * 1000);
  if (value instanceof DuckDBTimestampNanosecondsValue) return new Date(Number(value.nanos / 1_000_000n));
  if (value instanceof DuckDBDecimalValue) return value.toDouble();
  if (value instanceof DuckDBListValue || value instanceof DuckDBArrayValue) return value.items.map(fromDuckValue);
  if (value instanceof DuckDBStructValue) {
    return Object.fromEntries(Object.entries(value.entries).map(([k, v]) => [k, fromDuckValue(v)]));
  }
  if (value instanceof DuckDBMapValue) return Object.fromEntries(value.entries.map((e) => [String(e.key), fromDuckValue(e.value)]));
  if (value instanceof DuckDBBlobValue) return value.bytes;
  return String(value);
}

function microsToDate(micros: bigint, value: { isFinite: boolean; toString(): string }): Date | string {
  if (!value.isFinite) return value.toString();
  // Floor division, so instants before 1970 keep their millisecond.
  const ms = micros >= 0n ? micros / 1000n : -((-micros + 999n) / 1000n);
  return new Date(Number(ms));
}

/** The DuckDB value bound for a parameter. Throws `UsageError` for an unsupported value. */
export function toDuckParam(param: SqlParam, index: number): DuckDBValue {
  if (param === null || param === undefined) return null;
  if (typeof param === 'boolean' || typeof param === 'number' || typeof param === 'string' || typeof param === 'bigint') return param;
  if (param instanceof Date) {
    if (Number.isNaN(param.getTime())) throw new UsageError(`parameter ${index + 1} is an invalid Date`);
    return timestampTZValue(BigInt(param.getTime()) * 1000n);
  }
  throw new UsageError(`parameter ${index + 1} has an unsupported type (${typeof param}); use null, boolean, number, bigint, string or Date`);
}
