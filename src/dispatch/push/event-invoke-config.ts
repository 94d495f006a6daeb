/**
 * PutFunctionEventInvokeConfig / Get / Delete: retry and age limits and destinations per
 * function, persisted and cached. Every write of this engine goes through here; a shared store
 * (the JetStream backend) also reports the writes of other engine processes, which replace the
 * cached entry, so the cache stays true.
 */

import type { EngineContext } from '../../context.js';
import { LambdaliteError } from '../../errors.js';
import { delOp, putOp, type Storage, type Sub } from '../../storage/storage.js';
import { anyValue, readOptions } from '../../validation/options.js';
import { parseDestinationArn } from './destinations.js';
import type { EventInvokeConfigRecords } from './queue-backend.js';
import type { EventInvokeConfig, EventInvokeConfigInput } from './types.js';

export const EVENT_AGE_MIN_SEC = 60;
export const EVENT_AGE_MAX_SEC = 21_600;
const KNOWN = {
  maximumRetryAttempts: anyValue<number>(),
  maximumEventAgeSec: anyValue<number>(),
  onSuccess: anyValue<string>(),
  onFailure: anyValue<string>(),
} as const;

function invalid(message: string): never {
  throw new LambdaliteError('InvalidParameterValueException', message);
}

/** The config used for a function that has none. */
export function defaultEventInvokeConfig(ctx: EngineContext, functionName: string): EventInvokeConfig {
  return {
    functionName,
    maximumRetryAttempts: Math.min(2, ctx.quotas.asyncMaxRetryAttempts),
    maximumEventAgeSec: EVENT_AGE_MAX_SEC,
    lastModified: 0,
  };
}

export function validateEventInvokeConfig(
  ctx: EngineContext,
  functionName: string,
  input: EventInvokeConfigInput,
): EventInvokeConfig {
  if (input === undefined) invalid('event invoke config must be an object');
  const checked = readOptions(input, KNOWN, 'InvalidParameterValueException', { label: 'config' });
  const config = defaultEventInvokeConfig(ctx, functionName);
  const { maximumRetryAttempts, maximumEventAgeSec, onSuccess, onFailure } = checked;
  const maxRetries = ctx.quotas.asyncMaxRetryAttempts;
  if (maximumRetryAttempts !== undefined) {
    if (
      !Number.isInteger(maximumRetryAttempts) ||
      maximumRetryAttempts < 0 ||
      maximumRetryAttempts > maxRetries
    ) {
      invalid(
        `maximumRetryAttempts must be an integer between 0 and ${maxRetries}, got ${JSON.stringify(maximumRetryAttempts)}`,
      );
    }
    config.maximumRetryAttempts = maximumRetryAttempts;
  }
  if (maximumEventAgeSec !== undefined) {
    if (
      !Number.isInteger(maximumEventAgeSec) ||
      maximumEventAgeSec < EVENT_AGE_MIN_SEC ||
      maximumEventAgeSec > EVENT_AGE_MAX_SEC
    ) {
      invalid(
        `maximumEventAgeSec must be an integer between ${EVENT_AGE_MIN_SEC} and ${EVENT_AGE_MAX_SEC}, got ${JSON.stringify(maximumEventAgeSec)}`,
      );
    }
    config.maximumEventAgeSec = maximumEventAgeSec;
  }
  if (onSuccess !== undefined) {
    const target = parseDestinationArn(ctx, onSuccess, 'onSuccess');
    if (target.kind === 'bucket')
      invalid(`onSuccess cannot be an S3 bucket (failure destinations only), got '${onSuccess}'`);
    config.onSuccess = onSuccess;
  }
  if (onFailure !== undefined) {
    parseDestinationArn(ctx, onFailure, 'onFailure');
    config.onFailure = onFailure;
  }
  config.lastModified = ctx.clock.now();
  return config;
}

/** The embedded store: the queue's `push-config` sublevel of the engine's LevelDB. */
export class LevelInvokeConfigRecords implements EventInvokeConfigRecords {
  readonly #storage: Storage;
  readonly #configs: Sub<EventInvokeConfig>;

  constructor(storage: Storage, configs: Sub<EventInvokeConfig>) {
    this.#storage = storage;
    this.#configs = configs;
  }

  async get(functionName: string): Promise<EventInvokeConfig | undefined> {
    return (await this.#configs.get(functionName)) ?? undefined;
  }

  async put(config: EventInvokeConfig): Promise<void> {
    await this.#storage.batch([putOp(this.#configs, config.functionName, config)]);
  }

  async delete(functionName: string): Promise<void> {
    await this.#storage.batch([delOp(this.#configs, functionName)]);
  }
}

export class EventInvokeConfigs {
  readonly #cache = new Map<string, EventInvokeConfig | null>();

  constructor(
    private readonly ctx: EngineContext,
    private readonly records: EventInvokeConfigRecords,
  ) {
    // Another process's write replaces the cached entry (the store's watch skips this one's own).
    records.changes$?.subscribe(({ functionName, config }) => {
      this.#cache.set(functionName, config ?? null);
    });
  }

  async put(functionName: string, input: EventInvokeConfigInput): Promise<EventInvokeConfig> {
    const config = validateEventInvokeConfig(this.ctx, functionName, input);
    await this.records.put(config);
    this.#settled(functionName, config);
    return { ...config };
  }

  /** The stored config, or undefined when the function has none. */
  async get(functionName: string): Promise<EventInvokeConfig | undefined> {
    let config = this.#cache.get(functionName);
    if (config === undefined) {
      config = (await this.records.get(functionName)) ?? null;
      // A change watched during the read is newer than what the read found.
      if (!this.#cache.has(functionName)) this.#cache.set(functionName, config);
    }
    return config === null ? undefined : { ...config };
  }

  /** The config the dispatcher applies: the stored one or the defaults. */
  async effective(functionName: string): Promise<EventInvokeConfig> {
    return (await this.get(functionName)) ?? defaultEventInvokeConfig(this.ctx, functionName);
  }

  async delete(functionName: string): Promise<void> {
    await this.records.delete(functionName);
    this.#settled(functionName, null);
  }

  /**
   * After this engine's write: cache what it wrote. With a shared store another process may have
   * written after it (and its change have been watched meanwhile), so the entry is dropped
   * instead and the next read asks the store.
   */
  #settled(functionName: string, config: EventInvokeConfig | null): void {
    if (this.records.changes$ === undefined) this.#cache.set(functionName, config);
    else this.#cache.delete(functionName);
  }
}
