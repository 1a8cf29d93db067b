/** Schema enforcement: make a batch match the table schema exactly, or say which column does not. */
import * as arrow from 'apache-arrow';
import { batchFromData, constantData, decodeDictionary } from '../arrow/columns.js';
import { SchemaEnforcementError } from './errors.js';

/** True when two Arrow types are the same for table purposes. */
export function sameType(a: arrow.DataType, b: arrow.DataType): boolean {
  if (a.typeId !== b.typeId) return false;
  if (arrow.DataType.isTimestamp(a) && arrow.DataType.isTimestamp(b)) return a.unit === b.unit && !a.timezone === !b.timezone;
  if (arrow.DataType.isDecimal(a) && arrow.DataType.isDecimal(b)) return a.precision === b.precision && a.scale === b.scale;
  if (a.children?.length || b.children?.length) {
    const ac = a.children ?? [];
    const bc = b.children ?? [];
    return ac.length === bc.length && ac.every((f, i) => f.name === bc[i]!.name && sameType(f.type, bc[i]!.type));
  }
  return a.toString() === b.toString();
}

/** Options of `conformBatch`. */
export interface ConformOptions {
  /** Allow columns of the batch that the schema lacks to be ignored (false: they are an error). */
  ignoreExtra?: boolean;
  /** Fill absent nullable columns with nulls (true by default). */
  fillMissing?: boolean;
}

/**
 * Return `batch` reordered and typed exactly as `schema`: dictionary strings decoded, absent
 * nullable columns filled with nulls. Throws SchemaEnforcementError naming the first offending column.
 */
export function conformBatch(batch: arrow.RecordBatch, schema: arrow.Schema, options: ConformOptions = {}): arrow.RecordBatch {
  const byName = new Map(batch.schema.fields.map((f, i) => [f.name, i]));
  if (!options.ignoreExtra) {
    const known = new Set(schema.fields.map((f) => f.name));
    const extra = batch.schema.fields.find((f) => !known.has(f.name));
    if (extra) throw new SchemaEnforcementError(extra.name, `column ${extra.name} is not in the table schema`);
  }
  const children = schema.fields.map((field) => {
    const index = byName.get(field.name);
    if (index === undefined) {
      if (field.nullable && options.fillMissing !== false) return constantData(field.type, null, batch.numRows);
      throw new SchemaEnforcementError(field.name, `column ${field.name} is missing and is not nullable`);
    }
    let data = batch.data.children[index]!;
    if (arrow.DataType.isDictionary(data.type) && !arrow.DataType.isDictionary(field.type)) data = decodeDictionary(data);
    if (!sameType(data.type, field.type)) {
      throw new SchemaEnforcementError(field.name, `column ${field.name} has type ${String(data.type)}; the table has ${String(field.type)}`);
    }
    if (!field.nullable && data.nullCount > 0) {
      throw new SchemaEnforcementError(field.name, `column ${field.name} is not nullable but has ${data.nullCount} null values`);
    }
    return data;
  });
  return batchFromData(schema, children, batch.numRows);
}

/** The table schema with the batch's extra columns appended as nullable (schema evolution). */
export function mergeSchemas(table: arrow.Schema, batch: arrow.Schema): { schema: arrow.Schema; added: string[] } {
  const known = new Set(table.fields.map((f) => f.name));
  const extra = batch.fields.filter((f) => !known.has(f.name));
  const added = extra.map((f) => {
    const type = arrow.DataType.isDictionary(f.type) ? f.type.dictionary : f.type;
    return new arrow.Field(f.name, type, true);
  });
  return { schema: new arrow.Schema([...table.fields, ...added]), added: added.map((f) => f.name) };
}
