/** Validity-bitmap helpers over Arrow JS `Data` (bit i of the bitmap is row i; 1 = valid). */
import { type Data, Type } from 'apache-arrow';

/** Number of nulls in `data`, counted from the validity bitmap (never the lazy `-1` Arrow JS may hold). */
export function nullCountOf(data: Data): number {
  if (data.typeId === Type.Null) return data.length;
  const n = data.nullCount;
  if (n >= 0) return n;
  const bitmap = data.nullBitmap;
  if (!bitmap || bitmap.length === 0) return 0;
  let valid = 0;
  for (let i = 0; i < data.length; i++) valid += isValidBit(bitmap, data.offset + i);
  return data.length - valid;
}

/**
 * The validity bitmap to test rows of `data` with, or `undefined` when every row is valid.
 * Row `i` of `data` is bit `data.offset + i` of the returned bitmap.
 */
export function validityOf(data: Data): Uint8Array | undefined {
  if (nullCountOf(data) === 0) return undefined;
  const bitmap = data.nullBitmap;
  return bitmap && bitmap.length > 0 ? bitmap : undefined;
}

/** 1 when bit `index` of `bitmap` is set, else 0. */
export function isValidBit(bitmap: Uint8Array, index: number): number {
  return ((bitmap[index >> 3] ?? 0) >> (index & 7)) & 1;
}

/**
 * A copy of bits `[offset, offset + length)` of `bitmap` starting at bit 0, or `undefined` when there
 * is no bitmap (all rows valid). Used when rebuilding a column whose values no longer carry the offset.
 */
export function sliceBitmap(bitmap: Uint8Array | undefined, offset: number, length: number): Uint8Array | undefined {
  if (!bitmap || bitmap.length === 0) return undefined;
  const bytes = (length + 7) >> 3;
  if ((offset & 7) === 0) return bitmap.slice(offset >> 3, (offset >> 3) + bytes);
  const out = new Uint8Array(bytes);
  for (let i = 0; i < length; i++) {
    if (isValidBit(bitmap, offset + i)) out[i >> 3]! |= 1 << (i & 7);
  }
  return out;
}
