/** A set of int64 keys (int64 and timestamp columns). */
import { bitsOf, capacityFor, MAX_LOAD, slotOf } from './hash-slots.js';
import type { KeyLookup, KeyValue } from './key-lookup.js';

/** A set of int64 keys: safe integers in a Float64Array table, the rare larger ones in a JS Set. */
export class Int64KeySet implements KeyLookup {
  private slots: Float64Array;
  private mask: number;
  private bits: number;
  private count = 0;
  private readonly big = new Set<bigint>();

  /** An empty set sized for `expected` keys. */
  constructor(expected = 0) {
    this.slots = new Float64Array(capacityFor(expected)).fill(NaN);
    this.mask = this.slots.length - 1;
    this.bits = bitsOf(this.slots.length);
  }

  /** Number of distinct keys. */
  get size(): number {
    return this.count + this.big.size;
  }

  /** Bytes held (the table, plus ~40 bytes per large key). */
  get byteSize(): number {
    return this.slots.byteLength + this.big.size * 40;
  }

  /** True when `key` is in the set. */
  has(key: KeyValue): boolean {
    const n = normal(key);
    if (n === undefined) return false;
    if (typeof n === 'bigint') return this.big.has(n);
    const slots = this.slots;
    const mask = this.mask;
    for (let i = slotOf((n | 0) ^ Math.imul(Math.floor(n / 4294967296), 0x85ebca6b), this.bits); ; i = (i + 1) & mask) {
      const s = slots[i]!;
      if (s === n) return true;
      if (s !== s) return false;
    }
  }

  /** Adds a key; returns true when it was new. */
  add(key: number | bigint): boolean {
    const n = normal(key);
    if (n === undefined) return false;
    if (typeof n === 'bigint') {
      const had = this.big.has(n);
      this.big.add(n);
      return !had;
    }
    if (this.count + 1 > this.slots.length * MAX_LOAD) this.grow();
    const slots = this.slots;
    const mask = this.mask;
    for (let i = slotOf((n | 0) ^ Math.imul(Math.floor(n / 4294967296), 0x85ebca6b), this.bits); ; i = (i + 1) & mask) {
      const s = slots[i]!;
      if (s === n) return false;
      if (s !== s) {
        slots[i] = n;
        this.count++;
        return true;
      }
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Float64Array(old.length * 2).fill(NaN);
    this.mask = this.slots.length - 1;
    this.bits = bitsOf(this.slots.length);
    this.count = 0;
    for (let i = 0; i < old.length; i++) if (old[i] === old[i]) this.add(old[i]!);
  }
}

/** A safe integer as a number (-0 as 0), a larger integer as a bigint; undefined for anything else. */
function normal(key: KeyValue): number | bigint | undefined {
  if (typeof key === 'number') return Number.isSafeInteger(key) ? key + 0 : undefined;
  if (typeof key === 'bigint') {
    const n = Number(key);
    return Number.isSafeInteger(n) ? n : key;
  }
  return undefined;
}
