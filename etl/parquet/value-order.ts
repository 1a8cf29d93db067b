/**
 * Ordering of statistics values. Strings are ordered as Parquet, Delta and Iceberg order them: unsigned byte order of the UTF-8
 * encoding, which is the same as Unicode code point order. It differs from JavaScript's `<` (UTF-16
 * code unit order) only when a character from U+E000..U+FFFF meets one above U+FFFF (e.g. '\uFF61'
 * sorts before '😀' in JS but after it in UTF-8).
 */

/** Compare `a[aStart, aEnd)` with `b[bStart, bEnd)` as unsigned bytes; negative, 0 or positive. */
export function compareBytes(
  a: Uint8Array,
  aStart: number,
  aEnd: number,
  b: Uint8Array,
  bStart: number,
  bEnd: number,
): number {
  const aLen = aEnd - aStart;
  const bLen = bEnd - bStart;
  const n = aLen < bLen ? aLen : bLen;
  for (let i = 0; i < n; i++) {
    const d = a[aStart + i]! - b[bStart + i]!;
    if (d !== 0) return d;
  }
  return aLen - bLen;
}

/** Compare two JS strings in UTF-8 byte order (code point order); negative, 0 or positive. */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    // Surrogates (U+D800..U+DFFF) encode code points above U+FFFF: they sort after every BMP char.
    const sa = ca >= 0xd800 && ca <= 0xdfff;
    const sb = cb >= 0xd800 && cb <= 0xdfff;
    if (sa !== sb) return sa ? 1 : -1;
    return ca - cb;
  }
  return a.length - b.length;
}

/**
 * Order of two values of the same column: numbers and bigints numerically, false < true, strings in
 * UTF-8 byte order. Negative, 0 or positive.
 */
export function compareValues(a: number | bigint | boolean | string, b: number | bigint | boolean | string): number {
  if (typeof a === 'string' && typeof b === 'string') return compareUtf8(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}
