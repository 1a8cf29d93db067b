/** `KeyLookup`: "is this key known?" — the question referential integrity asks. */
import type { ColumnKind } from './column-kinds.js';
import { Int32KeySet } from './int32-key-sets.js';
import { Int64KeySet } from './int64-key-set.js';
import { StringKeySet } from './string-key-set.js';

/** A key value: numbers for int32/date keys (days) and safe int64s, bigint for larger int64s, strings otherwise. */
export type KeyValue = number | bigint | string;

/** A set of keys that can be asked about membership. */
export interface KeyLookup {
  /** True when `key` is in the set. */
  has(key: KeyValue): boolean;
  /** Number of distinct keys. */
  readonly size: number;
  /** Bytes of memory the set holds (typed arrays; an estimate for JS collections). */
  readonly byteSize: number;
}

/**
 * A lookup that knows a key when any of `lookups` does (e.g. accepted in this run, or committed). The
 * lookups must be final (no key added later): empty ones are left out, and a single one is returned as it is.
 */
export function anyOf(...lookups: (KeyLookup | undefined)[]): KeyLookup {
  const given = lookups.filter((l): l is KeyLookup => l !== undefined);
  const parts = given.filter((l) => l.size > 0);
  if (parts.length === 0) return given[0] ?? NO_KEYS;
  if (parts.length === 1) return parts[0]!;
  return {
    has: (key) => {
      for (const l of parts) if (l.has(key)) return true;
      return false;
    },
    get size() {
      return parts.reduce((n, l) => n + l.size, 0);
    },
    get byteSize() {
      return parts.reduce((n, l) => n + l.byteSize, 0);
    },
  };
}

/** A lookup that knows no key. */
export const NO_KEYS: KeyLookup = { has: () => false, size: 0, byteSize: 0 };

/** A key set suited to keys of column type `kind`. */
export function keySetFor(kind: ColumnKind, expected = 0): Int32KeySet | Int64KeySet | StringKeySet {
  if (kind === 'int32' || kind === 'date') return new Int32KeySet(expected);
  if (kind === 'int64' || kind === 'timestamp') return new Int64KeySet(expected);
  return new StringKeySet();
}
