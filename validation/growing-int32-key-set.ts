/**
 * A set of int32 keys that grows as a run reads them, for dedupe without row numbers: while the keys
 * fill a dense range (ids) it is a bitset in pages of 65,536 keys (8 KiB a page, allocated when a key
 * first falls in it: 2 MiB for 16 million ids); when they turn sparse it becomes a hash set
 * (`Int32KeySet`, 4 bytes a slot).
 */
import { Int32KeySet } from './int32-key-sets.js';
import type { KeyLookup, KeyValue } from './key-lookup.js';

const PAGE_BITS = 16;
const PAGE_KEYS = 1 << PAGE_BITS;
/** The bitset may span at most this many keys per key it holds (plus a few pages) before it turns into a hash set. */
const DENSE_KEYS_PER_KEY = 32;
const DENSE_MIN_PAGES = 4;

/** A growing set of int32 keys. */
export class GrowingInt32KeySet implements KeyLookup {
  // Dense form: pages[(key >> 16) - firstPage] holds bits of its 65,536 keys (undefined until used).
  private pages: (Uint8Array | undefined)[] = [];
  private firstPage = 0;
  private pageCount = 0;
  private count = 0;
  private hash: Int32KeySet | undefined;

  /** Number of keys. */
  get size(): number {
    return this.hash ? this.hash.size : this.count;
  }

  /** Bytes held. */
  get byteSize(): number {
    return this.hash ? this.hash.byteSize : this.pageCount * (PAGE_KEYS >> 3);
  }

  /** True when `key` is in the set. */
  has(key: KeyValue): boolean {
    if (typeof key !== 'number' || (key | 0) !== key) return false;
    if (this.hash) return this.hash.has(key);
    const page = this.pages[(key >> PAGE_BITS) - this.firstPage];
    if (page === undefined) return false;
    const off = key & (PAGE_KEYS - 1);
    return (page[off >> 3]! & (1 << (off & 7))) !== 0;
  }

  /** Adds an int32 key; returns true when it was not in the set. */
  add(key: number): boolean {
    if (this.hash) return this.hash.add(key);
    const p = key >> PAGE_BITS;
    let page = this.pages[p - this.firstPage];
    if (page === undefined) {
      if ((this.pageCount + 1) * PAGE_KEYS > Math.max(DENSE_MIN_PAGES * PAGE_KEYS, DENSE_KEYS_PER_KEY * (this.count + 1))) {
        this.toHash();
        return this.hash!.add(key);
      }
      page = this.newPage(p);
    }
    const off = key & (PAGE_KEYS - 1);
    const bit = 1 << (off & 7);
    if ((page[off >> 3]! & bit) !== 0) return false;
    page[off >> 3]! |= bit;
    this.count++;
    return true;
  }

  private newPage(p: number): Uint8Array {
    const page = new Uint8Array(PAGE_KEYS >> 3);
    if (this.pageCount === 0) this.firstPage = p;
    else if (p < this.firstPage) {
      // Keep the page table starting at the lowest page used.
      this.pages = [...new Array<Uint8Array | undefined>(this.firstPage - p), ...this.pages];
      this.firstPage = p;
    }
    this.pages[p - this.firstPage] = page;
    this.pageCount++;
    return page;
  }

  /** Turns the bitset into a hash set (the keys got too sparse for pages). */
  private toHash(): void {
    const hash = new Int32KeySet(this.count + 1);
    this.pages.forEach((page, i) => {
      if (page === undefined) return;
      const base = (this.firstPage + i) * PAGE_KEYS;
      for (let b = 0; b < page.length; b++) {
        const byte = page[b]!;
        if (byte === 0) continue;
        for (let j = 0; j < 8; j++) if ((byte >> j) & 1) hash.add(base + b * 8 + j);
      }
    });
    this.hash = hash;
    this.pages = [];
    this.pageCount = 0;
  }
}
