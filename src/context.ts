/**
 * What every service of one engine shares: configuration, storage, clock, ARN builders, the
 * event hub and the lifecycle guard. Built once by `createEngine` and passed to each service.
 */
import { Arns } from './arn.js';
import { Backpressure } from './backpressure.js';
import { type Clock, SystemClock } from './clock.js';
import { type AsyncInvocationOptions, resolveAsyncInvocationOptions } from './dispatch/push/options.js';
import { LambdaliteError } from './errors.js';
import type { EventHub } from './events.js';
import type { CallerIdentity } from './iam/types.js';
import type { LogsOptions } from './observe/logs/types.js';
import { type ResolvedLogsOptions, resolveLogsOptions } from './observe/logs/validate.js';
import { type MetricsOptions, resolveMetricsOptions } from './observe/metrics/options.js';
import { type Quotas, resolveQuotas } from './quotas.js';
import type { Storage } from './storage/storage.js';
import { anyValue, isPlainObject, readOptions } from './validation/options.js';
import { showValue } from './validation/text.js';

export interface EngineOptions {
  /** LevelDB directory; omitted means an in-memory store that vanishes on close. */
  location?: string;
  /** Region of the engine and of everything in it. Default 'us-east-1'. */
  region?: string;
  /** Twelve-digit account id. Default '000000000000'. */
  accountId?: string;
  /** Raises or lowers engine limits; see {@link Quotas}. */
  quotas?: Partial<Quotas>;
  /** Time source for every timer of the engine. Default: the system clock. */
  clock?: Clock;
  /** Who calls the management API; when set, passing a role checks iam:PassRole. */
  callerIdentity?: CallerIdentity;
  /** Push dispatcher: retry delays, throttle backoff, concurrency; see {@link AsyncInvocationOptions}. */
  asyncInvocation?: Partial<AsyncInvocationOptions>;
  /** Stored function logs (`engine.logs`): retention of new groups, storing at all; see {@link LogsOptions}. */
  logs?: LogsOptions;
  /** Metrics: rollup retention, recording at all; see {@link MetricsOptions}. */
  metrics?: Partial<MetricsOptions>;
}

export interface ResolvedOptions {
  readonly location: string | undefined;
  readonly region: string;
  readonly accountId: string;
  readonly quotas: Readonly<Quotas>;
  readonly clock: Clock;
  readonly callerIdentity: CallerIdentity | undefined;
  readonly asyncInvocation: Readonly<AsyncInvocationOptions>;
  readonly logs: ResolvedLogsOptions;
  readonly metrics: Readonly<MetricsOptions>;
}

export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_ACCOUNT_ID = '000000000000';
const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d{1,2}$/;

const ENGINE_OPTIONS = {
  location: anyValue(),
  region: anyValue(),
  accountId: anyValue(),
  quotas: anyValue<Partial<Quotas>>(),
  clock: anyValue<Clock>(),
  callerIdentity: callerIdentity,
  asyncInvocation: anyValue<Partial<AsyncInvocationOptions>>(),
  logs: anyValue<LogsOptions>(),
  metrics: anyValue<Partial<MetricsOptions>>(),
} as const;

/** `{ policies, arn? }` or `{ roleArn }`; what is inside the policies is checked where they are evaluated. */
function callerIdentity(value: unknown, path: string): CallerIdentity {
  const shape = `${path} must be { policies, arn? } or { roleArn }`;
  if (!isPlainObject(value))
    throw new LambdaliteError('InvalidArgument', `${shape}, got ${showValue(value)}`);
  const keys = Object.keys(value).sort().join(',');
  if (keys === 'roleArn' && typeof value.roleArn === 'string') return value as CallerIdentity;
  const policiesOk = typeof value.policies === 'object' && value.policies !== null;
  const arnOk = value.arn === undefined || typeof value.arn === 'string';
  if ((keys === 'policies' || keys === 'arn,policies') && policiesOk && arnOk) return value as CallerIdentity;
  throw new LambdaliteError('InvalidArgument', `${shape}, got ${showValue(value)}`);
}

export function resolveOptions(rawOptions?: EngineOptions): ResolvedOptions {
  const options = readOptions(rawOptions, ENGINE_OPTIONS, 'InvalidArgument');
  const {
    location,
    region = DEFAULT_REGION,
    accountId = DEFAULT_ACCOUNT_ID,
    clock = new SystemClock(),
  } = options;
  if (location !== undefined && (typeof location !== 'string' || location.length === 0)) {
    throw new LambdaliteError(
      'InvalidArgument',
      `options.location must be a non-empty directory path, got ${JSON.stringify(location)}`,
    );
  }
  if (typeof region !== 'string' || !REGION_PATTERN.test(region)) {
    throw new LambdaliteError(
      'InvalidArgument',
      `options.region must look like 'us-east-1', got ${JSON.stringify(region)}`,
    );
  }
  if (typeof accountId !== 'string' || !/^\d{12}$/.test(accountId)) {
    throw new LambdaliteError(
      'InvalidArgument',
      `options.accountId must be 12 digits, got ${JSON.stringify(accountId)}`,
    );
  }
  if (
    typeof clock?.now !== 'function' ||
    typeof clock.setTimeout !== 'function' ||
    typeof clock.clearTimeout !== 'function'
  ) {
    throw new LambdaliteError(
      'InvalidArgument',
      'options.clock must implement now(), setTimeout() and clearTimeout()',
    );
  }
  const asyncInvocation = resolveAsyncInvocationOptions(options.asyncInvocation);
  const metrics = resolveMetricsOptions(options.metrics);
  return {
    location: location as string | undefined,
    region,
    accountId,
    quotas: resolveQuotas(options.quotas),
    clock,
    callerIdentity: options.callerIdentity,
    asyncInvocation,
    logs: resolveLogsOptions(options.logs),
    metrics,
  };
}

export type EngineStatus = 'opening' | 'open' | 'closing' | 'closed';

/** Tracks the engine's status and the close hooks services register. */
export class Lifecycle {
  #status: EngineStatus = 'opening';
  readonly #hooks: Array<() => Promise<void> | void> = [];
  #closing: Promise<void> | undefined;

  get status(): EngineStatus {
    return this.#status;
  }

  markOpen(): void {
    this.#status = 'open';
  }

  /** Throws `EngineClosed` unless the engine is open (or still opening, for internal set-up). */
  assertOpen(): void {
    if (this.#status === 'closing' || this.#status === 'closed') {
      throw new LambdaliteError(
        'EngineClosed',
        `the engine is ${this.#status}; create a new engine to continue`,
      );
    }
  }

  /** Registers work to run on close; hooks run in reverse order of registration. */
  onClose(hook: () => Promise<void> | void): void {
    this.#hooks.push(hook);
  }

  /** Runs the close hooks once; later calls return the same promise. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#status = 'closing';
      const errors: unknown[] = [];
      for (const hook of [...this.#hooks].reverse()) {
        try {
          await hook();
        } catch (err) {
          errors.push(err);
        }
      }
      this.#status = 'closed';
      if (errors.length > 0) throw new AggregateError(errors, 'errors while closing the engine');
    })();
    return this.#closing;
  }
}

export interface EngineContext {
  readonly options: ResolvedOptions;
  readonly region: string;
  readonly accountId: string;
  readonly quotas: Readonly<Quotas>;
  readonly clock: Clock;
  readonly storage: Storage;
  /** Refuses producers' writes while too many bytes of them are in flight. */
  readonly backpressure: Backpressure;
  readonly arns: Arns;
  readonly events: EventHub;
  readonly lifecycle: Lifecycle;
}

export function createContext(
  options: ResolvedOptions,
  storage: Storage,
  events: EventHub,
  lifecycle: Lifecycle,
): EngineContext {
  return {
    options,
    region: options.region,
    accountId: options.accountId,
    quotas: options.quotas,
    clock: options.clock,
    storage,
    backpressure: new Backpressure(options.quotas.writeBacklogBytes),
    arns: new Arns(options.region, options.accountId),
    events,
    lifecycle,
  };
}
