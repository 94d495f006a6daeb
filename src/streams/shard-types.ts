/**
 * The shard log's state and read shapes, apart from the log so that its readers (shard-read.ts)
 * and the log depend on them without depending on each other.
 */

import type { ShardMeta, StreamMeta, StreamRecord } from './model.js';
import type { ShardTail } from './poller-tail.js';
import type { SequenceCursor } from './sequence.js';

/** Live state of one shard. */
export interface ShardState {
  meta: ShardMeta;
  readonly prefix: string;
  readonly start: bigint;
  readonly end: bigint;
  /** `start` and `end` as 32 hex digits: routing compares them with the MD5 hex of a key. */
  readonly startHex: string;
  readonly endHex: string;
  cursor: SequenceCursor;
  /** Last sequence number committed, undefined while the shard never took a write. */
  lastSequence: string | undefined;
  /** Bumped on every commit, close and delete; readers compare it to know they missed nothing. */
  version: number;
  readonly waiters: Set<() => void>;
  /** Recent appends kept in memory for the pollers (see {@link ShardLog.readTail}). */
  tail: ShardTail | undefined;
  /** A poller asked for the tail: keep one from the next append on. */
  tailWanted: boolean;
}

/** Live state of one stream. */
export interface StreamState {
  meta: StreamMeta;
  readonly shards: Map<number, ShardState>;
  /** Open shards ordered by starting hash key: the routing table. */
  open: ShardState[];
  deleted: boolean;
}

/** Where a read starts: after (`gt`) or at (`gte`) a sequence number of the shard. */
export interface Position {
  op: 'gt' | 'gte';
  sequence: string;
}

export interface ReadResult<R = StreamRecord> {
  records: R[];
  /** Position to continue from (moves past records skipped as expired too). */
  next: Position;
  /** Arrival (ms) of the last record returned. */
  lastArrival: number | undefined;
  /** Nothing more is stored after `next` right now. */
  caughtUp: boolean;
  /** The shard is closed and `next` is past its last record: SHARD_END. */
  shardEnded: boolean;
}

/** Turns a stored record into what readers of a stream of that kind receive. */
export type RecordDecorator = (record: StreamRecord, stream: StreamMeta, shardId: string) => StreamRecord;
