/**
 * A set of int32 keys as bits in pages of 65,536 keys (8 KiB a page), allocated when a key first
 * falls in one: 2 MiB for 16 million dense ids. It stays a bitset only while the keys are dense
 * enough: `add` refuses a key whose new page would make the pages span more than `keysPerKey` keys
 * per key held (past the first few pages), and the owner then moves the keys (`forEach`) to a hash.
 */
import { PAGE_SLOTS } from './paged-int32-map.js';

const PAGES = 1 << 16;
/** Pages allowed whatever the density. */
const MIN_PAGES = 4;

/** A paged bitset of int32 keys, while dense. */
export class PagedInt32Bits {
  private readonly pages: (Uint32Array | undefined)[] = new Array<Uint32Array | undefined>(PAGES);
  private pageCount = 0;
  private count = 0;

  /** @param keysPerKey How many keys the pages may span per key held before `add` refuses a new page. */
  constructor(private readonly keysPerKey: number) {}

  /** Number of keys. */
  get size(): number {
    return this.count;
  }

  /** Bytes held by the pages. */
  get byteSize(): number {
    return this.pageCount * (PAGE_SLOTS / 8);
  }

  /** True when int32 `key` is in the set. */
  has(key: number): boolean {
    const page = this.pages[(key >> 16) + 32768];
    return page !== undefined && (page[(key & 0xffff) >> 5]! & (1 << (key & 31))) !== 0;
  }

  /**
   * Adds int32 `key`: true when it was new, false when it was there, undefined (nothing added) when
   * its page would make the set too sparse.
   */
  add(key: number): boolean | undefined {
    const p = (key >> 16) + 32768;
    let page = this.pages[p];
    if (page === undefined) {
      if ((this.pageCount + 1) * PAGE_SLOTS > Math.max(MIN_PAGES * PAGE_SLOTS, this.keysPerKey * (this.count + 1))) return undefined;
      page = new Uint32Array(PAGE_SLOTS / 32);
      this.pages[p] = page;
      this.pageCount++;
    }
    const slot = key & 0xffff;
    const bit = 1 << (slot & 31);
    if ((page[slot >> 5]! & bit) !== 0) return false;
    page[slot >> 5]! |= bit;
    this.count++;
    return true;
  }

  /** Calls `fn` with every key, in ascending order. */
  forEach(fn: (key: number) => void): void {
    this.pages.forEach((page, p) => {
      if (page === undefined) return;
      const base = (p - 32768) * PAGE_SLOTS;
      for (let w = 0; w < page.length; w++) {
        const word = page[w]!;
        if (word === 0) continue;
        for (let b = 0; b < 32; b++) if ((word & (1 << b)) !== 0) fn(base + w * 32 + b);
      }
    });
  }

  /** Drops every key and page. */
  clear(): void {
    this.pages.fill(undefined);
    this.pageCount = 0;
    this.count = 0;
  }
}
