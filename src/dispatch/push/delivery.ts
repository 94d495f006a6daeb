/**
 * One delivery of one queued event: age check, one invocation, then exactly one batch that
 * records what happened (removed, rescheduled, handed to a destination or dead-lettered).
 */
import { randomUUID } from 'node:crypto';
import type { EngineContext } from '../../context.js';
import { isLambdaliteError } from '../../errors.js';
import type { FunctionInvoker, InvocationOutcome } from '../../functions/invoker.js';
import type { BatchOp } from '../../storage/storage.js';
import type { AsyncFailureCondition } from '../events.js';
import { afterFunctionError, afterThrottle, isExpired } from '../retry.js';
import {
  buildDestinationRecord,
  type DestinationCondition,
  type DestinationRecord,
  type DestinationTargets,
  destinationObjectKey,
  parseDestinationArn,
} from './destinations.js';
import type { EventInvokeConfigs } from './event-invoke-config.js';
import type { AsyncInvocationOptions } from './options.js';
import type { QueueStore } from './store.js';
import type { EventInvokeConfig, QueueEntry } from './types.js';

/** What the dispatcher needs to know about a function besides invoking it. */
export interface FunctionConcurrencyInfo {
  /** Reserved concurrency of the function, undefined when none is set. */
  reservedConcurrency(functionName: string): number | undefined;
}

export interface DeliveryDeps {
  ctx: EngineContext;
  store: QueueStore;
  configs: EventInvokeConfigs;
  options: Readonly<AsyncInvocationOptions>;
  invoker: FunctionInvoker;
  concurrency: FunctionConcurrencyInfo | undefined;
  targets: DestinationTargets;
  /** Writes one logical batch (group-committed with others); resolves once durable. */
  write(ops: readonly BatchOp[]): Promise<void>;
  /** Tells the dispatcher a function got a new entry (a function destination). */
  queued(functionName: string): void;
}

/** A new queue entry, due now. */
export function newEntry(
  now: number,
  functionName: string,
  payload: unknown,
  source: string,
  requestId: string = randomUUID(),
): QueueEntry {
  return {
    requestId,
    functionName,
    payload,
    source,
    enqueuedAt: now,
    attempts: 0,
    throttles: 0,
    nextAttemptAt: now,
  };
}

function errorText(outcome: InvocationOutcome): string {
  const p = outcome.payload as { errorType?: unknown; errorMessage?: unknown } | undefined;
  const type = typeof p?.errorType === 'string' ? p.errorType : (outcome.functionError ?? 'Error');
  const message = typeof p?.errorMessage === 'string' ? p.errorMessage : '';
  return message ? `${type}: ${message}` : type;
}

export async function deliver(deps: DeliveryDeps, entry: QueueEntry): Promise<void> {
  const { ctx, invoker } = deps;
  const { requestId, functionName } = entry;
  const config = await deps.configs.effective(functionName);
  const maximumAgeMs = config.maximumEventAgeSec * 1000;
  if (isExpired(entry.enqueuedAt, ctx.clock.now(), maximumAgeMs)) {
    return giveUp(deps, entry, config, 'EventAgeExceeded', undefined);
  }
  // AWS: reserved concurrency 0 sends async events straight to the failure path, no retries.
  if (deps.concurrency?.reservedConcurrency(functionName) === 0) {
    const failed = { ...entry, lastError: 'function reserved concurrency is 0' };
    return giveUp(deps, failed, config, 'RetriesExhausted', undefined);
  }
  let outcome: InvocationOutcome;
  try {
    outcome = await invoker.invoke({
      functionName,
      payload: entry.payload,
      requestId,
      invocationType: 'Event',
    });
  } catch (err) {
    const reason =
      err instanceof Error ? `${isLambdaliteError(err) ? err.code : err.name}: ${err.message}` : String(err);
    if (isLambdaliteError(err, 'ResourceNotFoundException')) {
      ctx.events.emit('async.attempt', {
        requestId,
        functionName,
        attempt: entry.attempts + 1,
        outcome: 'not-found',
      });
      return giveUp(deps, { ...entry, lastError: reason }, config, 'RetriesExhausted', undefined);
    }
    return backOff(deps, entry, config, reason, isLambdaliteError(err, 'TooManyRequestsException'));
  }
  const attempts = entry.attempts + 1;
  if (outcome.functionError === undefined) {
    ctx.events.emit('async.attempt', { requestId, functionName, attempt: attempts, outcome: 'success' });
    return succeed(deps, { ...entry, attempts }, config, outcome);
  }
  ctx.events.emit('async.attempt', { requestId, functionName, attempt: attempts, outcome: 'function-error' });
  const failed: QueueEntry = { ...entry, attempts, throttles: 0, lastError: errorText(outcome) };
  const now = ctx.clock.now();
  const decision = afterFunctionError(deps.options, {
    attempts,
    maximumRetryAttempts: config.maximumRetryAttempts,
    enqueuedAt: entry.enqueuedAt,
    maximumAgeMs,
    now,
  });
  if (decision.kind === 'give-up') return giveUp(deps, failed, config, decision.condition, outcome);
  const next: QueueEntry = { ...failed, nextAttemptAt: now + decision.delayMs };
  await deps.write(deps.store.rescheduleOps(entry, next));
  ctx.events.emit('async.retry-scheduled', {
    requestId,
    functionName,
    attempts,
    delayMs: decision.delayMs,
    nextAttemptAt: next.nextAttemptAt,
  });
}

/** Throttle or service error: back to the queue without using an attempt, until the age limit. */
async function backOff(
  deps: DeliveryDeps,
  entry: QueueEntry,
  config: EventInvokeConfig,
  reason: string,
  throttled: boolean,
): Promise<void> {
  const { ctx } = deps;
  const now = ctx.clock.now();
  const throttles = entry.throttles + 1;
  const decision = afterThrottle(deps.options, {
    throttles,
    enqueuedAt: entry.enqueuedAt,
    maximumAgeMs: config.maximumEventAgeSec * 1000,
    now,
  });
  if (decision.kind === 'give-up')
    return giveUp(deps, { ...entry, lastError: reason }, config, decision.condition, undefined);
  const next: QueueEntry = { ...entry, throttles, lastError: reason, nextAttemptAt: now + decision.delayMs };
  await deps.write(deps.store.rescheduleOps(entry, next));
  ctx.events.emit('async.throttled', {
    requestId: entry.requestId,
    functionName: entry.functionName,
    throttles,
    delayMs: decision.delayMs,
    reason: throttled ? reason : `service error (${reason})`,
  });
}

async function succeed(
  deps: DeliveryDeps,
  entry: QueueEntry,
  config: EventInvokeConfig,
  outcome: InvocationOutcome,
): Promise<void> {
  const { ctx, store } = deps;
  const base = { requestId: entry.requestId, functionName: entry.functionName, attempts: entry.attempts };
  if (config.onSuccess === undefined) {
    await deps.write(store.removeEntryOps(entry));
    ctx.events.emit('async.succeeded', base);
    return;
  }
  const record = recordFor(deps, entry, 'Success', outcome);
  const result = await toDestination(deps, entry, config.onSuccess, record);
  ctx.events.emit('async.succeeded', { ...base, destination: config.onSuccess, ...result });
}

async function giveUp(
  deps: DeliveryDeps,
  entry: QueueEntry,
  config: EventInvokeConfig,
  condition: AsyncFailureCondition,
  outcome: InvocationOutcome | undefined,
): Promise<void> {
  const { ctx, store } = deps;
  const base = {
    requestId: entry.requestId,
    functionName: entry.functionName,
    condition,
    attempts: entry.attempts,
  };
  const letter = (destinationError?: string) =>
    store.putDeadLetterOps({
      requestId: entry.requestId,
      functionName: entry.functionName,
      payload: entry.payload,
      source: entry.source,
      condition,
      attempts: entry.attempts,
      ...(entry.lastError === undefined ? {} : { lastError: entry.lastError }),
      enqueuedAt: entry.enqueuedAt,
      failedAt: ctx.clock.now(),
      ...(destinationError === undefined ? {} : { destinationError }),
    });
  if (config.onFailure === undefined) {
    await deps.write([...store.removeEntryOps(entry), ...letter()]);
    ctx.events.emit('async.failed', { ...base, destination: 'dead-letter' });
    return;
  }
  const record = recordFor(deps, entry, condition, outcome);
  const result = await toDestination(deps, entry, config.onFailure, record, letter);
  ctx.events.emit('async.failed', {
    ...base,
    destination: result.destinationError === undefined ? config.onFailure : 'dead-letter',
    ...result,
  });
}

function recordFor(
  deps: DeliveryDeps,
  entry: QueueEntry,
  condition: DestinationCondition,
  outcome: InvocationOutcome | undefined,
): DestinationRecord {
  return buildDestinationRecord(deps.ctx, {
    requestId: entry.requestId,
    functionName: entry.functionName,
    condition,
    approximateInvokeCount: entry.attempts,
    requestPayload: entry.payload,
    ...(outcome === undefined ? {} : { outcome }),
    now: deps.ctx.clock.now(),
  });
}

/**
 * Hands the record to its destination and removes the entry. A function destination is a new
 * entry of this queue, written in the SAME batch as the removal. A stream or bucket is written
 * first and the entry removed after (at-least-once: a crash in between redelivers the event and
 * may write the record twice). If the target refuses, `fallback` ops (the dead-letter) join the
 * removal so the event is never dropped.
 */
async function toDestination(
  deps: DeliveryDeps,
  entry: QueueEntry,
  arn: string,
  record: DestinationRecord,
  fallback?: (destinationError: string) => BatchOp[],
): Promise<{ destinationError?: string }> {
  const { ctx, store } = deps;
  const removal = store.removeEntryOps(entry);
  const target = parseDestinationArn(ctx, arn, 'destination');
  if (target.kind === 'function') {
    const next = newEntry(ctx.clock.now(), target.name, record, 'destination');
    await deps.write([...removal, ...store.putEntryOps(next)]);
    ctx.events.emit('async.enqueued', {
      requestId: next.requestId,
      functionName: next.functionName,
      source: next.source,
    });
    deps.queued(next.functionName);
    return {};
  }
  const body = Buffer.from(JSON.stringify(record));
  try {
    if (target.kind === 'stream') await deps.targets.putStreamRecord(target.name, entry.requestId, body);
    else
      await deps.targets.putBucketObject(
        target.name,
        destinationObjectKey(entry.functionName, ctx.clock.now(), entry.requestId),
        body,
      );
  } catch (err) {
    const destinationError = `${arn}: ${err instanceof Error ? err.message : String(err)}`;
    await deps.write([...removal, ...(fallback?.(destinationError) ?? [])]);
    return { destinationError };
  }
  await deps.write(removal);
  return {};
}
