/**
 * A set of int32 keys that grows as a run reads them, for dedupe without row numbers: while the keys
 * fill a dense range (ids) it is a paged bitset (`PagedInt32Bits`: 2 MiB for 16 million ids); when they
 * turn sparse it becomes a hash set (`Int32KeySet`, 4 bytes a slot).
 */
import { PagedInt32Bits } from '../etl/table/paged-int32-bits.js';
import { Int32KeySet } from './int32-key-sets.js';
import type { KeyLookup, KeyValue } from './key-lookup.js';

/** The bitset may span at most this many keys per key it holds (past its first pages) before it turns into a hash set. */
const DENSE_KEYS_PER_KEY = 32;

/** A growing set of int32 keys. */
export class GrowingInt32KeySet implements KeyLookup {
  private readonly bits = new PagedInt32Bits(DENSE_KEYS_PER_KEY);
  private hash: Int32KeySet | undefined;

  /** Number of keys. */
  get size(): number {
    return this.hash ? this.hash.size : this.bits.size;
  }

  /** Bytes held. */
  get byteSize(): number {
    return this.hash ? this.hash.byteSize : this.bits.byteSize;
  }

  /** True when `key` is in the set. */
  has(key: KeyValue): boolean {
    if (typeof key !== 'number' || (key | 0) !== key) return false;
    return this.hash ? this.hash.has(key) : this.bits.has(key);
  }

  /** Adds an int32 key; returns true when it was not in the set. */
  add(key: number): boolean {
    if (this.hash) return this.hash.add(key);
    const added = this.bits.add(key);
    if (added !== undefined) return added;
    // The keys got too sparse for pages: move them to a hash set.
    const hash = new Int32KeySet(this.bits.size + 1);
    this.bits.forEach((k) => hash.add(k));
    this.bits.clear();
    this.hash = hash;
    return hash.add(key);
  }
}
