/** Checks that a record batch has exactly the columns and types a writer was opened with. */
import { type DataType, type Field, type RecordBatch, type Schema, Type } from 'apache-arrow';
import { nullCountOf } from './bitmap.js';
import { SchemaMismatchError } from './errors.js';

/**
 * Throw `SchemaMismatchError` naming the column unless `batch` has the same column names, in the same
 * order, with the same types as `schema` (see `sameType`). A column declared non-nullable must hold
 * no nulls. Field metadata and declared nullability of the batch itself are not compared.
 */
export function assertBatchMatchesSchema(batch: RecordBatch, schema: Schema): void {
  const expected = schema.fields;
  const actual = batch.schema.fields;
  const actualNames = new Set(actual.map((f) => f.name));
  const expectedNames = new Set(expected.map((f) => f.name));
  for (const field of expected) {
    if (!actualNames.has(field.name)) throw new SchemaMismatchError(`batch is missing column '${field.name}'`, field.name);
  }
  for (const field of actual) {
    if (!expectedNames.has(field.name)) throw new SchemaMismatchError(`batch has unexpected column '${field.name}'`, field.name);
  }
  for (let i = 0; i < expected.length; i++) {
    const want = expected[i]!;
    const got = actual[i]!;
    if (want.name !== got.name) {
      throw new SchemaMismatchError(`column '${got.name}' is at position ${i}, where the schema has '${want.name}'`, got.name);
    }
    if (!sameType(want.type, got.type)) {
      throw new SchemaMismatchError(`column '${want.name}' has type ${String(got.type)}, expected ${String(want.type)}`, want.name);
    }
    if (!want.nullable) {
      const nulls = nullCountOf(batch.data.children[i]!);
      if (nulls > 0) throw new SchemaMismatchError(`column '${want.name}' is not nullable but holds ${nulls} null(s)`, want.name);
    }
  }
}

/**
 * Structural equality of two Arrow types: same type id and parameters (bit width, signedness,
 * precision, scale, unit, time zone, list size, ...) and, for nested types, the same child names and
 * child types. Dictionary ids are ignored (every `new Dictionary(...)` gets a fresh id).
 */
export function sameType(a: DataType, b: DataType): boolean {
  if (a === b) return true;
  if (a.typeId !== b.typeId) return false;
  const x = a as unknown as Record<string, unknown>;
  const y = b as unknown as Record<string, unknown>;
  const same = (...keys: string[]): boolean => keys.every((k) => (x[k] ?? null) === (y[k] ?? null));
  switch (a.typeId) {
    case Type.Int:
      return same('bitWidth', 'isSigned');
    case Type.Float:
      return same('precision');
    case Type.Decimal:
      return same('scale', 'precision', 'bitWidth');
    case Type.Date:
    case Type.Interval:
    case Type.Duration:
      return same('unit');
    case Type.Time:
      return same('unit', 'bitWidth');
    case Type.Timestamp:
      return same('unit', 'timezone');
    case Type.FixedSizeBinary:
      return same('byteWidth');
    case Type.FixedSizeList:
      return same('listSize') && sameChildren(a.children, b.children);
    case Type.Map:
      return same('keysSorted') && sameChildren(a.children, b.children);
    case Type.Union:
      return same('mode') && String(x.typeIds) === String(y.typeIds) && sameChildren(a.children, b.children);
    case Type.Dictionary: {
      const da = a as unknown as { indices: DataType; dictionary: DataType; isOrdered: boolean };
      const db = b as unknown as { indices: DataType; dictionary: DataType; isOrdered: boolean };
      return da.isOrdered === db.isOrdered && sameType(da.indices, db.indices) && sameType(da.dictionary, db.dictionary);
    }
    default:
      return sameChildren(a.children ?? [], b.children ?? []);
  }
}

function sameChildren(a: Field[], b: Field[]): boolean {
  return a.length === b.length && a.every((f, i) => f.name === b[i]!.name && sameType(f.type, b[i]!.type));
}
