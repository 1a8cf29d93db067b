/**
 * Open-addressing hash table helpers shared by the integer key sets and the key index: linear probing,
 * power-of-two capacity, at most 3/4 full, Fibonacci hashing.
 */

/** int32 min marks an empty slot; tables keep the key int32 min itself aside. */
export const EMPTY = -2147483648;
/** Most filled fraction of a table before it doubles. */
export const MAX_LOAD = 0.75;

/** The smallest power-of-two capacity (at least 16) that holds `n` keys under `MAX_LOAD`. */
export function capacityFor(n: number): number {
  let cap = 16;
  while (cap * MAX_LOAD < n) cap *= 2;
  return cap;
}

/**
 * Slot of an int32 key in a table of `2^bits` slots: Fibonacci hashing, i.e. the top `bits` bits of
 * key * 2^32/phi, which spreads sequential and strided keys alike.
 */
export function slotOf(key: number, bits: number): number {
  return Math.imul(key, 0x9e3779b1) >>> (32 - bits);
}

/** log2 of a power-of-two capacity. */
export function bitsOf(capacity: number): number {
  return 31 - Math.clz32(capacity);
}
