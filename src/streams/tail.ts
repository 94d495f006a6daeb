/**
 * `records$`: Observable tails of one shard or of a whole stream for in-process consumers. A
 * tail reads a batch, emits it, and when caught up waits on the shard's wake-up (a commit
 * resolves it): no polling loop. A stream tail drains parents before starting their children,
 * so per-key order holds across splits and merges.
 */
import { Observable, Subscription } from 'rxjs';
import type { StreamRecord } from './model.js';
import { sequenceAt } from './sequence.js';
import type { Position, ShardLog, ShardState, StreamState } from './shard-log.js';

export type TailStart =
  | 'TRIM_HORIZON'
  | 'LATEST'
  | { afterSequenceNumber: string }
  | { atSequenceNumber: string };

export interface TailOptions {
  /** Where to start reading (default 'LATEST'). Sequence positions need `shardId`. */
  from?: TailStart;
  /** Tail one shard instead of the whole stream. */
  shardId?: string;
  /** Records per read (default 1000). */
  batchSize?: number;
}

export type TailedRecord = StreamRecord & { shardId: string };

const DEFAULT_BATCH = 1000;

export function startPosition(shard: ShardState, from: TailStart): Position {
  if (from === 'TRIM_HORIZON') return { op: 'gte', sequence: sequenceAt(shard.meta.index, 0) };
  if (from === 'LATEST') {
    return shard.lastSequence === undefined
      ? { op: 'gte', sequence: sequenceAt(shard.meta.index, 0) }
      : { op: 'gt', sequence: shard.lastSequence };
  }
  if ('afterSequenceNumber' in from) return { op: 'gt', sequence: from.afterSequenceNumber };
  return { op: 'gte', sequence: from.atSequenceNumber };
}

/** Tails one shard from `position`; completes at SHARD_END, on stream deletion or engine close. */
export function tailShard(
  log: ShardLog,
  stream: StreamState,
  shard: ShardState,
  position: Position,
  batchSize = DEFAULT_BATCH,
): Observable<TailedRecord> {
  return new Observable<TailedRecord>((subscriber) => {
    const abort = new AbortController();
    const shardId = shard.meta.shardId;
    void (async () => {
      let next = position;
      while (!abort.signal.aborted) {
        if (log.closing || stream.deleted || !stream.shards.has(shard.meta.index)) break;
        const version = log.version(shard);
        const result = await log.read(stream, shard, next, batchSize);
        next = result.next;
        for (const record of result.records) {
          if (abort.signal.aborted) return;
          subscriber.next({ ...record, shardId });
        }
        if (result.shardEnded) break;
        if (result.caughtUp) await log.waitForAppend(shard, version, abort.signal);
      }
      subscriber.complete();
    })().catch((err: unknown) => {
      if (log.closing) subscriber.complete();
      else subscriber.error(err);
    });
    return () => abort.abort();
  });
}

/**
 * Tails every shard of a stream. From TRIM_HORIZON it starts with the shards whose parents are
 * gone and starts each child once all its parents reached SHARD_END; from LATEST it starts with
 * the open shards.
 */
export function tailStream(
  log: ShardLog,
  stream: StreamState,
  from: 'TRIM_HORIZON' | 'LATEST',
  batchSize = DEFAULT_BATCH,
): Observable<TailedRecord> {
  return new Observable<TailedRecord>((subscriber) => {
    const subscriptions = new Subscription();
    const started = new Set<number>();
    const ended = new Set<string>();
    let active = 0;

    const parentsDone = (shard: ShardState): boolean => {
      const present = new Set([...stream.shards.values()].map((s) => s.meta.shardId));
      return [shard.meta.parentShardId, shard.meta.adjacentParentShardId].every(
        (id) => id === undefined || !present.has(id) || ended.has(id),
      );
    };
    const start = (shard: ShardState, position: Position): void => {
      started.add(shard.meta.index);
      active++;
      subscriptions.add(
        tailShard(log, stream, shard, position, batchSize).subscribe({
          next: (record) => subscriber.next(record),
          error: (err: unknown) => subscriber.error(err),
          complete: () => {
            active--;
            if (shard.meta.closedAt !== undefined && !stream.deleted && !log.closing) {
              ended.add(shard.meta.shardId);
              startReady();
            }
            if (active === 0) subscriber.complete();
          },
        }),
      );
    };
    const startReady = (): void => {
      for (const shard of [...stream.shards.values()].sort((a, b) => a.meta.index - b.meta.index)) {
        if (!started.has(shard.meta.index) && parentsDone(shard))
          start(shard, startPosition(shard, 'TRIM_HORIZON'));
      }
    };

    if (from === 'LATEST') {
      for (const shard of stream.open) start(shard, startPosition(shard, 'LATEST'));
      // Children of shards open now are found when those shards end; older shards are skipped.
      for (const shard of stream.shards.values())
        if (shard.meta.closedAt !== undefined) {
          started.add(shard.meta.index);
          ended.add(shard.meta.shardId);
        }
    } else {
      startReady();
    }
    if (active === 0) subscriber.complete();
    return () => subscriptions.unsubscribe();
  });
}
