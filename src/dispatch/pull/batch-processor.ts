/**
 * Takes one batch of one shard (or parallel slice) to a conclusion: success, given up (retry
 * attempts or record age), or expired from the source. Retries the same records with backoff on
 * the engine clock, bisects on function errors when asked, and resumes partial failures at the
 * lowest failed item. Each conclusion is handed to the {@link BatchSink}, which checkpoints.
 */
import { randomUUID } from 'node:crypto';
import { delay } from '../../clock.js';
import { isLambdaliteError } from '../../errors.js';
import type { InvocationOutcome, InvocationRequest } from '../../functions/invoker.js';
import { LAST_RESULT, type StoredFailure } from '../../mappings/types.js';
import { encodeKinesisBatch, type KinesisBatchCarrier } from '../../runtime/kinesis-event.js';
import { backoffDelay, retriesExhausted } from '../retry.js';
import type { FunctionInfo, GiveUpCondition } from './deps.js';
import { giveUp, type LastFailure } from './give-up.js';
import type { PollerContext } from './poller-context.js';
import { buildEventJson, resumeIndex } from './records.js';
import type { SourceRecord } from './shard-source.js';

export interface BatchSink {
  /** `records` are settled (delivered, given up or expired); `failures` to persist with the checkpoint. */
  settled(records: readonly SourceRecord[], failures: StoredFailure[], lastResult: string): Promise<void>;
}

type Outcome =
  | { kind: 'success' }
  | { kind: 'partial'; resumeAt: number; requestId: string; executedVersion: string }
  | { kind: 'error'; requestId: string; executedVersion: string; functionError: string; message: string }
  | { kind: 'throttled'; requestId: string; result: string; message: string }
  | { kind: 'service'; requestId: string; result: string; message: string };

export class BatchProcessor {
  readonly #ctx: PollerContext;
  readonly #slice: number;
  readonly #sink: BatchSink;
  /** Tries of this processor's batches, counting throttles too, for the backoff delay. */
  #failures = 0;

  constructor(ctx: PollerContext, slice: number, sink: BatchSink) {
    this.#ctx = ctx;
    this.#slice = slice;
    this.#sink = sink;
  }

  /** Settles `records`; rejects only when the poller is stopped (abort) or storage fails. */
  async process(records: readonly SourceRecord[], attempts = 0, invokes = 0): Promise<void> {
    const { settings, signal } = this.#ctx;
    let batch = records;
    let last: LastFailure | undefined;
    for (let tries = 0; ; tries++) {
      signal.throwIfAborted();
      if (tries > 0) {
        batch = await this.#stillAvailable(batch);
        if (batch.length === 0) return;
      }
      if (settings.maximumRecordAgeSec >= 0) {
        const cutoff = this.#ctx.clock.now() - settings.maximumRecordAgeSec * 1000;
        const young = batch.findIndex((r) => r.arrivalMs >= cutoff);
        const old = batch.slice(0, young < 0 ? batch.length : young);
        if (old.length > 0) {
          await this.#giveUp(old, 'RecordAgeExceeded', invokes, last);
          batch = batch.slice(old.length);
          if (batch.length === 0) return;
        }
      }
      const outcome = await this.#invoke(batch, attempts + 1);
      if (outcome.kind === 'success') {
        this.#failures = 0;
        await this.#sink.settled(batch, [], LAST_RESULT.ok);
        return;
      }
      let reason: 'FunctionError' | 'PartialFailure' | 'Throttled' | 'ServiceError';
      if (outcome.kind === 'throttled' || outcome.kind === 'service') {
        // The batch never reached the function: not an attempt (reference §4.2).
        reason = outcome.kind === 'throttled' ? 'Throttled' : 'ServiceError';
        last ??= { requestId: outcome.requestId, statusCode: 429, executedVersion: '', functionError: '' };
        await this.#ctx.setResult(outcome.result);
      } else {
        invokes++;
        attempts++;
        last = {
          requestId: outcome.requestId,
          statusCode: 200,
          executedVersion: outcome.executedVersion,
          functionError: outcome.kind === 'error' ? outcome.functionError : 'Unhandled',
        };
        await this.#ctx.setResult(LAST_RESULT.failed);
        if (outcome.kind === 'partial') {
          reason = 'PartialFailure';
          await this.#sink.settled(batch.slice(0, outcome.resumeAt), [], LAST_RESULT.failed);
          batch = batch.slice(outcome.resumeAt);
        } else {
          reason = 'FunctionError';
          if (settings.bisectBatchOnFunctionError && batch.length > 1) {
            // Bisection does not consume the retry quota: the halves start with the same count.
            const half = Math.ceil(batch.length / 2);
            this.#emitBatch('mapping.batch.bisected', batch, { halves: [half, batch.length - half] });
            await this.process(batch.slice(0, half), attempts - 1, invokes);
            await this.process(batch.slice(half), attempts - 1, invokes);
            return;
          }
        }
        if (retriesExhausted(attempts, settings.maximumRetryAttempts)) {
          await this.#giveUp(batch, 'RetryAttemptsExhausted', invokes, last);
          return;
        }
      }
      this.#failures++;
      const delayMs = backoffDelay(this.#ctx.backoff, this.#failures);
      const message = 'message' in outcome ? outcome.message : 'partial batch failure';
      this.#emitBatch('mapping.batch.failed', batch, { attempt: attempts, delayMs, reason, message });
      await delay(this.#ctx.clock, delayMs, signal);
    }
  }

  /**
   * The part of `batch` the source still holds. Expiry removes the oldest records first, so a
   * record is gone when it is older than the oldest record the shard still returns (this holds
   * for parallel slices too, whose records are not contiguous in the shard).
   */
  async #stillAvailable(batch: readonly SourceRecord[]): Promise<readonly SourceRecord[]> {
    if (batch.length === 0) return batch;
    const [oldest] = await this.#ctx.source.read(this.#ctx.shardId, undefined, 1);
    const floor = oldest === undefined ? undefined : BigInt(oldest.sequenceNumber);
    const kept = floor === undefined ? [] : batch.filter((r) => BigInt(r.sequenceNumber) >= floor);
    if (kept.length < batch.length) {
      const gone = batch.slice(0, batch.length - kept.length);
      this.#ctx.events.emit('mapping.batch.expired', {
        uuid: this.#ctx.uuid,
        shardId: this.#ctx.shardId,
        count: gone.length,
      });
      await this.#sink.settled(gone, [], LAST_RESULT.failed);
    }
    return kept;
  }

  /** One attempt: the function, the IAM check, the invoke, and what its answer means. */
  async #invoke(batch: readonly SourceRecord[], attempt: number): Promise<Outcome> {
    const ctx = this.#ctx;
    const requestId = randomUUID();
    const fn = await ctx.functions.get(ctx.functionName);
    if (!fn) {
      return {
        kind: 'service',
        requestId,
        result: LAST_RESULT.functionMissing,
        message: 'function not found',
      };
    }
    const lastRecord = batch[batch.length - 1];
    const iteratorAgeMs = Math.max(0, ctx.clock.now() - (lastRecord?.arrivalMs ?? ctx.clock.now()));
    ctx.noteIteratorAge(iteratorAgeMs);
    // IAM, before each invoke: a refusal is not an attempt; the batch is retried and blocks the shard.
    const verdict = await ctx.authorizer?.check({
      functionName: fn.functionName,
      eventSourceArn: ctx.eventSourceArn,
      sourceKind: ctx.source.kind,
      role: ctx.settings.role,
      executionRole: fn.role,
    });
    if (verdict && !verdict.allowed) {
      return { kind: 'service', requestId, result: LAST_RESULT.accessDenied, message: verdict.reason };
    }
    this.#emitBatch('mapping.batch.invoked', batch, { attempt, iteratorAgeMs, slice: this.#slice });
    const started = ctx.clock.now();
    let outcome: InvocationOutcome;
    try {
      outcome = await ctx.invoker.invoke(this.#request(fn, batch, requestId));
    } catch (err) {
      return this.#refused(err, requestId);
    }
    const judged = this.#judge(outcome, batch, requestId);
    if (judged.kind === 'success') {
      this.#emitBatch('mapping.batch.succeeded', batch, { durationMs: ctx.clock.now() - started });
    }
    return judged;
  }

  /**
   * The invocation request of a batch. A Kinesis batch goes to the runtime compact (the container
   * builds the event, see runtime/kinesis-event.ts); the JSON and the object are built only for
   * invokers that read them.
   */
  #request(
    fn: FunctionInfo,
    batch: readonly SourceRecord[],
    requestId: string,
  ): InvocationRequest & KinesisBatchCarrier {
    const ctx = this.#ctx;
    const eventContext = {
      kind: ctx.source.kind,
      shardId: ctx.shardId,
      eventSourceArn: ctx.eventSourceArn,
      region: ctx.region,
      invokeIdentityArn: ctx.settings.role ?? fn.role,
    };
    const kinesisBatch =
      eventContext.kind === 'kinesis' ? encodeKinesisBatch(eventContext, batch) : undefined;
    let payloadJson = kinesisBatch === undefined ? buildEventJson(eventContext, batch) : undefined;
    let parsed: unknown;
    return {
      functionName: fn.functionName,
      get payload(): unknown {
        payloadJson ??= buildEventJson(eventContext, batch);
        parsed ??= JSON.parse(payloadJson);
        return parsed;
      },
      get payloadJson(): string {
        payloadJson ??= buildEventJson(eventContext, batch);
        return payloadJson;
      },
      kinesisBatch,
      requestId,
      invocationType: 'RequestResponse' as const,
      invokedFunctionArn: ctx.invokedFunctionArn,
    };
  }

  /** An invoke that threw: a throttle, a missing function, or a failure of the service. */
  #refused(err: unknown, requestId: string): Outcome {
    // Cut off by the engine's close (EngineClosed): not an attempt, read again after the next open.
    this.#ctx.signal.throwIfAborted();
    const message = err instanceof Error ? err.message : String(err);
    if (isLambdaliteError(err, 'TooManyRequestsException')) {
      return { kind: 'throttled', requestId, result: LAST_RESULT.throttled, message };
    }
    if (isLambdaliteError(err, 'ResourceNotFoundException')) {
      return { kind: 'service', requestId, result: LAST_RESULT.functionMissing, message };
    }
    return { kind: 'service', requestId, result: LAST_RESULT.failed, message };
  }

  /** What the function's answer means: an error, a partial failure (batchItemFailures), success. */
  #judge(outcome: InvocationOutcome, batch: readonly SourceRecord[], requestId: string): Outcome {
    const { executedVersion } = outcome;
    if (outcome.functionError) {
      // Stopped with its poller (the engine closes and stops its container): not an attempt, and
      // never given up; the batch is read again from the checkpoint after the next open.
      this.#ctx.signal.throwIfAborted();
      const body = outcome.payload as { errorMessage?: unknown } | null;
      const message = typeof body?.errorMessage === 'string' ? body.errorMessage : 'function error';
      return { kind: 'error', requestId, executedVersion, functionError: outcome.functionError, message };
    }
    if (this.#ctx.settings.reportBatchItemFailures) {
      const resumeAt = resumeIndex(outcome.payload, batch);
      if (resumeAt === 0) {
        return {
          kind: 'error',
          requestId,
          executedVersion,
          functionError: 'Unhandled',
          message: 'batchItemFailures names the first record or an unknown itemIdentifier',
        };
      }
      if (resumeAt < batch.length) return { kind: 'partial', resumeAt, requestId, executedVersion };
    }
    return { kind: 'success' };
  }

  async #giveUp(
    records: readonly SourceRecord[],
    condition: GiveUpCondition,
    invokes: number,
    last: LastFailure | undefined,
  ): Promise<void> {
    const failures = await giveUp(this.#ctx, records, condition, invokes, last);
    const destination = this.#ctx.settings.onFailure;
    const destinationError = destination === undefined ? undefined : failures[0]?.destinationError;
    this.#emitBatch('mapping.batch.givenUp', records, {
      condition,
      destination,
      ...(destinationError === undefined ? {} : { destinationError }),
    });
    await this.#sink.settled(records, failures, LAST_RESULT.failed);
  }

  #emitBatch<
    K extends
      | 'mapping.batch.invoked'
      | 'mapping.batch.succeeded'
      | 'mapping.batch.failed'
      | 'mapping.batch.bisected'
      | 'mapping.batch.givenUp',
  >(
    type: K,
    records: readonly SourceRecord[],
    extra: Omit<
      import('../../events.js').EngineEventMap[K],
      'uuid' | 'functionName' | 'shardId' | 'size' | 'firstSequenceNumber' | 'lastSequenceNumber'
    >,
  ): void {
    const payload = {
      uuid: this.#ctx.uuid,
      functionName: this.#ctx.functionName,
      shardId: this.#ctx.shardId,
      size: records.length,
      firstSequenceNumber: records[0]?.sequenceNumber ?? '',
      lastSequenceNumber: records[records.length - 1]?.sequenceNumber ?? '',
      ...extra,
    } as import('../../events.js').EngineEventMap[K];
    this.#ctx.events.emit(type, payload);
  }
}
