/**
 * parallelizationFactor > 1: each record goes to slice hash(partitionKey or item key) mod factor;
 * each slice runs its own batches in order (so order holds per key) while the slices run
 * concurrently. The shard is checkpointed at the minimum completed position: the end of the
 * longest prefix of handed-out records that are all settled. A slice that is retrying holds the
 * checkpoint back but not the other slices (up to the read-ahead cap of the poller).
 */
import { delay } from '../../clock.js';
import type { StoredFailure } from '../../mappings/types.js';
import { backoffDelay } from '../retry.js';
import { BatchProcessor, type BatchSink } from './batch-processor.js';
import type { PollerContext } from './poller-context.js';
import { chunkBatches, orderingKey, sliceOf } from './records.js';
import type { SourceRecord } from './shard-source.js';

export interface SliceHost {
  readonly ctx: PollerContext;
  /** Persists the shard checkpoint (with failure entries and status) in one batch. */
  commit(sequenceNumber: string, failures: readonly StoredFailure[], lastResult: string): Promise<void>;
  /** Tells the poller that records settled (room to read more, or the shard may be drained). */
  wake(): void;
}

interface Entry {
  record: SourceRecord;
  settled: boolean;
}

export class SliceSet {
  readonly #host: SliceHost;
  readonly #factor: number;
  readonly #pending: Entry[] = [];
  readonly #bySeq = new Map<string, Entry>();
  readonly #queues: SourceRecord[][];
  readonly #workers: Array<Promise<void> | undefined>;
  #failures: StoredFailure[] = [];
  #result = 'OK';
  #chain: Promise<void> = Promise.resolve();
  /** Last record handed to a slice (reads continue after it, ahead of the checkpoint). */
  readPos: string | undefined;

  constructor(host: SliceHost, factor: number, readPos: string | undefined) {
    this.#host = host;
    this.#factor = factor;
    this.readPos = readPos;
    this.#queues = Array.from({ length: factor }, () => []);
    this.#workers = Array.from({ length: factor }, () => undefined);
  }

  /** Records handed out and not yet behind the checkpoint. */
  get size(): number {
    return this.#pending.length;
  }

  add(records: readonly SourceRecord[]): void {
    for (const record of records) {
      const entry = { record, settled: false };
      this.#pending.push(entry);
      this.#bySeq.set(record.sequenceNumber, entry);
      this.#queues[sliceOf(orderingKey(record), this.#factor)]?.push(record);
      this.readPos = record.sequenceNumber;
    }
    for (let i = 0; i < this.#factor; i++) this.#start(i);
  }

  /** Resolves when every slice worker has stopped (after an abort) and commits are written. */
  async idle(): Promise<void> {
    await Promise.allSettled(this.#workers);
    await this.#chain.catch(() => undefined);
  }

  #start(i: number): void {
    if (this.#workers[i] || this.#queues[i]?.length === 0) return;
    this.#workers[i] = this.#work(i).finally(() => {
      this.#workers[i] = undefined;
      this.#host.wake();
    });
  }

  async #work(i: number): Promise<void> {
    const { ctx } = this.#host;
    const queue = this.#queues[i] ?? [];
    const sink: BatchSink = { settled: (done, failures, result) => this.#settled(done, failures, result) };
    const processor = new BatchProcessor(ctx, i, sink);
    let errors = 0;
    while (queue.length > 0 && !ctx.signal.aborted) {
      const [batch = []] = chunkBatches(
        queue.slice(0, ctx.settings.batchSize),
        ctx.settings.batchSize,
        ctx.maxPayloadBytes,
      );
      try {
        await processor.process(batch);
        queue.splice(0, batch.length);
        errors = 0;
      } catch (err) {
        if (ctx.signal.aborted) return;
        // Storage or source trouble: the batch stays at the head of its slice and is tried again.
        ctx.events.emit('mapping.error', {
          uuid: ctx.uuid,
          shardId: ctx.shardId,
          message: err instanceof Error ? err.message : String(err),
        });
        try {
          await delay(ctx.clock, backoffDelay(ctx.backoff, ++errors), ctx.signal);
        } catch {
          return;
        }
      }
    }
  }

  #settled(done: readonly SourceRecord[], failures: StoredFailure[], result: string): Promise<void> {
    for (const record of done) {
      const entry = this.#bySeq.get(record.sequenceNumber);
      if (entry) entry.settled = true;
    }
    this.#failures.push(...failures);
    if (result !== 'OK') this.#result = result;
    let last: Entry | undefined;
    while (this.#pending[0]?.settled) {
      last = this.#pending.shift();
      if (last) this.#bySeq.delete(last.record.sequenceNumber);
    }
    if (!last) return this.#chain;
    const sequenceNumber = last.record.sequenceNumber;
    const toStore = this.#failures;
    const lastResult = this.#result === 'OK' ? result : this.#result;
    this.#failures = [];
    this.#result = 'OK';
    // Commits run in order: a later checkpoint never lands before an earlier one.
    this.#chain = this.#chain
      .then(() => this.#host.commit(sequenceNumber, toStore, lastResult))
      .then(() => this.#host.wake());
    return this.#chain;
  }
}
