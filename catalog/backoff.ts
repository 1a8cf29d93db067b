/** Waiting between attempts: jittered exponential delays, and a sleep an AbortSignal can cut short. */

/** Delay before attempt `attempt + 1` (attempt counts from 1): `base * 2^(attempt-1)`, capped at `max`, times a random factor in [0.5, 1.5). */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  const raw = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return raw * (0.5 + Math.random());
}

/** Resolve after `ms`; reject with the signal's reason as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
