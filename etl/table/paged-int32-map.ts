/**
 * A direct-address map from int32 keys to non-negative int32 values in pages of 65,536 slots, allocated
 * when a key first lands in them. Unlike one growing array, it never copies and never holds an old and
 * a new array at once: 16 million dense ids take 64 MiB, not up to 192 MiB while growing.
 */

/** Slots per page (the low 16 bits of a key). */
export const PAGE_SLOTS = 1 << 16;
const PAGES = 1 << 16;

/** Int32 key -> non-negative int32 value, -1 for absent. */
export class PagedInt32Map {
  private readonly pages: (Int32Array | undefined)[] = new Array<Int32Array | undefined>(PAGES);
  private allocated = 0;
  private lowest = PAGES;
  private highest = -1;

  /** Slots allocated (a multiple of {@link PAGE_SLOTS}). */
  get slots(): number {
    return this.allocated * PAGE_SLOTS;
  }

  /** Bytes held by the pages. */
  get byteSize(): number {
    return this.allocated * PAGE_SLOTS * 4;
  }

  /** True when `key`'s page is allocated (a `set` of it allocates nothing). */
  hasPage(key: number): boolean {
    return this.pages[(key >> 16) + 32768] !== undefined;
  }

  /** The value of `key`, or -1. */
  get(key: number): number {
    const page = this.pages[(key >> 16) + 32768];
    return page === undefined ? -1 : page[key & 0xffff]!;
  }

  /** Stores `value` (>= 0) for `key`; returns the value it had, or -1. */
  set(key: number, value: number): number {
    const p = (key >> 16) + 32768;
    let page = this.pages[p];
    if (page === undefined) {
      page = new Int32Array(PAGE_SLOTS).fill(-1);
      this.pages[p] = page;
      this.allocated++;
      if (p < this.lowest) this.lowest = p;
      if (p > this.highest) this.highest = p;
    }
    const slot = key & 0xffff;
    const previous = page[slot]!;
    page[slot] = value;
    return previous;
  }

  /** Calls `fn` for every key with a value, in ascending key order. */
  forEach(fn: (key: number, value: number) => void): void {
    for (let p = this.lowest; p <= this.highest; p++) {
      const page = this.pages[p];
      if (page === undefined) continue;
      const base = (p - 32768) * PAGE_SLOTS;
      for (let i = 0; i < PAGE_SLOTS; i++) if (page[i]! >= 0) fn(base + i, page[i]!);
    }
  }

  /** Smallest and largest key whose page is allocated (page bounds), or undefined when empty. */
  span(): { min: number; max: number } | undefined {
    if (this.allocated === 0) return undefined;
    return { min: (this.lowest - 32768) * PAGE_SLOTS, max: (this.highest - 32768) * PAGE_SLOTS + PAGE_SLOTS - 1 };
  }
}
