/**
 * Bring a table read from Parquet into a wanted Arrow schema: the conversions that undo what the
 * writer and parquet-wasm change, plus filling columns a file does not have.
 */
import {
  type Data,
  type DataType,
  DateUnit,
  type Dictionary,
  type Field,
  makeBuilder,
  makeData,
  RecordBatch,
  type Schema,
  Struct,
  Table,
  TimeUnit,
  Type,
  vectorFromArray,
} from 'apache-arrow';
import { isValidBit, nullCountOf, sliceBitmap, validityOf } from './bitmap.js';
import { SchemaMismatchError } from './errors.js';
import { sameType } from './schema-check.js';
import { floorDiv, MS_PER_DAY, millisToDays } from './time-units.js';

/**
 * `table` in exactly `schema` (names, order, types, field metadata), matching columns by name:
 * - same type (dictionary ids aside): kept as is, zero-copy;
 * - Timestamp of another unit or zone: rescaled (finer to coarser floors) and relabelled;
 * - DateDay ↔ DateMillisecond;
 * - Dictionary<*, Utf8> → Utf8 (decoded), Utf8 → Dictionary<*, Utf8> (encoded), Utf8 ↔ LargeUtf8;
 * - structs (children by name), lists and maps: the same rules applied to their children;
 * - a column (or struct child) the table lacks: all nulls when nullable, else `SchemaMismatchError`.
 * Columns the table has beyond `schema` are dropped. Any other difference throws
 * `SchemaMismatchError` naming the column.
 */
export function normalizeToSchema(table: Table, schema: Schema): Table {
  if (table.batches.length === 0) return new Table(schema); // no rows: nothing to convert or check
  return new Table(schema, table.batches.map((batch) => normalizeBatch(batch, schema)));
}

/** One record batch in exactly `schema`; see `normalizeToSchema`. */
export function normalizeBatch(batch: RecordBatch, schema: Schema): RecordBatch {
  const length = batch.numRows;
  const fields = batch.schema.fields;
  const children = schema.fields.map((field) => {
    const i = fields.findIndex((f) => f.name === field.name);
    if (i < 0) return missingColumn(field, length, field.name);
    return convertData(batch.data.children[i]!, fields[i]!.type, field.type, field.name);
  });
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length, nullCount: 0, children }));
}

function missingColumn(field: Field, length: number, path: string): Data {
  if (!field.nullable) throw new SchemaMismatchError(`column '${path}' is missing and not nullable`, path);
  const builder = makeBuilder({ type: field.type, nullValues: [null] });
  for (let i = 0; i < length; i++) builder.append(null);
  return builder.finish().flush();
}

function convertData(data: Data, from: DataType, to: DataType, path: string): Data {
  if (sameType(from, to)) return data.type === to ? data : data.clone(to);
  const fail = (): never => {
    throw new SchemaMismatchError(`column '${path}' is ${String(from)} in the file, cannot read it as ${String(to)}`, path);
  };
  switch (to.typeId) {
    case Type.Timestamp:
      return from.typeId === Type.Timestamp ? rescaleTimestamp(data, from, to) : fail();
    case Type.Date:
      return from.typeId === Type.Date ? convertDate(data, to) : fail();
    case Type.Utf8:
    case Type.LargeUtf8:
      if (from.typeId === Type.Utf8 || from.typeId === Type.LargeUtf8) return reOffset(data, to);
      if (from.typeId === Type.Dictionary && isString((from as Dictionary).dictionary)) return decodeDictionary(data, to);
      return fail();
    case Type.Dictionary:
      if (isString((to as Dictionary).dictionary) && (from.typeId === Type.Utf8 || from.typeId === Type.LargeUtf8)) {
        return encodeDictionary(data, to as Dictionary, path);
      }
      return fail();
    case Type.Struct: {
      if (from.typeId !== Type.Struct) return fail();
      const children = to.children.map((field) => {
        const i = from.children.findIndex((f) => f.name === field.name);
        if (i < 0) return missingColumn(field, data.length, `${path}.${field.name}`);
        return convertData(data.children[i]!, from.children[i]!.type, field.type, `${path}.${field.name}`);
      });
      return data.clone(to, data.offset, data.length, nullCountOf(data), undefined, children);
    }
    case Type.List:
    case Type.LargeList:
    case Type.FixedSizeList:
    case Type.Map: {
      if (from.typeId !== to.typeId || from.children.length !== 1) return fail();
      const child = convertData(data.children[0]!, from.children[0]!.type, to.children[0]!.type, `${path}.${to.children[0]!.name}`);
      return data.clone(to, data.offset, data.length, nullCountOf(data), undefined, [child]);
    }
    default:
      return fail();
  }
}

function isString(type: DataType): boolean {
  return type.typeId === Type.Utf8 || type.typeId === Type.LargeUtf8;
}

/** Validity of `data` re-based at bit 0, for columns rebuilt with fresh buffers. */
function validityProps(data: Data): { nullCount: number; nullBitmap?: Uint8Array } {
  const nullCount = nullCountOf(data);
  const nullBitmap = nullCount > 0 ? sliceBitmap(data.nullBitmap, data.offset, data.length) : undefined;
  return nullBitmap ? { nullCount, nullBitmap } : { nullCount };
}

const UNIT_RANK: Record<TimeUnit, number> = {
  [TimeUnit.SECOND]: 0,
  [TimeUnit.MILLISECOND]: 1,
  [TimeUnit.MICROSECOND]: 2,
  [TimeUnit.NANOSECOND]: 3,
};

function rescaleTimestamp(data: Data, from: DataType, to: DataType): Data {
  const steps = UNIT_RANK[(to as unknown as { unit: TimeUnit }).unit] - UNIT_RANK[(from as unknown as { unit: TimeUnit }).unit];
  if (steps === 0) return data.clone(to); // only the zone label differs
  const factor = 1000n ** BigInt(Math.abs(steps));
  const source = data.values as BigInt64Array;
  const values = new BigInt64Array(data.length);
  for (let i = 0; i < data.length; i++) values[i] = steps > 0 ? source[i]! * factor : floorDiv(source[i]!, factor);
  return makeData({ type: to, length: data.length, ...validityProps(data), data: values } as never);
}

function convertDate(data: Data, to: DataType): Data {
  const { length } = data;
  if ((to as unknown as { unit: DateUnit }).unit === DateUnit.MILLISECOND) {
    const source = data.values as Int32Array;
    const values = new BigInt64Array(length);
    for (let i = 0; i < length; i++) values[i] = BigInt(source[i]! * MS_PER_DAY);
    return makeData({ type: to, length, ...validityProps(data), data: values } as never);
  }
  const source = data.values as BigInt64Array;
  const values = new Int32Array(length);
  for (let i = 0; i < length; i++) values[i] = millisToDays(source[i]!);
  return makeData({ type: to, length, ...validityProps(data), data: values } as never);
}

/** Utf8 ↔ LargeUtf8: the same bytes with offsets of the other width. */
function reOffset(data: Data, to: DataType): Data {
  const source = data.valueOffsets as Int32Array | BigInt64Array;
  const base = Number(source[0]);
  const end = Number(source[data.length]);
  const large = to.typeId === Type.LargeUtf8;
  if (!large && end - base > 0x7fffffff) throw new SchemaMismatchError(`string column too large for Utf8 (${end - base} bytes); use LargeUtf8`);
  const offsets = large ? new BigInt64Array(data.length + 1) : new Int32Array(data.length + 1);
  for (let i = 0; i <= data.length; i++) offsets[i] = large ? BigInt(Number(source[i]) - base) : Number(source[i]) - base;
  const bytes = (data.values as Uint8Array).subarray(base, end);
  return makeData({ type: to, length: data.length, ...validityProps(data), valueOffsets: offsets, data: bytes } as never);
}

/** Dictionary<*, Utf8> → Utf8/LargeUtf8: the string of every row copied out of the dictionary. */
function decodeDictionary(data: Data, to: DataType): Data {
  const { length } = data;
  const dictionary = data.dictionary!;
  // Flatten the dictionary (usually one chunk) to per-entry [bytes, start, end).
  const entryBytes: Uint8Array[] = [];
  const starts = new Float64Array(dictionary.length);
  const ends = new Float64Array(dictionary.length);
  const chunkOf = new Uint32Array(dictionary.length);
  let e = 0;
  for (const chunk of dictionary.data as Data[]) {
    const offsets = chunk.valueOffsets as Int32Array | BigInt64Array;
    entryBytes.push(chunk.values as Uint8Array);
    for (let j = 0; j < chunk.length; j++, e++) {
      starts[e] = Number(offsets[j]);
      ends[e] = Number(offsets[j + 1]);
      chunkOf[e] = entryBytes.length - 1;
    }
  }
  const validity = validityOf(data);
  const indices = data.values as ArrayLike<number | bigint>;
  const large = to.typeId === Type.LargeUtf8;
  const offsets = large ? new BigInt64Array(length + 1) : new Int32Array(length + 1);
  let total = 0;
  for (let i = 0; i < length; i++) {
    if (validity === undefined || isValidBit(validity, data.offset + i)) {
      const k = Number(indices[i]);
      total += ends[k]! - starts[k]!;
    }
    offsets[i + 1] = large ? BigInt(total) : total;
  }
  if (!large && total > 0x7fffffff) throw new SchemaMismatchError(`string column too large for Utf8 (${total} bytes); use LargeUtf8`);
  const bytes = new Uint8Array(total);
  let at = 0;
  for (let i = 0; i < length; i++) {
    if (validity !== undefined && !isValidBit(validity, data.offset + i)) continue;
    const k = Number(indices[i]);
    const src = entryBytes[chunkOf[k]!]!;
    for (let p = starts[k]!, end = ends[k]!; p < end; p++) bytes[at++] = src[p]!;
  }
  return makeData({ type: to, length, ...validityProps(data), valueOffsets: offsets, data: bytes } as never);
}

/** Utf8 → Dictionary<*, Utf8>: one dictionary entry per distinct string, in order of first use. */
function encodeDictionary(data: Data, to: Dictionary, path: string): Data {
  const { length } = data;
  const validity = validityOf(data);
  const offsets = data.valueOffsets as Int32Array | BigInt64Array;
  const source = data.values as Uint8Array;
  const decoder = new TextDecoder();
  const ids = new Map<string, number>();
  const entries: string[] = [];
  const IndexArray = to.indices.ArrayType as new (n: number) => ArrayLike<number | bigint> & { [i: number]: number | bigint };
  const indices = new IndexArray(length);
  const wide = indices instanceof BigInt64Array || indices instanceof BigUint64Array;
  const maxEntries = to.indices.bitWidth >= 32 ? Number.MAX_SAFE_INTEGER : 2 ** (to.indices.bitWidth - (to.indices.isSigned ? 1 : 0));
  for (let i = 0; i < length; i++) {
    if (validity !== undefined && !isValidBit(validity, data.offset + i)) continue;
    const s = decoder.decode(source.subarray(Number(offsets[i]), Number(offsets[i + 1])));
    let id = ids.get(s);
    if (id === undefined) {
      id = entries.length;
      if (id >= maxEntries) throw new SchemaMismatchError(`column '${path}' has more distinct values than ${String(to.indices)} indices can hold`, path);
      ids.set(s, id);
      entries.push(s);
    }
    indices[i] = wide ? BigInt(id) : id;
  }
  const dictionary = vectorFromArray(entries, to.dictionary);
  return makeData({ type: to, length, ...validityProps(data), data: indices, dictionary } as never);
}
