/**
 * Key indexes: key -> row number of the row currently kept for the key (the primary keys of a run).
 * `Int32KeyIndex` for int32/date keys, `MapKeyIndex` for the rest.
 */
import { PAGE_SLOTS, PagedInt32Map } from '../etl/table/paged-int32-map.js';
import { bitsOf, capacityFor, EMPTY, MAX_LOAD, slotOf } from './hash-slots.js';
import { DenseInt32KeySet, Int32KeySet } from './int32-key-sets.js';
import type { KeyLookup, KeyValue } from './key-lookup.js';

/**
 * A map from key to a row number (the row currently kept for the key), for primary keys within a run.
 * Also a `KeyLookup` of the keys it holds.
 */
export interface KeyIndex extends KeyLookup {
  /** The row number stored for `key`, or -1. */
  get(key: KeyValue): number;
  /** Stores `row` for `key`. */
  set(key: KeyValue, row: number): void;
}

/** Most slots a dense index may have per key it holds before it turns into a hash table. */
const DENSE_SLOTS_PER_KEY = 4;
/** A dense index may always hold this many slots, however few keys it holds. */
const DENSE_MIN_SLOTS = 4 * PAGE_SLOTS;

/**
 * A `KeyIndex` over int32 keys. While the keys fill a dense range (at most 4 slots per key, the usual
 * case for ids) it is a direct-address map in pages of 65,536 slots (see PagedInt32Map) — 4 bytes a
 * slot, neighbouring keys in neighbouring memory, and no copying as it grows; otherwise an open-addressing table with keys and rows interleaved in
 * one Int32Array (8 bytes a slot, one cache line per probe).
 */
export class Int32KeyIndex implements KeyIndex {
  // Dense form: pages.get(key), -1 where absent. `dense` is false once converted to the hash form.
  private dense = true;
  private pages = new PagedInt32Map();
  // Hash form: table[2i] = key (EMPTY when free), table[2i + 1] = row.
  private table: Int32Array = new Int32Array(0);
  private mask = 0;
  private bits = 0;
  private count = 0;
  private minRow = -1; // hash form: row of the key int32 min (the empty marker)

  /** Number of keys. */
  get size(): number {
    return this.count + (this.minRow >= 0 ? 1 : 0);
  }

  /** Bytes held. */
  get byteSize(): number {
    return this.pages.byteSize + this.table.byteLength;
  }

  /** True when the key is present. */
  has(key: KeyValue): boolean {
    return this.get(key) >= 0;
  }

  /** The row stored for `key`, or -1. */
  get(key: KeyValue): number {
    if (typeof key !== 'number' || (key | 0) !== key) return -1;
    if (this.dense) return this.pages.get(key);
    if (key === EMPTY) return this.minRow;
    const table = this.table;
    const mask = this.mask;
    for (let i = slotOf(key, this.bits); ; i = (i + 1) & mask) {
      const k = table[2 * i]!;
      if (k === key) return table[2 * i + 1]!;
      if (k === EMPTY) return -1;
    }
  }

  /** Stores `row` (>= 0) for `key`. */
  set(key: KeyValue, row: number): void {
    const k = key as number;
    if (this.putIfAbsent(k, row) < 0) return;
    if (this.dense) this.pages.set(k, row);
    else if (k === EMPTY) this.minRow = row;
    else this.table[2 * this.slotOf(k) + 1] = row;
  }

  /** One probe: stores `row` for an absent int32 `key` and returns -1, or returns the row already stored. */
  putIfAbsent(key: number, row: number): number {
    if (this.dense) {
      if (this.pages.hasPage(key) || this.pages.slots + PAGE_SLOTS <= Math.max(DENSE_MIN_SLOTS, DENSE_SLOTS_PER_KEY * (this.count + 1))) {
        const w = this.pages.get(key);
        if (w >= 0) return w;
        this.pages.set(key, row);
        this.count++;
        return -1;
      }
      this.toHash();
    }
    if (key === EMPTY) {
      if (this.minRow >= 0) return this.minRow;
      this.minRow = row;
      return -1;
    }
    if (this.count + 1 > (this.table.length >> 1) * MAX_LOAD) this.grow();
    const i = this.slotOf(key);
    const table = this.table;
    if (table[2 * i] === key) return table[2 * i + 1]!;
    table[2 * i] = key;
    table[2 * i + 1] = row;
    this.count++;
    return -1;
  }

  /**
   * The keys as a set only (for lookups once the rows are decided): a bitset over the dense range (one
   * bit a slot instead of 4 bytes), or a hash set of the keys (4 bytes a slot instead of 8).
   */
  keySet(): KeyLookup {
    if (this.dense) {
      const span = this.pages.span() ?? { min: 0, max: 0 };
      return new DenseInt32KeySet(undefined, span.min, span.max, undefined, (add) => this.pages.forEach((key) => add(key)));
    }
    const set = new Int32KeySet(this.size);
    const table = this.table;
    for (let i = 0; i < table.length; i += 2) if (table[i] !== EMPTY) set.add(table[i]!);
    if (this.minRow >= 0) set.add(EMPTY);
    return set;
  }

  /** Turns the paged direct-address form into the hash form (the keys got too sparse for it). */
  private toHash(): void {
    const old = this.pages;
    this.allocate(capacityFor(this.count + 1));
    this.dense = false;
    this.pages = new PagedInt32Map();
    this.count = 0;
    old.forEach((key, row) => this.putIfAbsent(key, row));
  }

  /** The slot holding `key`, or the free slot where it would go. */
  private slotOf(key: number): number {
    const table = this.table;
    const mask = this.mask;
    for (let i = slotOf(key, this.bits); ; i = (i + 1) & mask) {
      const k = table[2 * i]!;
      if (k === key || k === EMPTY) return i;
    }
  }

  private allocate(cap: number): void {
    this.table = new Int32Array(2 * cap);
    for (let i = 0; i < 2 * cap; i += 2) this.table[i] = EMPTY;
    this.mask = cap - 1;
    this.bits = bitsOf(cap);
  }

  private grow(): void {
    const old = this.table;
    this.allocate(Math.max(16, old.length)); // old.length / 2 slots -> twice as many
    for (let j = 0; j < old.length; j += 2) {
      const key = old[j]!;
      if (key === EMPTY) continue;
      const i = this.slotOf(key);
      this.table[2 * i] = key;
      this.table[2 * i + 1] = old[j + 1]!;
    }
  }
}

/** A `KeyIndex` over any key values, on a JS Map (int64, string and composite keys). */
export class MapKeyIndex implements KeyIndex {
  private readonly map = new Map<KeyValue, number>();

  /** Number of keys. */
  get size(): number {
    return this.map.size;
  }

  /** Estimated bytes held. */
  get byteSize(): number {
    return this.map.size * 64;
  }

  /** True when the key is present. */
  has(key: KeyValue): boolean {
    return this.map.has(normalKey(key));
  }

  /** The row stored for `key`, or -1. */
  get(key: KeyValue): number {
    return this.map.get(normalKey(key)) ?? -1;
  }

  /** Stores `row` for `key`. */
  set(key: KeyValue, row: number): void {
    this.map.set(normalKey(key), row);
  }
}

/** bigints that fit a safe integer become numbers, so `5n` and `5` are the same key. */
function normalKey(key: KeyValue): KeyValue {
  if (typeof key === 'bigint') {
    const n = Number(key);
    return Number.isSafeInteger(n) ? n : key;
  }
  return key;
}
