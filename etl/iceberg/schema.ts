/**
 * Iceberg schemas (spec: "Schemas and Data Types", Appendix C) and their mapping to Arrow. Columns carry
 * their field id as Arrow field metadata `PARQUET:field_id`, which the Parquet writer stores as the
 * Parquet field id. Top-level primitive columns only: nested types are refused.
 */
import * as arrow from 'apache-arrow';
import { UsageError } from '../errors.js';
import { UnsupportedIcebergFeatureError } from './errors.js';

/** Arrow field metadata key holding the Iceberg field id (the Parquet field id once written). */
export const FIELD_ID_KEY = 'PARQUET:field_id';

/** An Iceberg type as serialized in metadata JSON: a primitive name (`long`, `decimal(9,2)`) or a nested type object. */
export type IcebergType = string | { type: 'struct' | 'list' | 'map'; [key: string]: unknown };

/** A field of an Iceberg struct or schema. */
export interface IcebergField {
  /** Field id, unique in the table. */
  id: number;
  /** Column name. */
  name: string;
  /** False when the column may hold nulls. */
  required: boolean;
  /** The type. */
  type: IcebergType;
  /** Optional comment. */
  doc?: string;
}

/** A schema as stored in the table metadata's `schemas` list. */
export interface IcebergSchema {
  /** Always `struct`. */
  type: 'struct';
  /** Id of this schema within the table. */
  'schema-id': number;
  /** Top-level columns. */
  fields: IcebergField[];
  /** Columns that identify a row (upsert keys), if declared. */
  'identifier-field-ids'?: number[];
}

/** One entry of the `schema.name-mapping.default` table property. */
export interface NameMappingEntry {
  /** The field id. */
  'field-id': number;
  /** Names a file may use for the column. */
  names: string[];
}

/** The Iceberg primitive type of an Arrow type; throws for types Iceberg (or this implementation) cannot hold. */
export function icebergTypeOf(type: arrow.DataType, column: string): string {
  if (arrow.DataType.isDictionary(type)) return icebergTypeOf(type.dictionary, column);
  if (arrow.DataType.isInt(type)) {
    if (type.bitWidth === 64 || (!type.isSigned && type.bitWidth === 32)) {
      if (!type.isSigned && type.bitWidth === 64) throw new UnsupportedIcebergFeatureError(`column ${column}: uint64 has no Iceberg type`);
      return 'long';
    }
    return 'int';
  }
  if (arrow.DataType.isFloat(type)) return type.precision === arrow.Precision.DOUBLE ? 'double' : 'float';
  if (arrow.DataType.isBool(type)) return 'boolean';
  if (arrow.DataType.isUtf8(type) || arrow.DataType.isLargeUtf8(type)) return 'string';
  if (arrow.DataType.isBinary(type) || arrow.DataType.isLargeBinary(type)) return 'binary';
  if (arrow.DataType.isDate(type)) return 'date';
  if (arrow.DataType.isTimestamp(type)) return type.timezone ? 'timestamptz' : 'timestamp';
  if (arrow.DataType.isDecimal(type)) return `decimal(${type.precision},${type.scale})`;
  throw new UnsupportedIcebergFeatureError(`column ${column}: Arrow type ${String(type)} is not supported in Iceberg tables (top-level primitives only)`);
}

/** The Arrow type this implementation reads and writes for an Iceberg type. */
export function arrowTypeOf(type: IcebergType, column: string): arrow.DataType {
  if (typeof type !== 'string') throw new UnsupportedIcebergFeatureError(`column ${column}: nested Iceberg type ${type.type} is not supported`);
  const decimal = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(type);
  if (decimal) return new arrow.Decimal(Number(decimal[2]), Number(decimal[1]), 128);
  switch (type) {
    case 'boolean':
      return new arrow.Bool();
    case 'int':
      return new arrow.Int32();
    case 'long':
      return new arrow.Int64();
    case 'float':
      return new arrow.Float32();
    case 'double':
      return new arrow.Float64();
    case 'string':
      return new arrow.Utf8();
    case 'binary':
      return new arrow.Binary();
    case 'date':
      return new arrow.DateDay();
    case 'timestamp':
      return new arrow.TimestampMicrosecond();
    case 'timestamptz':
      return new arrow.TimestampMicrosecond('UTC');
    default:
      throw new UnsupportedIcebergFeatureError(`column ${column}: Iceberg type ${type} is not supported`);
  }
}

/** The Iceberg schema of an Arrow schema, with field ids 1..n in column order. */
export function icebergSchemaOf(schema: arrow.Schema, schemaId = 0, identifierColumns: string[] = []): IcebergSchema {
  const fields = schema.fields.map((f, i) => ({ id: i + 1, name: f.name, required: !f.nullable, type: icebergTypeOf(f.type, f.name) }));
  const out: IcebergSchema = { type: 'struct', 'schema-id': schemaId, fields };
  if (identifierColumns.length) {
    out['identifier-field-ids'] = identifierColumns.map((c) => {
      const field = fields.find((f) => f.name === c);
      if (!field) throw new UnsupportedIcebergFeatureError(`identifier column ${c} is not in the schema`);
      return field.id;
    });
  }
  return out;
}

/** The Arrow schema of an Iceberg schema; every field carries its id as `PARQUET:field_id` metadata. */
export function arrowSchemaOf(schema: IcebergSchema): arrow.Schema {
  return new arrow.Schema(
    schema.fields.map((f) => new arrow.Field(f.name, arrowTypeOf(f.type, f.name), !f.required, new Map([[FIELD_ID_KEY, String(f.id)]]))),
  );
}

/** The Iceberg field id an Arrow field carries, if any. */
export function fieldIdOf(field: arrow.Field): number | undefined {
  const raw = field.metadata.get(FIELD_ID_KEY);
  if (raw === undefined) return undefined;
  const id = Number(raw);
  return Number.isInteger(id) ? id : undefined;
}

/** The highest field id used in a schema (top level). */
export function highestFieldId(schema: IcebergSchema): number {
  return schema.fields.reduce((m, f) => Math.max(m, f.id), 0);
}

/** The name mapping of a schema (every column under its current name), for files written without field ids. */
export function nameMappingOf(schema: IcebergSchema): NameMappingEntry[] {
  return schema.fields.map((f) => ({ 'field-id': f.id, names: [f.name] }));
}

/** Find a field of a schema by id. */
export function fieldById(schema: IcebergSchema, id: number): IcebergField | undefined {
  return schema.fields.find((f) => f.id === id);
}

/** Find a field of a schema by name; throws UsageError when absent. */
export function fieldByName(schema: IcebergSchema, name: string): IcebergField {
  const field = schema.fields.find((f) => f.name === name);
  if (!field) throw new UsageError(`column ${name} is not in the table schema`);
  return field;
}
