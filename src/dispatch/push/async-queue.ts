/**
 * The push side's machinery: a durable queue of asynchronous invocations (invoke Event, bucket
 * notifications, function destinations), its dispatcher, per-function event invoke config, and
 * the dead-letter store. Internal: the engine's facades (`functions.invoke` with Event,
 * `engine.asyncInvocations`) check names, existence and IAM before they reach it. The queue
 * layout lives in store.ts, one delivery in delivery.ts, scheduling in dispatcher.ts.
 */
import { FUNCTION_NAME, functionNameOfArn } from '../../arn.js';
import type { NotificationDelivery, NotificationSink } from '../../buckets/notification-sink.js';
import type { EngineContext } from '../../context.js';
import { LambdaliteError, type Verdict } from '../../errors.js';
import type { FunctionInvoker } from '../../functions/invoker.js';
import { assertPayloadSize, serialisePayload } from '../../payload.js';
import type { BatchOp } from '../../storage/storage.js';
import { showValue } from '../../validation/text.js';
import { deliverSafely, type FunctionConcurrencyInfo, newEntry } from './delivery.js';
import type { DestinationTargets } from './destinations.js';
import { EventInvokeConfigs, LevelInvokeConfigRecords } from './event-invoke-config.js';
import { type DriverDeps, LevelQueueDriver } from './level-queue.js';
import type { AsyncInvocationOptions } from './options.js';
import type { PushQueueBackend, PushQueueDriver, PushQueueHost, QueuedItem } from './queue-backend.js';
import { QueueStore } from './store.js';
import type { DeadLetter, EventInvokeConfig, EventInvokeConfigInput, QueueEntry } from './types.js';

function checkName(functionName: unknown): string {
  if (typeof functionName !== 'string' || !FUNCTION_NAME.test(functionName)) {
    throw new LambdaliteError(
      'InvalidParameterValueException',
      `functionName must be 1-64 characters [a-zA-Z0-9-_], got ${JSON.stringify(functionName)}`,
    );
  }
  return functionName;
}

/** A dead letter back as a fresh entry: same request id, no attempts, age counted from now. */
function redriven(now: number, letter: DeadLetter): QueueEntry {
  const entry = newEntry(now, letter.functionName, letter.payload, letter.source, letter.requestId);
  if (letter.invocationRole !== undefined) entry.invocationRole = letter.invocationRole;
  return entry;
}

export interface EnqueueOptions {
  /** Recorded on the entry and in events; default 'invoke'. */
  source?: string;
}

/**
 * A check run before each delivery attempt (the engine's IAM enforcement); a refusal is a
 * failed attempt, so revoking a permission stops delivery and the event ends in the failure path.
 */
export type DeliveryAuthorizer = (entry: QueueEntry) => Promise<Verdict>;

/** What the queue is built with. */
export interface AsyncQueueDeps {
  /** The function runtime the dispatcher delivers to. */
  readonly invoker: FunctionInvoker;
  /** Reserved concurrency per function (0 sends events straight to the failure path). */
  readonly concurrency?: FunctionConcurrencyInfo;
  /** Stream and bucket destinations. */
  readonly targets: DestinationTargets;
  readonly authorize?: DeliveryAuthorizer;
  /** Where entries live and who delivers them; absent: the engine's LevelDB (level-queue.ts). */
  readonly backend?: PushQueueBackend;
}

/** What a backend's driver is given: deliveries over these deps, and the engine's bounds. */
function hostOver(deps: DriverDeps): PushQueueHost {
  const { ctx, options } = deps;
  return {
    clock: ctx.clock,
    deliver: (entry, store, write) =>
      deliverSafely({ ...deps, store, write, queued: () => undefined }, entry),
    overall: () => Math.min(options.maxConcurrency, ctx.quotas.accountConcurrency),
    // As the embedded dispatcher: the per-function bound lowered to reserved concurrency (0 is
    // not a cap: such events go straight to the failure path).
    cap: (name) => {
      const reserved = deps.concurrency?.reservedConcurrency(name);
      const perFunction = options.maxConcurrencyPerFunction;
      return reserved === undefined || reserved === 0 ? perFunction : Math.min(perFunction, reserved);
    },
    reserved: (name) => deps.concurrency?.reservedConcurrency(name),
    load: (name) => deps.concurrency?.load?.(name),
    closeDrainMs: options.closeDrainMs,
  };
}

/** @internal the engine's push machinery (see the file comment). */
export class AsyncQueue implements NotificationSink {
  readonly #ctx: EngineContext;
  readonly #configs: EventInvokeConfigs;
  readonly #driver: PushQueueDriver;
  /** Entries (and their payload's JSON) queued by deliveryOps, until their batch commits. */
  readonly #pendingNotifications = new WeakMap<NotificationDelivery, QueuedItem>();

  constructor(ctx: EngineContext, options: Readonly<AsyncInvocationOptions>, deps: AsyncQueueDeps) {
    this.#ctx = ctx;
    const store = new QueueStore(ctx.storage);
    // Event invoke configs: shared by every process when the backend keeps them, else LevelDB.
    this.#configs = new EventInvokeConfigs(
      ctx,
      deps.backend?.invokeConfigs ?? new LevelInvokeConfigRecords(ctx.storage, store.configs),
    );
    const authorize = deps.authorize;
    const driverDeps: DriverDeps = {
      ctx,
      configs: this.#configs,
      options,
      invoker: deps.invoker,
      concurrency: deps.concurrency,
      targets: deps.targets,
      ...(authorize ? { authorize } : {}),
    };
    this.#driver = deps.backend?.open(hostOver(driverDeps)) ?? new LevelQueueDriver(driverDeps, store);
    ctx.lifecycle.onClose(() => this.#driver.close());
  }

  /** Starts dispatching: entries stored by an earlier run, and every one queued since. */
  start(): void {
    this.#driver.start();
  }

  /**
   * Durably queues one asynchronous invocation and resolves with its request id once the entry
   * is on disk (the moment AWS answers 202). The caller checked that the function exists and
   * that it may invoke it.
   */
  async enqueue(
    functionName: string,
    payload: unknown,
    options: EnqueueOptions = {},
  ): Promise<{ requestId: string }> {
    this.#ctx.lifecycle.assertOpen();
    checkName(functionName);
    const text = serialisePayload(payload);
    assertPayloadSize(this.#ctx.quotas, text, 'Event');
    const entry = newEntry(this.#ctx.clock.now(), functionName, JSON.parse(text), options.source ?? 'invoke');
    const items = [{ entry, payloadJson: text }];
    await this.#driver.put(items);
    this.#ctx.events.emit('async.enqueued', {
      requestId: entry.requestId,
      functionName,
      source: entry.source,
    });
    this.#driver.handOver(items);
    return { requestId: entry.requestId };
  }

  /** NotificationSink: the ops that queue one `{ Records: [record] }` event per delivery. */
  deliveryOps(deliveries: readonly NotificationDelivery[]): BatchOp[] {
    const now = this.#ctx.clock.now();
    return deliveries.flatMap((delivery) => {
      const payload = { Records: [delivery.record] };
      const entry = newEntry(now, checkName(functionNameOfArn(delivery.functionArn)), payload, 'aws:s3');
      if (delivery.invocationRole !== undefined) entry.invocationRole = delivery.invocationRole;
      // Serialised once: stored inside the entry and, handed over, sent to the function as is.
      const item = { entry, payloadJson: JSON.stringify(payload) };
      this.#pendingNotifications.set(delivery, item);
      return this.#driver.putOps([item]);
    });
  }

  /**
   * NotificationSink: the batch with those ops committed; announce and dispatch them once the
   * driver has them queued for delivery (at once embedded; published to the cluster on
   * JetStream, which keeps them in LevelDB until then and publishes what is left at the next open).
   */
  committed(deliveries: readonly NotificationDelivery[]): void {
    const items: QueuedItem[] = [];
    for (const delivery of deliveries) {
      const pending = this.#pendingNotifications.get(delivery);
      if (!pending) continue;
      this.#pendingNotifications.delete(delivery);
      items.push(pending);
    }
    if (items.length === 0) return;
    const announce = (): void => {
      for (const { entry } of items) {
        this.#ctx.events.emit('async.enqueued', {
          requestId: entry.requestId,
          functionName: entry.functionName,
          source: entry.source,
        });
      }
      this.#driver.handOver(items);
    };
    const queued = this.#driver.committed(items);
    // Embedded the entries are queued already: announced synchronously, as before the seam.
    if (queued === undefined) announce();
    else queued.then(announce, () => undefined);
  }

  /** Replaces the function's config (AWS Put semantics: omitted fields take their defaults). */
  async putEventInvokeConfig(
    functionName: string,
    config: EventInvokeConfigInput,
  ): Promise<EventInvokeConfig> {
    this.#ctx.lifecycle.assertOpen();
    return this.#configs.put(checkName(functionName), config);
  }

  /** The function's config; `ResourceNotFoundException` when none was put. */
  async getEventInvokeConfig(functionName: string): Promise<EventInvokeConfig> {
    this.#ctx.lifecycle.assertOpen();
    const config = await this.#configs.get(checkName(functionName));
    if (!config) {
      throw new LambdaliteError(
        'ResourceNotFoundException',
        `The function ${functionName} has no event invoke config`,
        { statusCode: 404 },
      );
    }
    return config;
  }

  async deleteEventInvokeConfig(functionName: string): Promise<void> {
    await this.getEventInvokeConfig(functionName);
    await this.#configs.delete(functionName);
  }

  /** Failed events of a function kept in the dead-letter store, oldest failure first. */
  async deadLetters(functionName: string): Promise<DeadLetter[]> {
    this.#ctx.lifecycle.assertOpen();
    const letters = await this.#driver.deadLetters(checkName(functionName));
    return letters.sort((a, b) => a.failedAt - b.failedAt || a.requestId.localeCompare(b.requestId));
  }

  /**
   * Re-queues dead letters (all of the function's, or those named) with a fresh attempt count
   * and age, keeping their request ids. Removal and re-queue are one batch.
   */
  async redrive(functionName: string, requestIds?: readonly string[]): Promise<{ requestIds: string[] }> {
    this.#ctx.lifecycle.assertOpen();
    if (
      requestIds !== undefined &&
      (!Array.isArray(requestIds) || requestIds.some((id) => typeof id !== 'string'))
    ) {
      throw new LambdaliteError(
        'InvalidParameterValueException',
        `requestIds must be an array of request id strings, got ${showValue(requestIds)}`,
      );
    }
    const letters = await this.deadLetters(functionName);
    const wanted = requestIds === undefined ? undefined : new Set(requestIds);
    const chosen = wanted ? letters.filter((l) => wanted.has(l.requestId)) : letters;
    if (wanted) {
      const missing = [...wanted].filter((id) => !chosen.some((l) => l.requestId === id));
      if (missing.length > 0) {
        throw new LambdaliteError(
          'ResourceNotFoundException',
          `no dead letter of function ${functionName} has request id ${missing.map((m) => `'${m}'`).join(', ')}`,
          { statusCode: 404 },
        );
      }
    }
    const now = this.#ctx.clock.now();
    await this.#driver.redrive(
      chosen,
      chosen.map((letter) => redriven(now, letter)),
    );
    const ids = chosen.map((l) => l.requestId);
    if (ids.length > 0) this.#ctx.events.emit('async.redriven', { functionName, requestIds: ids });
    this.#driver.wake(functionName);
    return { requestIds: ids };
  }

  /** Events waiting in the queue (due or scheduled), all functions. */
  pendingCount(): Promise<number> {
    return this.#driver.pendingCount();
  }

  /**
   * Resolves when the dispatcher is quiet: no scan running, no invocation in flight, and the
   * timer for the next scheduled retry armed. Tests await it before moving a manual clock.
   */
  idle(): Promise<void> {
    return this.#driver.idle();
  }

  /** Invocations running right now. */
  get inFlight(): number {
    return this.#driver.inFlight;
  }
}
