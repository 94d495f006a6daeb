import { describe, expect, it } from 'vitest';
import {
  afterFunctionError,
  afterThrottle,
  DEFAULT_RETRY_POLICY,
  functionErrorDelayMs,
  throttleDelayMs,
} from '../../src/dispatch/retry.js';

const policy = DEFAULT_RETRY_POLICY;

describe('retry arithmetic', () => {
  it('waits about 1 minute before the first retry and 2 minutes before the second', () => {
    expect(functionErrorDelayMs(policy, 1)).toBe(60_000);
    expect(functionErrorDelayMs(policy, 2)).toBe(120_000);
    expect(functionErrorDelayMs(policy, 3)).toBe(240_000);
  });

  it('backs off throttles from 1 s, doubling, capped at 5 minutes', () => {
    expect([1, 2, 3, 4].map((n) => throttleDelayMs(policy, n))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(throttleDelayMs(policy, 20)).toBe(300_000);
    expect(throttleDelayMs(policy, 5_000)).toBe(300_000);
  });

  it('retries a function error while attempts remain, then gives up with RetriesExhausted', () => {
    const state = { maximumRetryAttempts: 2, enqueuedAt: 0, maximumAgeMs: 21_600_000, now: 0 };
    expect(afterFunctionError(policy, { ...state, attempts: 1 })).toEqual({ kind: 'retry', delayMs: 60_000 });
    expect(afterFunctionError(policy, { ...state, attempts: 2 })).toEqual({
      kind: 'retry',
      delayMs: 120_000,
    });
    expect(afterFunctionError(policy, { ...state, attempts: 3 })).toEqual({
      kind: 'give-up',
      condition: 'RetriesExhausted',
    });
    expect(afterFunctionError(policy, { ...state, maximumRetryAttempts: 0, attempts: 1 }).kind).toBe(
      'give-up',
    );
  });

  it('gives up with EventAgeExceeded once the event is older than its maximum age', () => {
    const state = { maximumRetryAttempts: 2, enqueuedAt: 0, maximumAgeMs: 60_000, attempts: 1 };
    expect(afterFunctionError(policy, { ...state, now: 60_000 }).kind).toBe('retry');
    expect(afterFunctionError(policy, { ...state, now: 60_001 })).toEqual({
      kind: 'give-up',
      condition: 'EventAgeExceeded',
    });
    expect(afterThrottle(policy, { throttles: 3, enqueuedAt: 0, maximumAgeMs: 60_000, now: 60_001 })).toEqual(
      {
        kind: 'give-up',
        condition: 'EventAgeExceeded',
      },
    );
    expect(afterThrottle(policy, { throttles: 3, enqueuedAt: 0, maximumAgeMs: 60_000, now: 1 })).toEqual({
      kind: 'retry',
      delayMs: 4_000,
    });
  });
});
