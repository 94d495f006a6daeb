/**
 * How a delivery ends when the event leaves the queue: success (with its on-success record),
 * or giving up (on-failure record or dead letter). Each is one batch with the entry's removal,
 * except stream and bucket destinations, written first (at-least-once, see toDestination).
 */

import type { InvocationOutcome } from '../../functions/invoker.js';
import type { AsyncFailureCondition } from '../events.js';
import type { DeliveryDeps, QueueOp } from './delivery-deps.js';
import {
  buildDestinationRecord,
  type DestinationCondition,
  type DestinationRecord,
  destinationObjectKey,
  parseDestinationArn,
} from './destinations.js';
import { newEntry } from './entry.js';
import type { EventInvokeConfig, QueueEntry } from './types.js';

export async function succeed(
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

export async function giveUp(
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
      ...(entry.invocationRole === undefined ? {} : { invocationRole: entry.invocationRole }),
      condition,
      attempts: entry.attempts,
      ...(entry.lastError === undefined ? {} : { lastError: entry.lastError }),
      enqueuedAt: entry.enqueuedAt,
      failedAt: ctx.clock.now(),
      ...(destinationError === undefined ? {} : { destinationError }),
    });
  if (config.onFailure === undefined) {
    await writeDeadLetter(deps, entry, [...store.removeEntryOps(entry, true), ...letter()]);
    ctx.events.emit('async.failed', { ...base, destination: 'dead-letter' });
    return;
  }
  const record = recordFor(deps, entry, condition, outcome);
  const result = await toDestination(deps, entry, config.onFailure, record, letter, true);
  ctx.events.emit('async.failed', {
    ...base,
    destination: result.destinationError === undefined ? config.onFailure : 'dead-letter',
    ...result,
  });
}

/** Writes a batch holding a dead letter; a failure is announced (DeadLetterErrors) and rethrown. */
async function writeDeadLetter(deps: DeliveryDeps, entry: QueueEntry, ops: QueueOp[]): Promise<void> {
  try {
    await deps.write(ops);
  } catch (err) {
    deps.ctx.events.emit('async.dead-letter-failed', {
      requestId: entry.requestId,
      functionName: entry.functionName,
      message: err instanceof Error ? err.message : String(err),
    });
    throw err;
  }
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
  fallback?: (destinationError: string) => QueueOp[],
  failed = false,
): Promise<{ destinationError?: string }> {
  const { ctx, store } = deps;
  const removal = store.removeEntryOps(entry, failed);
  const refused = async (err: unknown) => {
    const destinationError = `${arn}: ${err instanceof Error ? err.message : String(err)}`;
    if (fallback) await writeDeadLetter(deps, entry, [...removal, ...fallback(destinationError)]);
    else await deps.write(removal);
    return { destinationError };
  };
  let target: ReturnType<typeof parseDestinationArn>;
  try {
    // Validated at put time; it can only fail if the engine reopened with another region/account.
    target = parseDestinationArn(ctx, arn, 'destination');
  } catch (err) {
    return refused(err);
  }
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
    return refused(err);
  }
  await deps.write(removal);
  return {};
}
