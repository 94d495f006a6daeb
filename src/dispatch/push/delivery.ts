/**
 * One delivery of one queued event: age check, one invocation, then exactly one batch that
 * records what happened (removed, rescheduled, handed to a destination or dead-lettered).
 */
import { isLambdaliteError } from '../../errors.js';
import type { InvocationOutcome } from '../../functions/invoker.js';

export { newEntry } from './entry.js';

import { afterFunctionError, afterThrottle, isExpired } from '../retry.js';
import type { DeliveryDeps } from './delivery-deps.js';

export type { DeliveryDeps, FunctionConcurrencyInfo } from './delivery-deps.js';

import { giveUp, succeed } from './settle.js';
import type { EventInvokeConfig, QueueEntry } from './types.js';

function errorText(outcome: InvocationOutcome): string {
  const p = outcome.payload as { errorType?: unknown; errorMessage?: unknown } | undefined;
  const type = typeof p?.errorType === 'string' ? p.errorType : (outcome.functionError ?? 'Error');
  const message = typeof p?.errorMessage === 'string' ? p.errorMessage : '';
  return message ? `${type}: ${message}` : type;
}

/**
 * One attempt at delivering `entry`. `payloadJson`, when given, is the JSON of its payload (the
 * engine had it already): the runtime sends it as is.
 */
export async function deliver(deps: DeliveryDeps, entry: QueueEntry, payloadJson?: string): Promise<void> {
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
  const verdict = await deps.authorize?.(entry);
  if (verdict !== undefined && !verdict.allowed) {
    const lastError = `${verdict.code}: ${verdict.reason}`;
    const failed: QueueEntry = { ...entry, attempts: entry.attempts + 1, throttles: 0, lastError };
    return failedAttempt(
      deps,
      entry,
      failed,
      config,
      'access-denied',
      undefined,
      ctx.clock.now() - entry.enqueuedAt,
    );
  }
  const eventAgeMs = ctx.clock.now() - entry.enqueuedAt;
  let outcome: InvocationOutcome;
  try {
    outcome = await invoker.invoke({
      functionName,
      payload: entry.payload,
      requestId,
      invocationType: 'Event',
      payloadJson,
    });
  } catch (err) {
    // The engine is closing: the entry stays as stored, due as it was, for the next open.
    if (isLambdaliteError(err, 'EngineClosed')) return;
    const reason =
      err instanceof Error ? `${isLambdaliteError(err) ? err.code : err.name}: ${err.message}` : String(err);
    if (isLambdaliteError(err, 'ResourceNotFoundException')) {
      ctx.events.emit('async.attempt', {
        requestId,
        functionName,
        attempt: entry.attempts + 1,
        outcome: 'not-found',
        eventAgeMs,
      });
      return giveUp(deps, { ...entry, lastError: reason }, config, 'RetriesExhausted', undefined);
    }
    return backOff(deps, entry, config, reason, isLambdaliteError(err, 'TooManyRequestsException'));
  }
  const attempts = entry.attempts + 1;
  if (outcome.functionError === undefined) {
    ctx.events.emit('async.attempt', {
      requestId,
      functionName,
      attempt: attempts,
      outcome: 'success',
      eventAgeMs,
    });
    return succeed(deps, { ...entry, attempts }, config, outcome);
  }
  const failed: QueueEntry = { ...entry, attempts, throttles: 0, lastError: errorText(outcome) };
  return failedAttempt(deps, entry, failed, config, 'function-error', outcome, eventAgeMs);
}

/** An attempt that failed (function error or access denied): retry later, or give up. */
async function failedAttempt(
  deps: DeliveryDeps,
  entry: QueueEntry,
  failed: QueueEntry,
  config: EventInvokeConfig,
  why: 'function-error' | 'access-denied',
  outcome: InvocationOutcome | undefined,
  eventAgeMs: number,
): Promise<void> {
  const { ctx } = deps;
  const { requestId, functionName } = entry;
  const attempts = failed.attempts;
  ctx.events.emit('async.attempt', { requestId, functionName, attempt: attempts, outcome: why, eventAgeMs });
  const now = ctx.clock.now();
  const decision = afterFunctionError(deps.options, {
    attempts,
    maximumRetryAttempts: config.maximumRetryAttempts,
    enqueuedAt: entry.enqueuedAt,
    maximumAgeMs: config.maximumEventAgeSec * 1000,
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

/**
 * {@link deliver}, but an unexpected failure (a bug, a failed write) reschedules the event as a
 * service error instead of leaving it due at once, which would retry it in a hot loop. If even
 * that write fails (storage closing) the entry simply stays queued for the next open.
 */
export async function deliverSafely(
  deps: DeliveryDeps,
  entry: QueueEntry,
  payloadJson?: string,
): Promise<void> {
  try {
    await deliver(deps, entry, payloadJson);
  } catch (err) {
    const reason = `ServiceException: ${err instanceof Error ? err.message : String(err)}`;
    try {
      await backOff(deps, entry, await deps.configs.effective(entry.functionName), reason, false);
    } catch {
      // Nothing more to do here: the entry is still queued under its key.
    }
  }
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
