/** Value helpers shared by the engines. */

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A 64-bit (or wider) integer as a number when within ±2^53, else as a bigint. */
export function integerValue(value: bigint): number | bigint {
  return value <= SAFE && value >= -SAFE ? Number(value) : value;
}

/** `YYYY-MM-DD` of a day number since 1970-01-01 (proleptic Gregorian, years 0..9999). */
export function dateString(days: number): string {
  return new Date(days * 86_400_000).toISOString().slice(0, 10);
}
