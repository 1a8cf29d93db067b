/** Conversion between Arrow schemas and Delta's Spark struct JSON (`metaData.schemaString`). */
import * as arrow from 'apache-arrow';
import { UnsupportedProtocolError } from './errors.js';

/** A Spark data type as it appears in the schema string. */
export type SparkType =
  | string
  | { type: 'struct'; fields: SparkField[] }
  | { type: 'array'; elementType: SparkType; containsNull: boolean }
  | { type: 'map'; keyType: SparkType; valueType: SparkType; valueContainsNull: boolean };

/** A field of a Spark struct. */
export interface SparkField {
  /** Column name. */
  name: string;
  /** Column type. */
  type: SparkType;
  /** Whether nulls are allowed. */
  nullable: boolean;
  /** Column metadata (comments, column mapping ids). */
  metadata: Record<string, unknown>;
}

/** The Spark type of an Arrow type. Dictionary-encoded columns take their value type. */
export function sparkTypeOf(type: arrow.DataType, column: string): SparkType {
  if (arrow.DataType.isDictionary(type)) return sparkTypeOf(type.dictionary, column);
  if (arrow.DataType.isInt(type)) {
    if (!type.isSigned && type.bitWidth >= 32) return type.bitWidth === 32 ? 'long' : 'decimal(20,0)';
    return ({ 8: 'byte', 16: 'short', 32: 'integer', 64: 'long' } as const)[type.bitWidth];
  }
  if (arrow.DataType.isFloat(type)) return type.precision === arrow.Precision.SINGLE ? 'float' : 'double';
  if (arrow.DataType.isBool(type)) return 'boolean';
  if (arrow.DataType.isUtf8(type) || arrow.DataType.isLargeUtf8(type)) return 'string';
  if (arrow.DataType.isBinary(type) || arrow.DataType.isLargeBinary(type)) return 'binary';
  if (arrow.DataType.isDate(type)) return 'date';
  if (arrow.DataType.isTimestamp(type)) return type.timezone ? 'timestamp' : 'timestamp_ntz';
  if (arrow.DataType.isDecimal(type)) return `decimal(${type.precision},${type.scale})`;
  if (arrow.DataType.isStruct(type)) return { type: 'struct', fields: type.children.map(sparkFieldOf) };
  if (arrow.DataType.isList(type)) {
    const child = type.children[0]!;
    return { type: 'array', elementType: sparkTypeOf(child.type, column), containsNull: child.nullable };
  }
  if (arrow.DataType.isMap(type)) {
    const [k, v] = type.children[0]!.type.children as [arrow.Field, arrow.Field];
    return { type: 'map', keyType: sparkTypeOf(k.type, column), valueType: sparkTypeOf(v.type, column), valueContainsNull: v.nullable };
  }
  throw new UnsupportedProtocolError(`column ${column}: Arrow type ${String(type)} has no Delta equivalent`);
}

function sparkFieldOf(field: arrow.Field): SparkField {
  return { name: field.name, type: sparkTypeOf(field.type, field.name), nullable: field.nullable, metadata: {} };
}

/** The schema string of an Arrow schema. */
export function toSchemaString(schema: arrow.Schema): string {
  return JSON.stringify({ type: 'struct', fields: schema.fields.map(sparkFieldOf) });
}

/** The Arrow type we read and write for a Spark type. */
export function arrowTypeOf(type: SparkType, column: string): arrow.DataType {
  if (typeof type === 'string') {
    const decimal = /^decimal\((\d+),\s*(\d+)\)$/.exec(type);
    if (decimal) return new arrow.Decimal(Number(decimal[2]), Number(decimal[1]), 128);
    switch (type) {
      case 'byte':
        return new arrow.Int8();
      case 'short':
        return new arrow.Int16();
      case 'integer':
        return new arrow.Int32();
      case 'long':
        return new arrow.Int64();
      case 'float':
        return new arrow.Float32();
      case 'double':
        return new arrow.Float64();
      case 'boolean':
        return new arrow.Bool();
      case 'string':
        return new arrow.Utf8();
      case 'binary':
        return new arrow.Binary();
      case 'date':
        return new arrow.DateDay();
      case 'timestamp':
        return new arrow.TimestampMicrosecond('UTC');
      case 'timestamp_ntz':
        return new arrow.TimestampMicrosecond();
      default:
        throw new UnsupportedProtocolError(`column ${column}: unsupported Delta type ${type}`);
    }
  }
  switch (type.type) {
    case 'struct':
      return new arrow.Struct(type.fields.map(arrowFieldOf));
    case 'array':
      return new arrow.List(new arrow.Field('element', arrowTypeOf(type.elementType, column), type.containsNull));
    case 'map':
      return new arrow.Map_(
        new arrow.Field(
          'key_value',
          new arrow.Struct([
            new arrow.Field('key', arrowTypeOf(type.keyType, column), false),
            new arrow.Field('value', arrowTypeOf(type.valueType, column), type.valueContainsNull),
          ]),
          false,
        ) as arrow.Field<never>,
      );
  }
}

function arrowFieldOf(field: SparkField): arrow.Field {
  return new arrow.Field(field.name, arrowTypeOf(field.type, field.name), field.nullable);
}

/** Parse a schema string into an Arrow schema. */
export function fromSchemaString(schemaString: string): arrow.Schema {
  const parsed = JSON.parse(schemaString) as { type: string; fields: SparkField[] };
  return new arrow.Schema(parsed.fields.map(arrowFieldOf));
}

/** Spark type name for messages and catalogs ("integer", "decimal(18,2)", "struct<...>"). */
export function sparkTypeName(type: SparkType): string {
  if (typeof type === 'string') return type;
  if (type.type === 'struct') return `struct<${type.fields.map((f) => `${f.name}:${sparkTypeName(f.type)}`).join(',')}>`;
  if (type.type === 'array') return `array<${sparkTypeName(type.elementType)}>`;
  return `map<${sparkTypeName(type.keyType)},${sparkTypeName(type.valueType)}>`;
}
