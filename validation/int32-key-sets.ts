/**
 * Sets of int32 keys (int32 and date columns): an open-addressing hash set over an Int32Array
 * (10 million random keys: a 2^24-slot table, 64 MiB, where a JS `Set` takes about 320 MiB), and a
 * bitset for keys that fill a dense range (10 million ids: 1.2 MiB). `int32KeySetOf` picks the smaller.
 */
import { bitsOf, capacityFor, EMPTY, MAX_LOAD, slotOf } from './hash-slots.js';
import type { KeyLookup, KeyValue } from './key-lookup.js';

/** A set of int32 keys (int32 and date columns). */
export class Int32KeySet implements KeyLookup {
  private slots: Int32Array;
  private mask: number;
  private bits: number;
  private count = 0;
  private hasMin = false;

  /** An empty set sized for `expected` keys (it grows as needed). */
  constructor(expected = 0) {
    this.slots = new Int32Array(capacityFor(expected)).fill(EMPTY);
    this.mask = this.slots.length - 1;
    this.bits = bitsOf(this.slots.length);
  }

  /** Number of distinct keys. */
  get size(): number {
    return this.count + (this.hasMin ? 1 : 0);
  }

  /** Bytes held by the table. */
  get byteSize(): number {
    return this.slots.byteLength;
  }

  /** True when `key` is in the set (any non-int32 value is not). */
  has(key: KeyValue): boolean {
    if (typeof key !== 'number' || (key | 0) !== key) return false;
    if (key === EMPTY) return this.hasMin;
    const slots = this.slots;
    const mask = this.mask;
    for (let i = slotOf(key, this.bits); ; i = (i + 1) & mask) {
      const s = slots[i]!;
      if (s === key) return true;
      if (s === EMPTY) return false;
    }
  }

  /** Adds an int32 key; returns true when it was new. */
  add(key: number): boolean {
    if (key === EMPTY) {
      const added = !this.hasMin;
      this.hasMin = true;
      return added;
    }
    if (this.count + 1 > this.slots.length * MAX_LOAD) this.grow();
    const slots = this.slots;
    const mask = this.mask;
    for (let i = slotOf(key, this.bits); ; i = (i + 1) & mask) {
      const s = slots[i]!;
      if (s === key) return false;
      if (s === EMPTY) {
        slots[i] = key;
        this.count++;
        return true;
      }
    }
  }

  /** Adds every non-null key of an int32 column (`valid[i] = 1`, or all when `valid` is undefined). */
  addAll(values: Int32Array, valid?: Uint8Array): void {
    for (let i = 0; i < values.length; i++) if (valid === undefined || valid[i] === 1) this.add(values[i]!);
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2).fill(EMPTY);
    this.mask = this.slots.length - 1;
    this.bits = bitsOf(this.slots.length);
    this.count = 0;
    for (let i = 0; i < old.length; i++) if (old[i] !== EMPTY) this.add(old[i]!);
  }
}

/**
 * A set of int32 keys in a dense range, as a bitset over [min, max]: one bit per possible key, so
 * 10 million ids from 1 to 10,000,000 take 1.2 MiB. Built by `int32KeySetOf` when it is the smaller form.
 */
export class DenseInt32KeySet implements KeyLookup {
  private readonly bits: Uint8Array;
  private readonly min: number;
  private readonly count: number;

  /**
   * The set of `keys` (all within [min, max]); or, given `offsets` instead, of `min + i` for each
   * `offsets[i] >= 0`; or of the keys `each` hands to its callback.
   */
  constructor(keys: Int32Array | undefined, min: number, max: number, offsets?: Int32Array, each?: (add: (key: number) => void) => void) {
    this.min = min;
    this.bits = new Uint8Array(Math.floor((max - min) / 8) + 1);
    let count = 0;
    const add = (off: number): void => {
      const bit = 1 << (off & 7);
      if ((this.bits[off >> 3]! & bit) === 0) {
        this.bits[off >> 3]! |= bit;
        count++;
      }
    };
    if (keys !== undefined) for (let i = 0; i < keys.length; i++) add(keys[i]! - min);
    if (offsets !== undefined) for (let i = 0; i < offsets.length; i++) if (offsets[i]! >= 0) add(i);
    if (each !== undefined) each((key) => add(key - min));
    this.count = count;
  }

  /** Number of distinct keys. */
  get size(): number {
    return this.count;
  }

  /** Bytes held by the bitset. */
  get byteSize(): number {
    return this.bits.byteLength;
  }

  /** True when `key` is in the set. */
  has(key: KeyValue): boolean {
    if (typeof key !== 'number') return false;
    const off = key - this.min;
    if (!(off >= 0 && off < this.bits.length * 8) || (off | 0) !== off) return false;
    return (this.bits[off >> 3]! & (1 << (off & 7))) !== 0;
  }

  /** The rows `r < n` with `todo[r] = 1` and `valid[r] = 1` whose `values[r]` is not in the set (one tight loop, no call per row). */
  missing(values: Int32Array, valid: Uint8Array, todo: Uint8Array, n: number): number[] {
    const out: number[] = [];
    const bits = this.bits;
    const min = this.min;
    const span = bits.length * 8;
    for (let r = 0; r < n; r++) {
      if (todo[r] !== 1 || valid[r] !== 1) continue;
      const off = values[r]! - min;
      if (off < 0 || off >= span || (bits[off >> 3]! & (1 << (off & 7))) === 0) out.push(r);
    }
    return out;
  }
}

/**
 * The smaller of the two int32 key sets for `keys` (duplicates allowed): a bitset over [min, max] when
 * that range is at most 32 times the number of keys (then at most 4 bytes a key), else a hash set.
 */
export function int32KeySetOf(keys: Int32Array): DenseInt32KeySet | Int32KeySet {
  let min = 2147483647;
  let max = -2147483648;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (k < min) min = k;
    if (k > max) max = k;
  }
  if (keys.length > 0 && max - min < 32 * keys.length) return new DenseInt32KeySet(keys, min, max);
  const set = new Int32KeySet(keys.length);
  set.addAll(keys);
  return set;
}
