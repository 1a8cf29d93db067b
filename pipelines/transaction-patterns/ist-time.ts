/** Times in India Standard Time (UTC+05:30), as the detection files carry them. */

const IST_OFFSET_MS = 330 * 60_000;

/** `ms` as ISO 8601 in IST with milliseconds, e.g. `2026-11-22T19:33:05.123+05:30`. */
export function istTimestamp(ms: number): string {
  return new Date(ms + IST_OFFSET_MS).toISOString().replace('Z', '+05:30');
}
