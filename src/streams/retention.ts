/**
 * Retention: removes records older than their stream's retention period with range deletes, on
 * a clock timer, whether or not anyone reads. The timer is set for the moment the oldest record
 * expires (no periodic polling), and closed parent shards expire once the retention period has
 * passed since they closed.
 *
 * Sequence numbers carry their write time (sequence.ts), so "everything written before T" is
 * one key range per shard: no value is read to decide what to delete.
 */
import type { TimerHandle } from '../clock.js';
import type { EngineContext } from '../context.js';
import { LambdaliteError } from '../errors.js';
import { parseSequence, sequenceAt } from './sequence.js';
import type { ShardLog, ShardState, StreamState } from './shard-log.js';

const HOUR_MS = 3_600_000;

export class RetentionSweeper {
  readonly #ctx: EngineContext;
  readonly #log: ShardLog;
  #timer: TimerHandle | undefined;
  #dueAt = Number.POSITIVE_INFINITY;
  #running: Promise<void> | undefined;
  #again = false;
  #closed = false;

  constructor(ctx: EngineContext, log: ShardLog) {
    this.#ctx = ctx;
    this.#log = log;
    // Subscribed for the log's lifetime: the log completes never; close() stops scheduling.
    log.signals$.subscribe((signal) => {
      if (signal.kind === 'appended') this.scheduleAt(signal.expiresAt);
    });
  }

  /** Makes sure a sweep runs no later than `at` (engine-clock ms). */
  scheduleAt(at: number): void {
    if (this.#closed || at >= this.#dueAt) return;
    if (this.#timer) this.#ctx.clock.clearTimeout(this.#timer);
    this.#dueAt = at;
    this.#timer = this.#ctx.clock.setTimeout(() => {
      this.#timer = undefined;
      this.#dueAt = Number.POSITIVE_INFINITY;
      void this.sweep();
    }, at - this.#ctx.clock.now());
  }

  /** Runs one sweep now (one at a time; a request during a sweep runs another after it). */
  sweep(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      try {
        do {
          this.#again = false;
          await this.#sweepOnce();
        } while (this.#again && !this.#closed);
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) this.#ctx.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  async #sweepOnce(): Promise<void> {
    let nextDue = Number.POSITIVE_INFINITY;
    for (const stream of this.#log.streams()) {
      if (this.#closed) return;
      if (stream.deleted) continue;
      const retentionMs = stream.meta.retentionHours * HOUR_MS;
      const cutoff = this.#log.retentionCutoff(stream);
      for (const shard of [...stream.shards.values()]) {
        const closedAt = shard.meta.closedAt;
        if (closedAt !== undefined && closedAt <= cutoff) {
          await this.#expireShard(stream, shard);
          continue;
        }
        const oldest = await this.#oldestWrite(stream, shard);
        if (oldest !== undefined && oldest < cutoff) {
          await this.#log.trimBefore(stream, shard, sequenceAt(shard.meta.index, cutoff));
          this.#ctx.events.emit('stream.trimmed', {
            streamArn: stream.meta.arn,
            shardId: shard.meta.shardId,
            before: cutoff,
          });
        }
        const remaining =
          oldest !== undefined && oldest >= cutoff ? oldest : await this.#oldestWrite(stream, shard);
        if (remaining !== undefined) nextDue = Math.min(nextDue, remaining + retentionMs + 1);
        if (closedAt !== undefined) nextDue = Math.min(nextDue, closedAt + retentionMs);
      }
    }
    if (Number.isFinite(nextDue)) this.scheduleAt(Math.max(nextDue, this.#ctx.clock.now() + 1));
  }

  /** Write time of the first stored record of the shard, from its key alone. */
  async #oldestWrite(stream: StreamState, shard: ShardState): Promise<number | undefined> {
    const first = await this.#log.firstChunkEnd(stream, shard);
    return first === undefined ? undefined : parseSequence(first).ms;
  }

  async #expireShard(stream: StreamState, shard: ShardState): Promise<void> {
    const expired = await this.#log.withStream(stream.meta.arn, async () => {
      if (stream.deleted || !stream.shards.has(shard.meta.index)) return false;
      const meta = { ...stream.meta, shards: stream.meta.shards.filter((s) => s.index !== shard.meta.index) };
      try {
        await this.#log.saveMeta(stream, meta);
      } catch (err) {
        // A shared stream: another engine process changed it first (its sweep expired the shard,
        // or a reshard); this process took the stored meta, and a later sweep looks again.
        if (err instanceof LambdaliteError && err.code === 'ResourceInUseException') return false;
        throw err;
      }
      await this.#log.dropShard(stream, shard);
      return true;
    });
    if (!expired) return;
    this.#log.signal({ kind: 'shardsChanged', streamArn: stream.meta.arn });
    this.#ctx.events.emit('stream.shardExpired', { streamArn: stream.meta.arn, shardId: shard.meta.shardId });
  }
}
