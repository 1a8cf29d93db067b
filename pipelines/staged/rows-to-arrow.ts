/** Query-engine rows (see `SqlValue`) as one Arrow batch in a given schema, for writing gold tables. */
import * as arrow from 'apache-arrow';
import type { Row, SqlValue } from '../../catalog/query/query-engine.js';
import { UsageError } from '../../etl/errors.js';

function decimalWords(value: SqlValue, scale: number): Uint32Array {
  const text = typeof value === 'number' ? value.toFixed(scale) : String(value);
  const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(text);
  if (!m) throw new UsageError(`not a decimal: ${text}`);
  const frac = (m[3] ?? '').padEnd(scale, '0').slice(0, scale);
  let v = BigInt(`${m[2]}${frac}`);
  if (m[1]) v = -v;
  const x = BigInt.asUintN(128, v);
  return new Uint32Array([0, 1, 2, 3].map((k) => Number((x >> BigInt(32 * k)) & 0xffffffffn)));
}

function convert(value: SqlValue, type: arrow.DataType): unknown {
  if (value === null || value === undefined) return null;
  if (arrow.DataType.isDecimal(type)) return decimalWords(value, type.scale);
  if (arrow.DataType.isDate(type)) return value instanceof Date ? value : new Date(`${String(value)}T00:00:00Z`);
  if (arrow.DataType.isInt(type)) return type.bitWidth === 64 ? BigInt(value as number) : Number(value);
  if (arrow.DataType.isUtf8(type)) return String(value);
  return value;
}

/** The rows as one record batch of `schema` (column by field name). */
export function rowsToBatch(rows: readonly Row[], schema: arrow.Schema): arrow.RecordBatch {
  const columns: Record<string, arrow.Vector> = {};
  for (const field of schema.fields) {
    columns[field.name] = arrow.vectorFromArray(
      rows.map((r) => convert(r[field.name] ?? null, field.type)),
      field.type,
    );
  }
  const table = new arrow.Table(schema, columns as never);
  return table.batches[0] ?? new arrow.RecordBatch(schema, arrow.makeData({ type: new arrow.Struct(schema.fields), length: 0, children: schema.fields.map((f) => arrow.makeData({ type: f.type, length: 0 })) }));
}
