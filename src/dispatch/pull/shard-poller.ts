/**
 * One poller per shard. States: waiting-for-parents -> reading <-> idle (waits for the shard's
 * changes$, no timers) -> batching window (optional) -> processing a round -> checkpoint ->
 * reading ... -> drained (closed shard fully processed) | stopped (abort).
 *
 * A round reads up to batchSize x parallelizationFactor records after the checkpoint, routes them
 * to slices by hash(key) mod factor (order kept per key), settles every slice, and checkpoints
 * the shard. With factor 1 the round is one batch and each settled part is checkpointed at once.
 */
import type { Subscription } from 'rxjs';
import type { CheckpointRecord, StoredFailure } from '../../mappings/types.js';
import { backoffDelay } from '../retry.js';
import { BatchProcessor, type BatchSink } from './batch-processor.js';
import type { PollerContext } from './poller-context.js';
import { chunkBatches, orderingKey, sliceOf } from './records.js';
import type { SourceRecord } from './shard-source.js';

export interface PollerHost {
  /** True when every parent of the shard was drained (or expired). */
  parentsDone(parentShardIds: readonly string[]): boolean;
  /** Resolves when some shard of the mapping made progress or the shard set changed. */
  nextProgress(signal: AbortSignal): Promise<void>;
  /** Persists a checkpoint (plus failures and status) in one batch. */
  commit(
    shardId: string,
    checkpoint: CheckpointRecord,
    failures: readonly StoredFailure[],
    lastResult: string,
  ): Promise<void>;
}

export class ShardPoller {
  readonly #ctx: PollerContext;
  readonly #host: PollerHost;
  readonly #parents: readonly string[];
  #after: string | undefined;
  #iteratorAgeMs: number;
  #dirty = false;
  #wake: (() => void) | undefined;
  #sub: Subscription | undefined;

  constructor(
    ctx: PollerContext,
    host: PollerHost,
    parents: readonly string[],
    start: CheckpointRecord | undefined,
  ) {
    this.#ctx = ctx;
    this.#host = host;
    this.#parents = parents;
    this.#after = start?.sequenceNumber;
    this.#iteratorAgeMs = start?.iteratorAgeMs ?? 0;
  }

  /** Runs until the shard is drained or the signal aborts; never rejects. */
  async run(): Promise<void> {
    const { signal } = this.#ctx;
    this.#sub = this.#ctx.source.changes$(this.#ctx.shardId).subscribe(() => {
      this.#dirty = true;
      this.#wake?.();
    });
    try {
      while (!this.#host.parentsDone(this.#parents)) await this.#host.nextProgress(signal);
      this.#ctx.events.emit('mapping.shard.started', {
        uuid: this.#ctx.uuid,
        shardId: this.#ctx.shardId,
        afterSequenceNumber: this.#after,
      });
      let errors = 0;
      for (;;) {
        signal.throwIfAborted();
        try {
          if (await this.#step()) return;
          errors = 0;
        } catch (err) {
          if (signal.aborted) throw err;
          errors++;
          this.#ctx.events.emit('mapping.error', {
            uuid: this.#ctx.uuid,
            shardId: this.#ctx.shardId,
            message: err instanceof Error ? err.message : String(err),
          });
          await this.#wait(backoffDelay(this.#ctx.backoff, errors));
        }
      }
    } catch {
      // Aborted: the batch in flight is redelivered from the last checkpoint next time.
    } finally {
      this.#sub.unsubscribe();
    }
  }

  /** One read and, when records came, one round. True when the shard is drained. */
  async #step(): Promise<boolean> {
    const { source, shardId, settings } = this.#ctx;
    const limit = settings.batchSize * settings.parallelizationFactor;
    this.#dirty = false;
    let records = await source.read(shardId, this.#after, limit);
    if (records.length === 0) {
      if (await source.isDrained(shardId, this.#after)) {
        await this.#commit(this.#after, [], undefined, true);
        this.#ctx.events.emit('mapping.shard.drained', { uuid: this.#ctx.uuid, shardId });
        return true;
      }
      if (!this.#dirty) await this.#wait();
      return false;
    }
    if (settings.maximumBatchingWindowMs > 0 && records.length < limit) {
      const deadline = this.#ctx.clock.now() + settings.maximumBatchingWindowMs;
      this.#ctx.events.emit('mapping.batch.window', {
        uuid: this.#ctx.uuid,
        shardId,
        count: records.length,
        untilMs: deadline,
      });
      while (records.length < limit && this.#ctx.clock.now() < deadline) {
        if (!this.#dirty) await this.#wait(deadline - this.#ctx.clock.now());
        this.#dirty = false;
        records = await source.read(shardId, this.#after, limit);
      }
    }
    await this.#round(records);
    return false;
  }

  async #round(records: readonly SourceRecord[]): Promise<void> {
    const { settings, maxPayloadBytes } = this.#ctx;
    const factor = settings.parallelizationFactor;
    if (factor === 1) {
      // One slice: every settled part is checkpointed at once.
      const sink: BatchSink = {
        settled: async (done, failures, lastResult) => {
          const last = done[done.length - 1];
          if (last) await this.#commit(last.sequenceNumber, failures, lastResult, false);
        },
      };
      const processor = new BatchProcessor(this.#ctx, 0, sink);
      for (const batch of chunkBatches(records, settings.batchSize, maxPayloadBytes))
        await processor.process(batch);
      return;
    }
    const slices: SourceRecord[][] = Array.from({ length: factor }, () => []);
    for (const r of records) slices[sliceOf(orderingKey(r), factor)]?.push(r);
    const failures: StoredFailure[] = [];
    let lastResult = 'OK';
    const sink: BatchSink = {
      settled: async (_done, more, result) => {
        failures.push(...more);
        if (result !== 'OK') lastResult = result;
      },
    };
    await Promise.all(
      slices.map(async (slice, i) => {
        const processor = new BatchProcessor(this.#ctx, i, sink);
        for (const batch of chunkBatches(slice, settings.batchSize, maxPayloadBytes))
          await processor.process(batch);
      }),
    );
    // Every slice settled: the minimum completed position is the end of the round. A slice that
    // is still retrying holds the shard's checkpoint (and the next round) back.
    await this.#commit(records[records.length - 1]?.sequenceNumber, failures, lastResult, false);
  }

  async #commit(
    sequenceNumber: string | undefined,
    failures: readonly StoredFailure[],
    lastResult: string | undefined,
    drained: boolean,
  ): Promise<void> {
    this.#after = sequenceNumber;
    const checkpoint: CheckpointRecord = {
      sequenceNumber,
      iteratorAgeMs: this.#iteratorAgeMs,
      drained,
      updatedMs: this.#ctx.clock.now(),
    };
    await this.#host.commit(this.#ctx.shardId, checkpoint, failures, lastResult ?? '');
    if (sequenceNumber !== undefined && !drained) {
      this.#ctx.events.emit('mapping.checkpoint', {
        uuid: this.#ctx.uuid,
        shardId: this.#ctx.shardId,
        sequenceNumber,
        iteratorAgeMs: this.#iteratorAgeMs,
      });
    }
  }

  /** Iterator age of the batch just sent (set by the context's noteIteratorAge). */
  set iteratorAgeMs(ms: number) {
    this.#iteratorAgeMs = ms;
  }

  /** Waits for a change of the shard, `ms` of engine time (when given), or abort. */
  #wait(ms?: number): Promise<void> {
    const { clock, signal } = this.#ctx;
    return new Promise<void>((resolve, reject) => {
      const cleanup = (): void => {
        this.#wake = undefined;
        if (timer) clock.clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      };
      const finish = (): void => {
        cleanup();
        resolve();
      };
      const onAbort = (): void => {
        cleanup();
        reject(signal.reason);
      };
      const timer = ms === undefined ? undefined : clock.setTimeout(finish, ms);
      if (signal.aborted) return onAbort();
      this.#wake = finish;
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
