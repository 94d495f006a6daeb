/** Engine-level options of the push dispatcher (`createEngine({ asyncInvocation: {...} })`). */
import { LambdaliteError } from '../../errors.js';
import { anyValue, type FieldRule, readOptions } from '../../validation/options.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../retry.js';

export interface AsyncInvocationOptions extends RetryPolicy {
  /** Invocations in flight at once across all functions. */
  maxConcurrency: number;
  /** Invocations in flight at once for one function (the runtime may throttle earlier). */
  maxConcurrencyPerFunction: number;
  /**
   * On close, how long (engine clock) to wait for in-flight invocations before leaving them to be
   * redelivered after the next open; 0 does not wait at all.
   */
  closeDrainMs: number;
  /**
   * Payload bytes of freshly queued events held in memory, all functions together, so they are
   * dispatched without reading them back from storage (they are stored all the same). A backlog
   * beyond it is read from storage; 0 reads every event back.
   */
  handOverBytes: number;
}

export const DEFAULT_ASYNC_INVOCATION_OPTIONS: Readonly<AsyncInvocationOptions> = Object.freeze({
  ...DEFAULT_RETRY_POLICY,
  maxConcurrency: 64,
  maxConcurrencyPerFunction: 16,
  closeDrainMs: 5_000,
  handOverBytes: 8 * 1024 * 1024,
});

function check(ok: boolean, name: string, rule: string, value: unknown): void {
  if (!ok) {
    throw new LambdaliteError(
      'InvalidArgument',
      `options.asyncInvocation.${name} must be ${rule}, got ${JSON.stringify(value)}`,
    );
  }
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1;
const isMs = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

const ASYNC_OPTION_FIELDS = Object.fromEntries(
  Object.keys(DEFAULT_ASYNC_INVOCATION_OPTIONS).map((key) => [key, anyValue()]),
) as { readonly [K in keyof AsyncInvocationOptions]: FieldRule<AsyncInvocationOptions[K]> };

export function resolveAsyncInvocationOptions(
  input?: Partial<AsyncInvocationOptions>,
): Readonly<AsyncInvocationOptions> {
  // An option given as undefined takes its default, as an omitted one does.
  const given = readOptions(input, ASYNC_OPTION_FIELDS, 'InvalidArgument', {
    label: 'options.asyncInvocation',
  });
  const o = { ...DEFAULT_ASYNC_INVOCATION_OPTIONS, ...given };
  check(isCount(o.maxConcurrency), 'maxConcurrency', 'an integer >= 1', o.maxConcurrency);
  check(
    isCount(o.maxConcurrencyPerFunction),
    'maxConcurrencyPerFunction',
    'an integer >= 1',
    o.maxConcurrencyPerFunction,
  );
  check(isMs(o.closeDrainMs), 'closeDrainMs', 'an integer >= 0', o.closeDrainMs);
  check(isMs(o.handOverBytes), 'handOverBytes', 'an integer >= 0', o.handOverBytes);
  check(isMs(o.throttleBaseMs), 'throttleBaseMs', 'an integer >= 0', o.throttleBaseMs);
  check(isMs(o.throttleMaxMs), 'throttleMaxMs', 'an integer >= 0', o.throttleMaxMs);
  check(
    Array.isArray(o.functionErrorDelaysMs) && o.functionErrorDelaysMs.every(isMs),
    'functionErrorDelaysMs',
    'an array of integers >= 0',
    o.functionErrorDelaysMs,
  );
  return Object.freeze({ ...o, functionErrorDelaysMs: Object.freeze([...o.functionErrorDelaysMs]) });
}
