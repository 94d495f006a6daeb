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
import { chunkBatches } from './records.js';
import type { SourceRecord } from './shard-source.js';
import { SliceSet } from './slices.js';

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
  #slices: SliceSet | undefined;
  /**
   * The checkpoint write of the batch before, which the round did not wait for (see
   * {@link ShardPoller.#commitBehind}); awaited before the next write, before idling, and on stop.
   */
  #writing: Promise<void> | undefined;

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
      await this.#slices?.idle();
      await this.#writing?.catch(() => undefined);
    }
  }

  /** One read and, when records came, one round. True when the shard is drained. */
  async #step(): Promise<boolean> {
    const { source, shardId, settings } = this.#ctx;
    const factor = settings.parallelizationFactor;
    if (factor > 1 && !this.#slices) this.#slices = this.#newSlices(factor);
    const slices = this.#slices;
    // With slices, reading runs ahead of the checkpoint, bounded by batchSize x factor records.
    const limit = settings.batchSize * factor - (slices?.size ?? 0);
    const from = (): string | undefined => (slices ? slices.readPos : this.#after);
    this.#dirty = false;
    let records = limit > 0 ? await source.read(shardId, from(), limit) : [];
    if (records.length === 0) {
      // Caught up: the last checkpoint is made durable (or its failure reported) before idling.
      await this.#settleWrite();
      if ((slices?.size ?? 0) === 0 && (await source.isDrained(shardId, this.#after))) {
        await this.#commit(this.#after, [], undefined, true);
        this.#ctx.events.emit('mapping.shard.drained', { uuid: this.#ctx.uuid, shardId });
        return true;
      }
      if (!this.#dirty) await this.#wait();
      return false;
    }
    if (settings.maximumBatchingWindowMs > 0 && records.length < limit && (slices?.size ?? 0) === 0) {
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
        records = await source.read(shardId, from(), limit);
      }
    }
    if (slices) slices.add(records);
    else await this.#round(records);
    return false;
  }

  /** Factor 1: one slice, every settled part is checkpointed at once. */
  async #round(records: readonly SourceRecord[]): Promise<void> {
    const { settings, maxPayloadBytes } = this.#ctx;
    const sink: BatchSink = {
      settled: async (done, failures, lastResult) => {
        const last = done[done.length - 1];
        if (last) await this.#commitBehind(last.sequenceNumber, failures, lastResult);
      },
    };
    const processor = new BatchProcessor(this.#ctx, 0, sink);
    for (const batch of chunkBatches(records, settings.batchSize, maxPayloadBytes)) {
      // The batch before is durable before this one is sent: a crash redelivers one batch only.
      await this.#settleWrite();
      await processor.process(batch);
    }
  }

  /**
   * Checkpoints a settled batch without waiting for the write: the next batch is read while it is
   * written (the read and the write overlap on the shard's critical path), and the write is
   * awaited before that batch is sent, so a crash redelivers only the batch in flight. One write
   * at a time, in order; a failed write fails the next step as an awaited write would have. The
   * position in memory moves on at once (as before).
   */
  async #commitBehind(
    sequenceNumber: string,
    failures: readonly StoredFailure[],
    lastResult: string,
  ): Promise<void> {
    await this.#settleWrite();
    const write = this.#commit(sequenceNumber, failures, lastResult, false);
    // Observed by the next #settleWrite; never left unhandled while the poller idles or stops.
    write.catch(() => undefined);
    this.#writing = write;
  }

  /** Waits for the checkpoint write in flight, if any; rejects when it failed. */
  async #settleWrite(): Promise<void> {
    const write = this.#writing;
    if (write === undefined) return;
    this.#writing = undefined;
    await write;
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

  #newSlices(factor: number): SliceSet {
    return new SliceSet(
      {
        ctx: this.#ctx,
        commit: (sequenceNumber, failures, lastResult) =>
          this.#commit(sequenceNumber, failures, lastResult, false),
        wake: () => {
          this.#dirty = true;
          this.#wake?.();
        },
      },
      factor,
      this.#after,
    );
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
