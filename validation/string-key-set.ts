/** A set of keys kept as text: string keys, and any key type without a typed-array set. */
import type { KeyLookup, KeyValue } from './key-lookup.js';

/** A set of string keys (string, decimal, bool and composite keys). */
export class StringKeySet implements KeyLookup {
  private readonly set = new Set<string>();
  private bytes = 0;

  /** Number of distinct keys. */
  get size(): number {
    return this.set.size;
  }

  /** Estimated bytes held. */
  get byteSize(): number {
    return this.bytes;
  }

  /** True when `key` (as text) is in the set. */
  has(key: KeyValue): boolean {
    return this.set.has(String(key));
  }

  /** Adds a key (as text); returns true when it was new. */
  add(key: KeyValue): boolean {
    const s = String(key);
    if (this.set.has(s)) return false;
    this.set.add(s);
    this.bytes += 48 + 2 * s.length;
    return true;
  }
}
