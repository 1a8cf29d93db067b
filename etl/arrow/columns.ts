/** Small Arrow helpers: constant and null columns, batches from columns, conforming a batch to a schema. */
import * as arrow from 'apache-arrow';

/** A column of `length` copies of `value` (null allowed). */
export function constantData(type: arrow.DataType, value: unknown, length: number): arrow.Data {
  if ((value === null || value === undefined) && (arrow.DataType.isUtf8(type) || arrow.DataType.isBinary(type))) {
    // The builder leaves an all-null string column without offsets, which IPC readers reject.
    return arrow.makeData({
      type: type as arrow.Utf8,
      length,
      nullCount: length,
      nullBitmap: new Uint8Array((length + 7) >> 3),
      valueOffsets: new Int32Array(length + 1),
      data: new Uint8Array(0),
    });
  }
  const builder = arrow.makeBuilder({ type, nullValues: [null, undefined] });
  for (let i = 0; i < length; i++) builder.append(value);
  return builder.finish().flush();
}

/** A record batch from a schema and one Data per field. */
export function batchFromData(schema: arrow.Schema, children: arrow.Data[], length: number): arrow.RecordBatch {
  const struct = arrow.makeData({ type: new arrow.Struct(schema.fields), length, children, nullCount: 0 });
  return new arrow.RecordBatch(schema, struct);
}

/** The batch restricted to the fields of `schema` (by name, zero-copy). */
export function projectBatch(batch: arrow.RecordBatch, schema: arrow.Schema): arrow.RecordBatch {
  if (schema.fields.length === batch.schema.fields.length) return batch;
  // Not RecordBatch.select: it loses the data of some columns (seen with apache-arrow 21).
  const index = new Map(batch.schema.fields.map((f, i) => [f.name, i]));
  return batchFromData(schema, schema.fields.map((f) => batch.data.children[index.get(f.name)!]!), batch.numRows);
}

/** Decode a dictionary-encoded column into its value type. */
export function decodeDictionary(data: arrow.Data): arrow.Data {
  const type = data.type;
  if (!arrow.DataType.isDictionary(type)) return data;
  const vector = new arrow.Vector([data]);
  const builder = arrow.makeBuilder({ type: type.dictionary, nullValues: [null, undefined] });
  for (let i = 0; i < data.length; i++) builder.append(vector.get(i));
  return builder.finish().flush();
}

/** Split a batch into batches of at most `rows` rows (zero-copy slices). */
export function* sliceBatch(batch: arrow.RecordBatch, rows: number): Generator<arrow.RecordBatch> {
  for (let start = 0; start < batch.numRows; start += rows) yield batch.slice(start, Math.min(batch.numRows, start + rows));
}

/** Turn an Arrow Table, batch array or async iterable into an async iterable of batches. */
export async function* toBatchStream(
  input: arrow.Table | arrow.RecordBatch | Iterable<arrow.RecordBatch> | AsyncIterable<arrow.RecordBatch>,
): AsyncIterable<arrow.RecordBatch> {
  if (input instanceof arrow.Table) {
    yield* input.batches;
  } else if (input instanceof arrow.RecordBatch) {
    yield input;
  } else {
    yield* input as AsyncIterable<arrow.RecordBatch>;
  }
}
