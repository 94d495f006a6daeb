/**
 * Retry policy as a small pure module: how long to wait before the next try, and whether to
 * give up. Fed by the engine clock by its callers; no timers here.
 */

export interface BackoffPolicy {
  /** Delay before the first retry, ms. */
  readonly initialMs: number;
  /** Each further failure multiplies the delay by this. */
  readonly multiplier: number;
  /** The delay never exceeds this, ms. */
  readonly maxMs: number;
}

/** Stream pollers: about 1 s, doubling, capped at 30 s. */
export const DEFAULT_PULL_BACKOFF: BackoffPolicy = Object.freeze({
  initialMs: 1000,
  multiplier: 2,
  maxMs: 30_000,
});

/** Delay before retry number `failures` (1 = after the first failure). */
export function backoffDelay(policy: BackoffPolicy, failures: number): number {
  if (failures <= 0) return 0;
  const raw = policy.initialMs * policy.multiplier ** (failures - 1);
  return Math.min(policy.maxMs, Math.round(raw));
}

/**
 * True once `attempts` counted attempts exceed the allowed retries. `maxRetryAttempts` -1 means
 * never (retry until the records expire); 0 means the first failure is final.
 */
export function retriesExhausted(attempts: number, maxRetryAttempts: number): boolean {
  return maxRetryAttempts >= 0 && attempts > maxRetryAttempts;
}
