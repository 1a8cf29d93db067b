/** Arrow columns as PostgreSQL columns: the SQL type of each Arrow type, and each value as PostgreSQL text. */
import * as arrow from 'apache-arrow';
import { decimalText, readDecimal } from '../../validation/decimal-decoder.js';
import { PostgresError } from './errors.js';

/** One column of the target table. */
export interface PgColumn {
  /** Column name (the Arrow field name). */
  name: string;
  /** PostgreSQL type, e.g. `numeric(18,2)`. */
  sqlType: string;
  /** True when the column may hold nulls. */
  nullable: boolean;
  /** Renders one Arrow value as PostgreSQL input text (the value is never null here). */
  toText(value: unknown): string;
}

const iso = (ms: number) => new Date(ms).toISOString();

function columnOf(field: arrow.Field): PgColumn {
  const t = field.type as arrow.DataType;
  const base = { name: field.name, nullable: field.nullable };
  if (arrow.DataType.isDictionary(t) || arrow.DataType.isUtf8(t) || arrow.DataType.isLargeUtf8(t)) return { ...base, sqlType: 'text', toText: String };
  if (arrow.DataType.isInt(t)) return { ...base, sqlType: t.bitWidth === 64 ? 'bigint' : 'integer', toText: String };
  if (arrow.DataType.isFloat(t)) return { ...base, sqlType: 'double precision', toText: String };
  if (arrow.DataType.isBool(t)) return { ...base, sqlType: 'boolean', toText: (v) => (v ? 'true' : 'false') };
  if (arrow.DataType.isDecimal(t)) {
    return { ...base, sqlType: `numeric(${t.precision},${t.scale})`, toText: (v) => decimalText(readDecimal(v as Uint32Array, 0), t.scale) };
  }
  if (arrow.DataType.isDate(t)) return { ...base, sqlType: 'date', toText: (v) => iso(v instanceof Date ? v.getTime() : Number(v)).slice(0, 10) };
  if (arrow.DataType.isTimestamp(t)) return { ...base, sqlType: 'timestamptz', toText: (v) => iso(v instanceof Date ? v.getTime() : Number(v)) };
  throw new PostgresError(`column ${field.name}: no PostgreSQL type for Arrow ${String(t)}`, 'terminal', undefined);
}

/** The PostgreSQL columns of an Arrow schema, in schema order. */
export function pgColumns(schema: arrow.Schema): PgColumn[] {
  return schema.fields.map(columnOf);
}

/** The columns of `batch` (by name, in `columns` order) as arrays of PostgreSQL text, null for nulls. */
export function batchAsText(batch: arrow.RecordBatch, columns: readonly PgColumn[]): (string | null)[][] {
  return columns.map((c) => {
    const vector = batch.getChild(c.name);
    if (!vector) throw new PostgresError(`the rows have no column ${c.name}`, 'terminal', undefined);
    const out = new Array<string | null>(batch.numRows);
    for (let r = 0; r < batch.numRows; r++) {
      const v = vector.get(r);
      out[r] = v === null || v === undefined ? null : c.toText(v);
    }
    return out;
  });
}
