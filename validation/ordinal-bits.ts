/**
 * A growable set of row ordinals, one bit a row: which rows of a dataset are accepted (16 million rows
 * take 2 MiB). Replaces holding the accepted rows themselves: the rows are read again from their files
 * when they are handed out.
 */

/** A set of non-negative integers below 2^32, as a bitset. */
export class OrdinalBits {
  private words = new Uint32Array(256);
  private count = 0;

  /** Number of ordinals in the set. */
  get size(): number {
    return this.count;
  }

  /** Bytes held. */
  get byteSize(): number {
    return this.words.byteLength;
  }

  /** True when `ordinal` is in the set. */
  has(ordinal: number): boolean {
    const w = ordinal >>> 5;
    return w < this.words.length && (this.words[w]! & (1 << (ordinal & 31))) !== 0;
  }

  /** Adds `ordinal`; returns true when it was not in the set. */
  add(ordinal: number): boolean {
    const w = ordinal >>> 5;
    if (w >= this.words.length) this.grow(w);
    const bit = 1 << (ordinal & 31);
    if ((this.words[w]! & bit) !== 0) return false;
    this.words[w]! |= bit;
    this.count++;
    return true;
  }

  /** Removes `ordinal`; returns true when it was in the set. */
  delete(ordinal: number): boolean {
    if (!this.has(ordinal)) return false;
    this.words[ordinal >>> 5]! &= ~(1 << (ordinal & 31));
    this.count--;
    return true;
  }

  /**
   * The offsets `i` in [0, n) with `base + i` in the set, ascending; undefined when all n are (the
   * `take` argument of `buildRecordBatch`).
   */
  take(base: number, n: number): Uint32Array | undefined {
    let kept = 0;
    for (let i = 0; i < n; i++) if (this.has(base + i)) kept++;
    if (kept === n) return undefined;
    const out = new Uint32Array(kept);
    for (let i = 0, k = 0; i < n; i++) if (this.has(base + i)) out[k++] = i;
    return out;
  }

  private grow(word: number): void {
    let size = this.words.length;
    while (size <= word) size *= 2;
    const grown = new Uint32Array(size);
    grown.set(this.words);
    this.words = grown;
  }
}
