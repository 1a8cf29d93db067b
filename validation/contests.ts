/**
 * Contests: groups of rows whose dedupe decision needs a row of an earlier batch. Accepted rows are not
 * kept in memory, so such a decision waits for the end of the dataset; then the rows of every group are
 * read again from their files and the group is decided in input order, exactly as if it had been
 * decided on the spot. Rows of a different key (or row hash) never wait. Groups are rare: a key seen in
 * two batches.
 */
import type { KeyValue } from './key-lookup.js';

/** Groups of row ordinals by key, each ascending. */
export class Contests {
  private readonly groups = new Map<KeyValue, number[]>();
  private rows = 0;

  /** Number of groups. */
  get size(): number {
    return this.groups.size;
  }

  /** True when `key` has a group: every later row of the key joins it. */
  has(key: KeyValue): boolean {
    return this.groups.size > 0 && this.groups.has(normalKey(key));
  }

  /** Starts the group of `key` with the rows `earlier` (ascending), followed by `ordinal`. */
  open(key: KeyValue, earlier: readonly number[], ordinal: number): void {
    this.groups.set(normalKey(key), [...earlier, ordinal]);
    this.rows += earlier.length + 1;
  }

  /** Puts `ordinal` (before every row of the group) first in the group of `key`. */
  prepend(key: KeyValue, ordinal: number): void {
    this.groups.get(normalKey(key))!.unshift(ordinal);
    this.rows++;
  }

  /** The first row of the group of `key`. */
  first(key: KeyValue): number | undefined {
    return this.groups.get(normalKey(key))?.[0];
  }

  /** Adds `ordinal` (past every row of the group) to the group of `key`. */
  join(key: KeyValue, ordinal: number): void {
    this.groups.get(normalKey(key))!.push(ordinal);
    this.rows++;
  }

  /** Every row of every group, ascending, each once. */
  ordinals(): number[] {
    const all = new Array<number>(this.rows);
    let i = 0;
    for (const g of this.groups.values()) for (const o of g) all[i++] = o;
    all.sort((a, b) => a - b);
    return all;
  }

  /** The groups, in the order they were opened. */
  values(): IterableIterator<number[]> {
    return this.groups.values();
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
