/**
 * The shard log's storage seam: where the records of every shard live. The {@link ShardLog}
 * keeps the stream metadata, routing, sequence numbering and wake-ups; a store keeps the chunks
 * (one per append, under its last sequence number) and answers reads. LevelDB is the embedded
 * store (level-shard-store.ts); the clustered backend puts chunks in JetStream
 * (src/backends/jetstream/shard-store.ts).
 */
import type { BatchOp } from '../storage/storage.js';
import type { ReadOptions } from './shard-read.js';
import type { Position, ReadResult, ShardState, StreamState } from './shard-types.js';

/**
 * Thrown by a shared store's `append` when another process appended to the shard since this one
 * last saw it: nothing was stored. `last` is the shard's last stored sequence number (undefined
 * when it holds nothing); the log moves past it, numbers the records again and retries.
 */
export class ShardWriteConflict extends Error {
  /**
   * @param closed - the shard was closed by a reshard made in another process and fenced
   * (src/backends/jetstream/shard-fence.ts): the records go to its children instead.
   */
  constructor(
    readonly last: string | undefined,
    readonly closed = false,
  ) {
    super(
      closed
        ? `the shard was closed by a reshard in another process (its last sequence number is ${last ?? 'none'})`
        : `another writer appended to the shard (its last sequence number is ${last ?? 'none'})`,
    );
    this.name = 'ShardWriteConflict';
  }
}

/** A stream's identity as a store needs it: its uid names its records. */
export interface StoredShard {
  readonly uid: string;
  readonly prefix: string;
}

export interface ShardStore {
  /** The last committed sequence number of each of `shards` that took a write, by shard. */
  lastSequences(shards: readonly StoredShard[]): Promise<Map<StoredShard, string>>;
  /**
   * Commits one append: `chunk` (record-codec.ts) under `last`, with `extraOps` (a table item
   * the records describe). A retried append of the same `last` is stored once. A shared store
   * refuses an append numbered before another process's write with {@link ShardWriteConflict}.
   */
  append(
    stream: StreamState,
    shard: ShardState,
    last: string,
    chunk: Buffer,
    extraOps: readonly BatchOp[],
  ): Promise<void>;
  /** Up to `limit` records after `from` (shard-read.ts does the decoding). */
  read(
    stream: StreamState,
    shard: ShardState,
    from: Position,
    limit: number,
    options: ReadOptions,
  ): Promise<ReadResult>;
  /** The last stored sequence number below `sequence`, or undefined. */
  lastBefore(stream: StreamState, shard: ShardState, sequence: string): Promise<string | undefined>;
  /**
   * The last sequence number of the shard's oldest stored chunk (its key), or undefined when the
   * shard holds nothing: retention reads the chunk's write time from it.
   */
  firstChunkEnd(stream: StreamState, shard: ShardState): Promise<string | undefined>;
  /** Removes the shard's chunks whose records all lie below `sequence` (retention). */
  trimBefore(stream: StreamState, shard: ShardState, sequence: string): Promise<void>;
  /** Removes everything of one shard (an expired shard). */
  dropShard(stream: StreamState, shard: ShardState): Promise<void>;
  /** Removes everything of a deleted stream. */
  purge(uid: string): Promise<void>;
  /**
   * Shared stores only: makes a closed shard's end final, so no append from another process can
   * land after it (src/backends/jetstream/shard-fence.ts), and returns its last sequence number
   * (undefined when it holds no record). A reader calls it before deciding the shard is drained;
   * the process that closed the shard calls it right after storing the close.
   */
  fence?(stream: StreamState, shard: ShardState): Promise<string | undefined>;
  /**
   * Shared stores only: calls `onAppend` when any process appended to a shard (possibly this one,
   * possibly more than once), so readers of this process wake. Returns the unsubscribe.
   */
  watch?(onAppend: (uid: string, prefix: string, last: string) => void): () => void;
}
