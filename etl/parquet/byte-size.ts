/** Estimate of the in-memory Arrow bytes a column chunk holds, used to decide when a file is full. */
import { type Data, Type } from 'apache-arrow';

/**
 * Bytes of Arrow buffers the logical rows of `data` occupy: validity bits, offsets, values and
 * children, counting only the slice `data` covers (a 10-row slice of a 1M-row array counts 10 rows).
 * A dictionary counts once per `seenDictionaries` set (dictionaries are usually shared by batches).
 */
export function arrowByteSize(data: Data, seenDictionaries?: WeakSet<object>): number {
  const { length } = data;
  if (length === 0) return 0;
  let size = data.nullBitmap && data.nullBitmap.length > 0 ? (length + 7) >> 3 : 0;
  if (data.typeIds) size += data.typeIds.byteLength;
  switch (data.typeId) {
    case Type.Null:
      return size;
    case Type.Bool:
      return size + ((length + 7) >> 3);
    case Type.Utf8:
    case Type.Binary:
    case Type.LargeUtf8:
    case Type.LargeBinary: {
      const offsets = data.valueOffsets as Int32Array | BigInt64Array;
      return size + offsets.byteLength + (Number(offsets[length]) - Number(offsets[0]));
    }
    case Type.List:
    case Type.LargeList:
    case Type.Map: {
      const offsets = data.valueOffsets as Int32Array | BigInt64Array;
      const start = Number(offsets[0]);
      const end = Number(offsets[length]);
      const child = data.children[0];
      return size + offsets.byteLength + (child ? arrowByteSize(child.slice(start, end - start), seenDictionaries) : 0);
    }
    case Type.Dictionary: {
      size += (data.values as ArrayBufferView).byteLength;
      const dictionary = data.dictionary;
      if (dictionary && !seenDictionaries?.has(dictionary)) {
        seenDictionaries?.add(dictionary);
        for (const chunk of dictionary.data as Data[]) size += arrowByteSize(chunk, seenDictionaries);
      }
      return size;
    }
    default: {
      if (data.valueOffsets) size += (data.valueOffsets as ArrayBufferView).byteLength;
      if (data.values) size += (data.values as ArrayBufferView).byteLength;
      for (const buffer of data.variadicBuffers ?? []) size += buffer.byteLength;
      for (const child of data.children) size += arrowByteSize(child, seenDictionaries);
      return size;
    }
  }
}
