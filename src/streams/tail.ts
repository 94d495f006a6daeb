/**
 * Tails of one shard or of a whole stream for in-process consumers: pulled readers
 * (`streams.records`, an AsyncIterable) and Observables over them (`records$`). A reader reads a
 * batch when its consumer asks, and when caught up waits on the shard's wake-up (a commit
 * resolves it): no polling loop. A stream reader drains parents before starting their children,
 * so per-key order holds across splits and merges.
 */
import { Observable } from 'rxjs';
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

export const DEFAULT_BATCH = 1000;

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

/**
 * Reads one shard from `position`, pulled: a batch is read only when the consumer asked for a
 * record the last batch did not hold, and a caught-up read waits on the shard's wake-up. Ends at
 * SHARD_END, on stream deletion, engine close or when `signal` aborts.
 */
export async function* shardRecords(
  log: ShardLog,
  stream: StreamState,
  shard: ShardState,
  position: Position,
  batchSize: number,
  signal: AbortSignal,
): AsyncGenerator<TailedRecord, void, undefined> {
  const shardId = shard.meta.shardId;
  let next = position;
  while (!signal.aborted) {
    if (log.closing || stream.deleted || !stream.shards.has(shard.meta.index)) return;
    const version = log.version(shard);
    const result = await log.read(stream, shard, next, batchSize);
    next = result.next;
    for (const record of result.records) {
      if (signal.aborted) return;
      yield { ...record, shardId };
    }
    if (result.shardEnded) return;
    if (result.caughtUp) await log.waitForAppend(shard, version, signal);
  }
}

/** Where a stream tail starts; LATEST positions are taken when this is made. */
export interface StreamStart {
  readonly from: 'TRIM_HORIZON' | 'LATEST';
  readonly latest: ReadonlyMap<number, Position>;
}

export function streamStart(stream: StreamState, from: 'TRIM_HORIZON' | 'LATEST'): StreamStart {
  const latest = new Map<number, Position>();
  if (from === 'LATEST') {
    for (const shard of stream.open) latest.set(shard.meta.index, startPosition(shard, 'LATEST'));
  }
  return { from, latest };
}

/**
 * Reads every shard of a stream, pulled. From TRIM_HORIZON it starts with the shards whose
 * parents are gone and starts each child once all its parents reached SHARD_END; from LATEST it
 * starts with the open shards (children of those are found when they end). Each shard holds at
 * most one batch and one record ahead of the consumer: a slow consumer slows the reads down.
 */
export async function* streamRecords(
  log: ShardLog,
  stream: StreamState,
  from: StreamStart,
  batchSize: number,
  outer: AbortSignal,
): AsyncGenerator<TailedRecord, void, undefined> {
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  outer.addEventListener('abort', stop, { once: true });
  const started = new Set<number>();
  const ended = new Set<string>();
  type Pulled = { index: number; result: IteratorResult<TailedRecord, void> };
  const active = new Map<number, { records: AsyncGenerator<TailedRecord, void>; next: Promise<Pulled> }>();
  const pull = (index: number, records: AsyncGenerator<TailedRecord, void>): Promise<Pulled> =>
    records.next().then((result) => ({ index, result }));
  const start = (shard: ShardState, position: Position): void => {
    const index = shard.meta.index;
    started.add(index);
    const records = shardRecords(log, stream, shard, position, batchSize, abort.signal);
    active.set(index, { records, next: pull(index, records) });
  };
  const parentsDone = (shard: ShardState): boolean => {
    const present = new Set([...stream.shards.values()].map((s) => s.meta.shardId));
    return [shard.meta.parentShardId, shard.meta.adjacentParentShardId].every(
      (id) => id === undefined || !present.has(id) || ended.has(id),
    );
  };
  const startReady = (): void => {
    for (const shard of [...stream.shards.values()].sort((a, b) => a.meta.index - b.meta.index)) {
      if (!started.has(shard.meta.index) && parentsDone(shard))
        start(shard, startPosition(shard, 'TRIM_HORIZON'));
    }
  };
  if (from.from === 'LATEST') {
    for (const shard of stream.open) {
      start(shard, from.latest.get(shard.meta.index) ?? startPosition(shard, 'LATEST'));
    }
    for (const shard of stream.shards.values()) {
      if (shard.meta.closedAt !== undefined && !started.has(shard.meta.index)) {
        started.add(shard.meta.index);
        ended.add(shard.meta.shardId);
      }
    }
  } else {
    startReady();
  }
  try {
    while (active.size > 0) {
      const { index, result } = await Promise.race([...active.values()].map((a) => a.next));
      const entry = active.get(index);
      if (entry === undefined) continue;
      if (result.done) {
        active.delete(index);
        const shard = stream.shards.get(index);
        if (
          shard &&
          shard.meta.closedAt !== undefined &&
          !stream.deleted &&
          !log.closing &&
          !abort.signal.aborted
        ) {
          ended.add(shard.meta.shardId);
          startReady();
        }
        continue;
      }
      yield result.value;
      entry.next = pull(index, entry.records);
    }
  } finally {
    outer.removeEventListener('abort', stop);
    abort.abort();
  }
}

/** A reader of a tail, started with the signal that stops it. */
export type TailReader = (signal: AbortSignal) => AsyncGenerator<TailedRecord, void, undefined>;

/** The reader as an AsyncIterable: ends quietly when the engine closes under it. */
export async function* pulled(
  log: ShardLog,
  read: TailReader,
): AsyncGenerator<TailedRecord, void, undefined> {
  const abort = new AbortController();
  try {
    yield* read(abort.signal);
  } catch (err) {
    if (!log.closing) throw err;
  } finally {
    abort.abort();
  }
}

/** The reader as an Observable: records as fast as they are read; unsubscribing stops it. */
export function observed(log: ShardLog, read: TailReader): Observable<TailedRecord> {
  return new Observable<TailedRecord>((subscriber) => {
    const abort = new AbortController();
    void (async () => {
      for await (const record of read(abort.signal)) {
        if (abort.signal.aborted) return;
        subscriber.next(record);
      }
      subscriber.complete();
    })().catch((err: unknown) => {
      if (log.closing) subscriber.complete();
      else subscriber.error(err);
    });
    return () => abort.abort();
  });
}
