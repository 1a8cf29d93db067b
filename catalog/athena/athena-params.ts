/**
 * Parameters for Athena's `ExecutionParameters`. Athena substitutes each `?` with the literal text
 * of its parameter, so every value is rendered as a Trino literal: strings quoted with `'` doubled,
 * non-integral numbers as DOUBLE literals (`1.5E0`, as DuckDB binds a JS number), Dates as
 * `TIMESTAMP '...'` (UTC), null as `NULL`.
 */
import { UsageError } from '../../etl/errors.js';
import type { SqlParam } from '../query/query-engine.js';

/** The `ExecutionParameters` entry of one parameter. Throws `UsageError` for NaN, infinities, invalid Dates and other types. */
export function athenaLiteral(param: SqlParam, index: number): string {
  if (param === null || param === undefined) return 'NULL';
  if (typeof param === 'boolean') return param ? 'true' : 'false';
  if (typeof param === 'bigint') return param.toString();
  if (typeof param === 'number') {
    if (!Number.isFinite(param)) throw new UsageError(`parameter ${index + 1} is ${param}; Athena parameters must be finite`);
    if (Number.isSafeInteger(param)) return String(param);
    return param.toExponential().toUpperCase();
  }
  if (typeof param === 'string') return `'${param.replace(/'/g, "''")}'`;
  if (param instanceof Date) {
    if (Number.isNaN(param.getTime())) throw new UsageError(`parameter ${index + 1} is an invalid Date`);
    return `TIMESTAMP '${param.toISOString().replace('T', ' ').replace('Z', '')}'`;
  }
  throw new UsageError(`parameter ${index + 1} has an unsupported type (${typeof param}); use null, boolean, number, bigint, string or Date`);
}

/** Every parameter's literal, or undefined when there are none (Athena rejects an empty list). */
export function executionParameters(params: readonly SqlParam[]): string[] | undefined {
  return params.length === 0 ? undefined : params.map(athenaLiteral);
}
