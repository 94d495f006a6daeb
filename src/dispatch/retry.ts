/**
 * Retry arithmetic, pure: given what happened and the policy, how long to wait or whether to give
 * up. The push queue (async invocations) and the stream pollers (event source mappings) both use
 * it. No clock inside: callers pass `now`, so the rules are testable without timers.
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

// Async invocations (push).

export interface RetryPolicy {
  /**
   * Wait before each retry after a function error: index 0 before the 1st retry, 1 before the
   * 2nd, ... Retries past the end of the list double the last value. AWS: ~1 min, then ~2 min.
   */
  readonly functionErrorDelaysMs: readonly number[];
  /** First wait after a throttle or service error; doubles on each further one. AWS: 1 s. */
  readonly throttleBaseMs: number;
  /** Ceiling of the throttle backoff. AWS: 5 min. */
  readonly throttleMaxMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  functionErrorDelaysMs: Object.freeze([60_000, 120_000]),
  throttleBaseMs: 1_000,
  throttleMaxMs: 300_000,
});

/** Wait before retry number `retry` (1-based) after a function error. */
export function functionErrorDelayMs(policy: RetryPolicy, retry: number): number {
  const delays = policy.functionErrorDelaysMs;
  if (delays.length === 0) return 0;
  const index = Math.max(1, retry) - 1;
  const listed = delays[index];
  if (listed !== undefined) return listed;
  const last = delays[delays.length - 1] ?? 0;
  return last * 2 ** (index - delays.length + 1);
}

/** Wait after the `throttles`-th consecutive throttle (1-based): base doubling up to the max. */
export function throttleDelayMs(policy: RetryPolicy, throttles: number): number {
  const backoff = { initialMs: policy.throttleBaseMs, multiplier: 2, maxMs: policy.throttleMaxMs };
  return backoffDelay(backoff, Math.min(Math.max(1, throttles), 31));
}

/** True when an event first queued at `enqueuedAt` is older than `maximumAgeMs` at `now`. */
export function isExpired(enqueuedAt: number, now: number, maximumAgeMs: number): boolean {
  return now - enqueuedAt > maximumAgeMs;
}

export type GiveUpCondition = 'RetriesExhausted' | 'EventAgeExceeded';

export type RetryDecision =
  | { readonly kind: 'retry'; readonly delayMs: number }
  | { readonly kind: 'give-up'; readonly condition: GiveUpCondition };

export interface AttemptState {
  /** Attempts made so far, including the one that just failed. */
  readonly attempts: number;
  readonly maximumRetryAttempts: number;
  readonly enqueuedAt: number;
  readonly maximumAgeMs: number;
  readonly now: number;
}

/** After a function error: retry while attempts remain and the event is young enough. */
export function afterFunctionError(policy: RetryPolicy, state: AttemptState): RetryDecision {
  if (state.attempts >= state.maximumRetryAttempts + 1)
    return { kind: 'give-up', condition: 'RetriesExhausted' };
  if (isExpired(state.enqueuedAt, state.now, state.maximumAgeMs)) {
    return { kind: 'give-up', condition: 'EventAgeExceeded' };
  }
  return { kind: 'retry', delayMs: functionErrorDelayMs(policy, state.attempts) };
}

/** After a throttle or service error (not an attempt): back off until the event ages out. */
export function afterThrottle(
  policy: RetryPolicy,
  state: {
    readonly throttles: number;
    readonly enqueuedAt: number;
    readonly maximumAgeMs: number;
    readonly now: number;
  },
): RetryDecision {
  if (isExpired(state.enqueuedAt, state.now, state.maximumAgeMs)) {
    return { kind: 'give-up', condition: 'EventAgeExceeded' };
  }
  return { kind: 'retry', delayMs: throttleDelayMs(policy, state.throttles) };
}
