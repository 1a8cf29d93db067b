/**
 * Arrow types as the Parquet files store them. parquet-wasm (arrow-rs) writes an Arrow Date64 as a
 * bare INT64 and a zone-less timestamp with isAdjustedToUTC=false, so before encoding:
 * - every Timestamp becomes Timestamp(MICROSECOND, 'UTC') → Parquet INT64 TIMESTAMP(MICROS, true).
 *   Seconds and milliseconds are scaled; nanoseconds are floored to microseconds. A zone-less
 *   timestamp is taken to be UTC.
 * - DateMillisecond becomes DateDay (days floored) → Parquet INT32 DATE.
 * This applies inside structs, lists and maps too. All other types pass through untouched (same
 * buffers, no copy). `normalizeToSchema` turns a table read back into the original types.
 */
import {
  type Data,
  DateDay,
  DateUnit,
  type DataType,
  type Field,
  FixedSizeList,
  LargeList,
  List,
  Map_,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampMicrosecond,
  TimeUnit,
  Type,
} from 'apache-arrow';
import { nullCountOf, sliceBitmap } from './bitmap.js';
import { millisToDays, timestampToMicros } from './time-units.js';

/** The type a column of `type` is stored as; the very same instance when nothing changes. */
export function parquetType(type: DataType): DataType {
  switch (type.typeId) {
    case Type.Timestamp: {
      const t = type as unknown as { unit: TimeUnit; timezone?: string | null };
      return t.unit === TimeUnit.MICROSECOND && t.timezone === 'UTC' ? type : new TimestampMicrosecond('UTC');
    }
    case Type.Date:
      return (type as unknown as { unit: DateUnit }).unit === DateUnit.DAY ? type : new DateDay();
    case Type.Struct: {
      const children = type.children.map(parquetField);
      return children.every((c, i) => c === type.children[i]) ? type : new Struct(children);
    }
    case Type.List:
    case Type.LargeList:
    case Type.FixedSizeList:
    case Type.Map: {
      const child = type.children[0]!;
      const next = parquetField(child);
      if (next === child) return type;
      if (type.typeId === Type.List) return new List(next);
      if (type.typeId === Type.LargeList) return new LargeList(next);
      if (type.typeId === Type.FixedSizeList) return new FixedSizeList((type as FixedSizeList).listSize, next);
      return new Map_(next as Field<Struct>, (type as Map_).keysSorted);
    }
    default:
      return type;
  }
}

/** The field as stored in Parquet (name, nullability and metadata kept); the same instance when unchanged. */
export function parquetField(field: Field): Field {
  const type = parquetType(field.type);
  return type === field.type ? field : field.clone({ type });
}

/** The schema as stored in Parquet; the same instance when no column changes. */
export function parquetSchema(schema: Schema): Schema {
  const fields = schema.fields.map(parquetField);
  return fields.every((f, i) => f === schema.fields[i]) ? schema : new Schema(fields, schema.metadata);
}

/** `table` with every column converted to its Parquet storage type (see the module comment). */
export function coerceTableForParquet(table: Table): Table {
  const target = parquetSchema(table.schema);
  if (target === table.schema) return table;
  const sourceFields = table.schema.fields;
  const batches = table.batches.map((batch) => {
    const children = batch.data.children.map((column, i) => coerceData(column, sourceFields[i]!.type, target.fields[i]!.type));
    return new RecordBatch(target, makeData({ type: new Struct(target.fields), length: batch.numRows, nullCount: 0, children }));
  });
  return new Table(target, batches);
}

/** Convert one column chunk of `from` to `to = parquetType(from)`. */
function coerceData(data: Data, from: DataType, to: DataType): Data {
  if (from === to) return data;
  switch (from.typeId) {
    case Type.Timestamp:
      return coerceTimestamp(data, (from as unknown as { unit: TimeUnit }).unit, to);
    case Type.Date:
      return coerceDate64(data, to);
    default: {
      const children = data.children.map((child, i) => coerceData(child, from.children[i]!.type, to.children[i]!.type));
      return data.clone(to, data.offset, data.length, data.nullCount, undefined, children);
    }
  }
}

function coerceTimestamp(data: Data, unit: TimeUnit, to: DataType): Data {
  if (unit === TimeUnit.MICROSECOND) return data.clone(to); // only the zone label changes
  const source = data.values as BigInt64Array;
  const { length } = data;
  const values = new BigInt64Array(length);
  for (let i = 0; i < length; i++) values[i] = timestampToMicros(source[i]!, unit);
  return rebuilt(data, to, values);
}

function coerceDate64(data: Data, to: DataType): Data {
  const source = data.values as BigInt64Array;
  const { length } = data;
  const values = new Int32Array(length);
  for (let i = 0; i < length; i++) values[i] = millisToDays(source[i]!);
  return rebuilt(data, to, values);
}

/** A fixed-width column with new `values` (indexed from 0) and the validity of `data`. */
function rebuilt(data: Data, type: DataType, values: BigInt64Array | Int32Array): Data {
  const nullCount = nullCountOf(data);
  const nullBitmap = nullCount > 0 ? sliceBitmap(data.nullBitmap, data.offset, data.length) : undefined;
  return makeData({ type, length: data.length, nullCount, data: values, ...(nullBitmap ? { nullBitmap } : {}) } as never);
}
