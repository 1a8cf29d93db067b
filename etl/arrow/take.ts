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
  // apache-arrow slices fixed-width value buffers with the Data (values[0] is row 0 of the slice).
  const result = gatherTyped(data.values as Int32Array, indices, data.stride);
  return arrow.makeData({ type: data.type, length: indices.length, data: result, ...takeValidity(data, indices) } as never);
}

/** A typed array of any element type. */
export type TypedArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array | BigInt64Array | BigUint64Array;

/**
 * Rows `indices` of `values` (rows of `stride` elements), in that order, as a new array of the same
 * type. Rows are copied as 32-, 16- or 8-bit words whatever the element type, so that each copy loop
 * sees a single array type (fast element access) and no value is converted (no BigInt per 64-bit
 * value, NaN payloads kept).
 */
export function gatherTyped<T extends TypedArray>(values: T, indices: Uint32Array, stride = 1): T {
  const Ctor = values.constructor as new (n: number) => T;
  const result = new Ctor(indices.length * stride);
  const rowBytes = values.BYTES_PER_ELEMENT * stride;
  if (rowBytes % 4 === 0) {
    gatherWords(new Int32Array(values.buffer, values.byteOffset, values.byteLength >> 2), new Int32Array(result.buffer, result.byteOffset, result.byteLength >> 2), indices, rowBytes >> 2);
  } else if (rowBytes % 2 === 0) {
    gatherHalfWords(new Uint16Array(values.buffer, values.byteOffset, values.byteLength >> 1), new Uint16Array(result.buffer, result.byteOffset, result.byteLength >> 1), indices, rowBytes >> 1);
  } else {
    gatherBytes(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), new Uint8Array(result.buffer, result.byteOffset, result.byteLength), indices, rowBytes);
  }
  return result;
}

/** Copies rows of `width` 32-bit words: row `indices[i]` of `values` to row `i` of `out`. */
function gatherWords(values: Int32Array, out: Int32Array, indices: Uint32Array, width: number): void {
  const n = indices.length;
  if (width === 1) {
    for (let i = 0; i < n; i++) out[i] = values[indices[i]!]!;
  } else if (width === 2) {
    for (let i = 0; i < n; i++) {
      const from = 2 * indices[i]!;
      out[2 * i] = values[from]!;
      out[2 * i + 1] = values[from + 1]!;
    }
  } else {
    for (let i = 0; i < n; i++) out.set(values.subarray(indices[i]! * width, (indices[i]! + 1) * width), i * width);
  }
}

/** Copies rows of `width` 16-bit words (see `gatherWords`). */
function gatherHalfWords(values: Uint16Array, out: Uint16Array, indices: Uint32Array, width: number): void {
  const n = indices.length;
  if (width === 1) {
    for (let i = 0; i < n; i++) out[i] = values[indices[i]!]!;
  } else {
    for (let i = 0; i < n; i++) for (let w = 0; w < width; w++) out[i * width + w] = values[indices[i]! * width + w]!;
  }
}

/** Copies rows of `width` bytes (see `gatherWords`). */
function gatherBytes(values: Uint8Array, out: Uint8Array, indices: Uint32Array, width: number): void {
  const n = indices.length;
  if (width === 1) {
    for (let i = 0; i < n; i++) out[i] = values[indices[i]!]!;
  } else {
    for (let i = 0; i < n; i++) for (let w = 0; w < width; w++) out[i * width + w] = values[indices[i]! * width + w]!;
  }
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

/**
 * The rows of `batch` at `rows`, which must be ascending and distinct: a zero-copy slice when they
 * form one run of consecutive rows (the slice shares, and so keeps alive, the whole of `batch`'s
 * buffers), else a copy (`takeRows`).
 */
export function selectRows(batch: arrow.RecordBatch, rows: Uint32Array): arrow.RecordBatch {
  const n = rows.length;
  if (n > 0 && rows[n - 1]! - rows[0]! === n - 1) return n === batch.numRows ? batch : batch.slice(rows[0]!, rows[0]! + n);
  return takeRows(batch, rows);
}

/** A new batch holding the rows of `batch` at `indices`. */
export function takeRows(batch: arrow.RecordBatch, indices: Uint32Array): arrow.RecordBatch {
  const children = batch.schema.fields.map((_, c) => takeData(batch.data.children[c]!, indices));
  const struct = arrow.makeData({ type: new arrow.Struct(batch.schema.fields), length: indices.length, children, nullCount: 0 });
  return new arrow.RecordBatch(batch.schema, struct);
}
