/**
 * Engine quotas. Defaults are the 2014 launch values (DESIGN.md §2.2: the original value is the
 * default, today's an option); {@link TODAY_QUOTAS} raises them to current AWS limits.
 */
import { LambdaliteError } from './errors.js';
import { type FieldRule, readOptions } from './validation/options.js';

export interface Quotas {
  /** Smallest function memory setting, MB. */
  memoryMinMb: number;
  /** Largest function memory setting, MB (2014: 1024, today: 10240). */
  memoryMaxMb: number;
  /** Memory settings must be a multiple of this, MB (2014: 64, today: 1). */
  memoryStepMb: number;
  /** Largest function timeout, seconds (2014: 60, today: 900). */
  timeoutMaxSec: number;
  /** Size of each container's /tmp, MB. */
  tmpMb: number;
  /** Containers running at once across all functions. */
  accountConcurrency: number;
  /** Highest maximumRetryAttempts for async invocation (attempts in all = this + 1). */
  asyncMaxRetryAttempts: number;
  /** Environment variables, keys plus values, bytes. */
  envBytes: number;
  /** Synchronous invoke request and response payload, bytes. */
  syncPayloadBytes: number;
  /** Asynchronous invoke payload, bytes (2014 preview: 128 KB, later 256 KB, now 1 MB). */
  asyncPayloadBytes: number;
  /** Longest stream retention, hours. */
  streamRetentionMaxHours: number;
  /** Seconds of engine-clock quiet after which an idle container is reaped. */
  containerIdleSec: number;
  /** Stream mappings: delay before the first retry of a failing batch, ms (doubles each time). */
  pullRetryInitialMs: number;
  /** Stream mappings: longest delay between retries of a failing batch, ms. */
  pullRetryMaxMs: number;
  /**
   * Bytes of accepted writes waiting for the disk above which producers' writes (object puts,
   * records, items, Event invokes) are refused with their service's retriable throttling code.
   */
  writeBacklogBytes: number;
}

export const DEFAULT_QUOTAS: Readonly<Quotas> = Object.freeze({
  memoryMinMb: 128,
  memoryMaxMb: 1024,
  memoryStepMb: 64,
  timeoutMaxSec: 60,
  tmpMb: 512,
  accountConcurrency: 1000,
  asyncMaxRetryAttempts: 2,
  envBytes: 4096,
  syncPayloadBytes: 6 * 1024 * 1024,
  asyncPayloadBytes: 256 * 1024,
  streamRetentionMaxHours: 8760,
  containerIdleSec: 300,
  pullRetryInitialMs: 1000,
  pullRetryMaxMs: 30_000,
  writeBacklogBytes: 64 * 1024 * 1024,
});

/** Today's AWS limits, for `createEngine({ quotas: TODAY_QUOTAS })`. */
export const TODAY_QUOTAS: Readonly<Partial<Quotas>> = Object.freeze({
  memoryMaxMb: 10240,
  memoryStepMb: 1,
  timeoutMaxSec: 900,
  asyncPayloadBytes: 1024 * 1024,
});

/** Merges user quotas over the defaults; every value must be a positive integer (retries may be 0). */
function count(min: number): FieldRule<number> {
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      throw new LambdaliteError(
        'InvalidArgument',
        `${path} must be an integer >= ${min}, got ${JSON.stringify(value)}`,
      );
    }
    return value;
  };
}

const QUOTA_FIELDS = Object.fromEntries(
  Object.keys(DEFAULT_QUOTAS).map((name) => [name, count(name === 'asyncMaxRetryAttempts' ? 0 : 1)]),
) as { readonly [K in keyof Quotas]: FieldRule<number> };

export function resolveQuotas(input: Partial<Quotas> | undefined): Readonly<Quotas> {
  const quotas: Quotas = {
    ...DEFAULT_QUOTAS,
    ...readOptions(input, QUOTA_FIELDS, 'InvalidArgument', { label: 'options.quotas' }),
  };
  if (quotas.memoryMaxMb < quotas.memoryMinMb) {
    throw new LambdaliteError(
      'InvalidArgument',
      `options.quotas.memoryMaxMb (${quotas.memoryMaxMb}) must be >= memoryMinMb (${quotas.memoryMinMb})`,
    );
  }
  return Object.freeze(quotas);
}
