/** An injectable clock, so retention and time travel can be tested without waiting. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock fixed at `ms` (advance it by assigning `.ms`). */
export function fixedClock(ms: number): Clock & { ms: number } {
  return {
    ms,
    now() {
      return this.ms;
    },
  };
}
