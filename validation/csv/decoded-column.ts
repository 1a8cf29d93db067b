/** The result shape shared by every column decoder, and the null test they all use. */
import { FIELD_QUOTED, type CsvBatch, type CsvColumnFields } from './csv-batch.js';
import { UsageError } from '../../etl/errors.js';

/**
 * One decoded column. Per row exactly one holds: `valid[r] = 1` (parsed; `values[r]` is the value),
 * `errors[r] = 1` (non-null text that could not be parsed), or neither (null). Values under null and
 * error rows are 0 / empty.
 */
export interface DecodedColumn<V> {
  /** The values, one per row of the batch. */
  values: V;
  /** 1 where the field is non-null and parsed. Usable directly as an Arrow-style validity mask. */
  valid: Uint8Array;
  /** 1 where the field is non-null but could not be parsed as the requested type. */
  errors: Uint8Array;
  /** Number of null rows (unquoted fields equal to the null token). */
  nullCount: number;
  /** Number of rows with `errors[r] = 1`. */
  errorCount: number;
}

/** True when field [s, e) with flags `f` is null: unquoted and byte-equal to `nullToken`. */
export function isNullField(bytes: Uint8Array, s: number, e: number, f: number, nullToken: Uint8Array): boolean {
  if ((f & FIELD_QUOTED) !== 0) return false;
  const n = nullToken.length;
  if (e - s !== n) return false;
  for (let k = 0; k < n; k++) if (bytes[s + k] !== nullToken[k]) return false;
  return true;
}

/** The fields of column `col` of `batch`; throws `UsageError` for a column that does not exist. */
export function columnFields(batch: CsvBatch, col: number): CsvColumnFields {
  const fields = batch.columns[col];
  if (fields === undefined) {
    throw new UsageError(`column ${col} does not exist; the batch has ${batch.columns.length} columns`);
  }
  return fields;
}

/** Builds a string from ASCII/Latin-1 bytes [s, e) (only for short, rare slow paths). */
export function latin1Text(bytes: Uint8Array, s: number, e: number): string {
  let out = '';
  for (let i = s; i < e; i++) out += String.fromCharCode(bytes[i]!);
  return out;
}
