/** Row selection on Arrow data without row objects (apache-arrow JS has no take kernel). */
import * as arrow from 'apache-arrow';

function takeValidity(data: arrow.Data, indices: Uint32Array): { nullBitmap?: Uint8Array; nullCount: number } {
  if (data.nullCount === 0) return { nullCount: 0 };
  const bitmap = new Uint8Array((indices.length + 7) >> 3);
  let nulls = 0;
  const source = data.nullBitmap;
  if (source !== undefined && source.length > 0 && !arrow.DataType.isUnion(data.type)) {
    // The bitmap is not re-based by slicing: the Data's offset applies (as in `Data.getValid`, without a call per row).
    const offset = data.offset;
    for (let i = 0; i < indices.length; i++) {
      const j = offset + indices[i]!;
      if ((source[j >> 3]! >> (j & 7)) & 1) bitmap[i >> 3]! |= 1 << (i & 7);
      else nulls++;
    }
  } else {
    for (let i = 0; i < indices.length; i++) {
      if (data.getValid(indices[i]!)) bitmap[i >> 3]! |= 1 << (i & 7);
      else nulls++;
    }
  }
  return nulls === 0 ? { nullCount: 0 } : { nullBitmap: bitmap, nullCount: nulls };
}

function takeFixed(data: arrow.Data, indices: Uint32Array): arrow.Data {
  const typed = data.values as Int32Array;
  const Ctor = typed.constructor as new (n: number) => Int32Array;
  const result = new Ctor(indices.length * data.stride);
  // 64-bit elements are copied as pairs of int32 words: reading a BigInt64Array would allocate a BigInt per value.
  const wide = typed.BYTES_PER_ELEMENT === 8;
  const values = wide ? new Int32Array(typed.buffer, typed.byteOffset, typed.length * 2) : typed;
  const out = wide ? new Int32Array(result.buffer, result.byteOffset, result.length * 2) : result;
  const stride = wide ? data.stride * 2 : data.stride;
  // apache-arrow slices fixed-width value buffers with the Data (values[0] is row 0 of the slice).
  const base = 0;
  if (stride === 1) {
    for (let i = 0; i < indices.length; i++) out[i] = values[base + indices[i]!]!;
  } else if (stride === 2) {
    for (let i = 0; i < indices.length; i++) {
      const from = 2 * indices[i]!;
      out[2 * i] = values[from]!;
      out[2 * i + 1] = values[from + 1]!;
    }
  } else {
    for (let i = 0; i < indices.length; i++) {
      const from = base + indices[i]! * stride;
      for (let s = 0; s < stride; s++) out[i * stride + s] = values[from + s]!;
    }
  }
  return arrow.makeData({ type: data.type, length: indices.length, data: result, ...takeValidity(data, indices) } as never);
}

function takeBool(data: arrow.Data<arrow.Bool>, indices: Uint32Array): arrow.Data {
  const out = new Uint8Array((indices.length + 7) >> 3);
  const values = data.values;
  for (let i = 0; i < indices.length; i++) {
    // Bit-packed booleans are not re-based by slicing: the Data's offset still applies.
    const j = data.offset + indices[i]!;
    if ((values[j >> 3]! >> (j & 7)) & 1) out[i >> 3]! |= 1 << (i & 7);
  }
  return arrow.makeData({ type: data.type, length: indices.length, data: out, ...takeValidity(data, indices) });
}

function takeUtf8(data: arrow.Data<arrow.Utf8>, indices: Uint32Array): arrow.Data {
  const offsets = data.valueOffsets;
  const values = data.values;
  // valueOffsets are sliced with the Data; the value bytes are not (offsets index into them).
  let total = 0;
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i]!;
    total += offsets[j + 1]! - offsets[j]!;
  }
  const outOffsets = new Int32Array(indices.length + 1);
  const outValues = new Uint8Array(total);
  let pos = 0;
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i]!;
    const start = offsets[j]!;
    const end = offsets[j + 1]!;
    outValues.set(values.subarray(start, end), pos);
    pos += end - start;
    outOffsets[i + 1] = pos;
  }
  return arrow.makeData({ type: data.type, length: indices.length, valueOffsets: outOffsets, data: outValues, ...takeValidity(data, indices) });
}

function takeGeneric(data: arrow.Data, indices: Uint32Array): arrow.Data {
  const vector = new arrow.Vector([data]);
  const builder = arrow.makeBuilder({ type: data.type, nullValues: [null, undefined] });
  for (let i = 0; i < indices.length; i++) builder.append(vector.get(indices[i]!));
  return builder.finish().flush();
}

/** The rows of `data` at `indices`, in that order. */
export function takeData(data: arrow.Data, indices: Uint32Array): arrow.Data {
  const type = data.type;
  if (arrow.DataType.isDictionary(type)) {
    const idx = takeFixed(data.clone(type.indices) as arrow.Data, indices);
    return arrow.makeData({ type, length: indices.length, data: idx.values, nullBitmap: idx.nullBitmap, nullCount: idx.nullCount, dictionary: data.dictionary } as never);
  }
  if (arrow.DataType.isBool(type)) return takeBool(data as arrow.Data<arrow.Bool>, indices);
  if (arrow.DataType.isUtf8(type) || arrow.DataType.isBinary(type)) return takeUtf8(data as arrow.Data<arrow.Utf8>, indices);
  if (
    arrow.DataType.isInt(type) ||
    arrow.DataType.isFloat(type) ||
    arrow.DataType.isDate(type) ||
    arrow.DataType.isTimestamp(type) ||
    arrow.DataType.isDecimal(type) ||
    arrow.DataType.isTime(type)
  ) {
    return takeFixed(data, indices);
  }
  return takeGeneric(data, indices);
}

/** A new batch holding the rows of `batch` at `indices`. */
export function takeRows(batch: arrow.RecordBatch, indices: Uint32Array): arrow.RecordBatch {
  const children = batch.schema.fields.map((_, c) => takeData(batch.data.children[c]!, indices));
  const struct = arrow.makeData({ type: new arrow.Struct(batch.schema.fields), length: indices.length, children, nullCount: 0 });
  return new arrow.RecordBatch(batch.schema, struct);
}
