/** Writing 64-bit integers into a BigInt64Array without creating a BigInt per value. */

/** True when this machine stores typed arrays little-endian (then 64-bit values can be written as two words). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** 2^32. */
const TWO_32 = 4294967296;

/**
 * Writes the integer `v` (|v| < 2^53) into slot `r` of a BigInt64Array seen as 32-bit words `words`,
 * without creating a BigInt. Little-endian only (see `LITTLE_ENDIAN`).
 */
export function writeInt64Words(words: Uint32Array, r: number, v: number): void {
  if (v >= 0) {
    const hi = Math.floor(v / TWO_32);
    words[2 * r] = v - hi * TWO_32;
    words[2 * r + 1] = hi;
  } else {
    const x = -v;
    const hi = Math.floor(x / TWO_32);
    const nlo = (~(x - hi * TWO_32) + 1) >>> 0;
    words[2 * r] = nlo;
    words[2 * r + 1] = (~hi + (nlo === 0 ? 1 : 0)) >>> 0;
  }
}
