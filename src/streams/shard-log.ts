/**
 * The shard log: the storage and in-memory state behind Kinesis-style streams and table streams.
 * It appends records per shard (record + shard counter in one batch, one mutex per shard so
 * shards never wait on each other), reads them back in key order with `nextv`, wakes waiting
 * readers on every commit, and keeps the stream metadata (shards, parents, retention).
 *
 * Facades (`engine.streams`, `engine.tables`) validate input and call this; the pull-model
 * pollers read through {@link ShardLog.read} (shard-read.ts) and wait with
 * {@link ShardLog.waitForAppend}. The records themselves live in a {@link ShardStore} (LevelDB
 * embedded, JetStream clustered); the metadata stays in the engine's storage.
 */
import { type Observable, Subject } from 'rxjs';
import { ulid } from 'ulid';
import type { EngineContext } from '../context.js';
import { LambdaliteError } from '../errors.js';
import { KeyedMutex } from '../storage/keyed-mutex.js';
import { joinKey } from '../storage/keys.js';
import { CatalogConflict } from '../storage/shared-catalog.js';
import { type BatchOp, delOp, putOp, type Sub } from '../storage/storage.js';
import { Tombstones } from '../storage/tombstones.js';
import { evenRanges, hashKeyHex, hashPartitionKey, hashPartitionKeyHex } from './hash-range.js';
import { type ShardMeta, type StreamKind, type StreamMeta, shardIdOf } from './model.js';
import { appendToTail, readShardTail, type TailRecord } from './poller-tail.js';
import { encodeChunk } from './record-codec.js';
import { cursorOf, nextSequences, sequenceAt, shardPrefix } from './sequence.js';
import { type ShardStore, ShardWriteConflict, type StoredShard } from './shard-store.js';
import type { Position, ReadResult, RecordDecorator, ShardState, StreamState } from './shard-types.js';
import type { StreamCatalog } from './stream-catalog.js';

/** Appends in a row that may find another process wrote the shard first before one gives up. */
const MAX_WRITE_CONFLICTS = 20;
/** Tries at storing a fenced parent's corrected ending sequence number against other changes. */
const END_CORRECTIONS = 5;
/** Real-time ms before readers of a closed shard whose fence could not be placed try again. */
const FENCE_RETRY_MS = 250;
/** appendToShard's inner answer when a reshard made in another process fenced the shard. */
const FENCED = Symbol('fenced');

export type { Position, ReadResult, RecordDecorator, ShardState, StreamState };

export interface AppendEntry {
  partitionKey: string;
  /** The record's data; a string is stored as its UTF-8 bytes. */
  data: Uint8Array | string;
  /** UTF-8 byte length of `data` when it is a string (validation computed it). */
  dataBytes?: number | undefined;
  /** Explicit hash key; undefined means MD5 of the partition key, computed only when routing needs it. */
  hashKey: bigint | undefined;
}

/** What changed in the log: see {@link ShardLog.signals$}. */
export type ShardSignal =
  | { kind: 'appended'; streamArn: string; shardId: string; expiresAt: number }
  | { kind: 'shardsChanged'; streamArn: string }
  | { kind: 'deleted'; streamArn: string };

export class ShardLog {
  readonly #ctx: EngineContext;
  readonly #metas: Sub<StreamMeta>;
  readonly #store: ShardStore;
  readonly #tombstones: Tombstones;
  readonly #byArn = new Map<string, StreamState>();
  readonly #byUid = new Map<string, StreamState>();
  readonly #shardMutex = new KeyedMutex();
  readonly #streamMutex = new KeyedMutex();
  readonly #decorators = new Map<StreamKind, RecordDecorator>();
  readonly #signals = new Subject<ShardSignal>();
  /** Where every stream's metadata lives when processes share it; absent: LevelDB. */
  readonly #catalog: StreamCatalog | undefined;
  #unwatch: (() => void) | undefined;

  private constructor(ctx: EngineContext, store: ShardStore, catalog: StreamCatalog | undefined) {
    this.#ctx = ctx;
    this.#store = store;
    this.#catalog = catalog;
    this.#metas = ctx.storage.sublevel<StreamMeta>('streams', 'json');
    // A shared stream's delete writes its mark before the catalog's delete: a mark whose uid the
    // catalog still holds (the delete lost, or a crash came between) purges nothing.
    this.#tombstones = new Tombstones(ctx.storage, 'stream-tombstones', (uid) =>
      this.#byUid.has(uid) ? Promise.resolve() : store.purge(uid),
    );
  }

  /**
   * Loads every stream and its shard counters; finishes deletions a crash interrupted. With a
   * `catalog`, every stream (table streams too) comes from it instead of LevelDB, and changes
   * made by other processes are adopted as they arrive.
   */
  static async open(ctx: EngineContext, store: ShardStore, catalog?: StreamCatalog): Promise<ShardLog> {
    const log = new ShardLog(ctx, store, catalog);
    const stored: Array<StoredShard & { state: ShardState }> = [];
    for (const meta of catalog ? await catalog.all() : await log.#metas.values().all()) {
      const stream = log.#state(meta);
      for (const state of stream.shards.values()) stored.push({ uid: meta.uid, prefix: state.prefix, state });
    }
    for (const [shard, last] of await store.lastSequences(stored)) {
      const { state } = shard as StoredShard & { state: ShardState };
      state.lastSequence = last;
      state.cursor = cursorOf(last);
    }
    await log.#tombstones.resume();
    const unwatchStore = store.watch?.((uid, prefix, last) => log.#appendedElsewhere(uid, prefix, last));
    const adoption = catalog?.changes$.subscribe(({ key: arn, record: meta }) => {
      if (log.closing) return;
      log
        .withStream(arn, () => log.#adopt(arn, meta))
        .catch((err: unknown) =>
          ctx.events.emit('stream.error', {
            streamArn: arn,
            message: `taking a change made on another engine process failed: ${err instanceof Error ? err.message : String(err)}`,
          }),
        );
    });
    log.#unwatch = () => {
      unwatchStore?.();
      adoption?.unsubscribe();
    };
    return log;
  }

  /**
   * The log's own change signal: appends (with the time their oldest record expires), shard-set
   * changes and deletions. Pollers and the retention sweeper wake on it; it never depends on
   * anyone observing the engine's public events.
   */
  get signals$(): Observable<ShardSignal> {
    return this.#signals;
  }

  /** Announces a change the stream and table services made through this log (reshard, delete). */
  signal(signal: ShardSignal): void {
    this.#signals.next(signal);
  }

  /** Registers how records of table streams (or other kinds) are shown to readers. */
  decorate(kind: StreamKind, decorator: RecordDecorator): void {
    this.#decorators.set(kind, decorator);
  }

  streams(): StreamState[] {
    return [...this.#byArn.values()];
  }

  find(arn: string): StreamState | undefined {
    return this.#byArn.get(arn);
  }

  findByUid(uid: string): StreamState | undefined {
    return this.#byUid.get(uid);
  }

  /**
   * A stream by ARN, asking the shared catalog when this process does not know it yet (another
   * process created it a moment ago, before the watch brought it here) or when `fresh`. Not under
   * a stream lock.
   */
  async lookup(arn: string, fresh = false): Promise<StreamState | undefined> {
    const known = this.#byArn.get(arn);
    const catalog = this.#catalog;
    if ((known && !fresh) || !catalog || this.closing) return known;
    return this.withStream(arn, async () => {
      // fresh: the stored meta even when this process knows the stream (describe after a
      // reshard made elsewhere, before the watch brought it).
      if (fresh || !this.#byArn.has(arn)) {
        const meta = await catalog.get(arn);
        if (meta || this.#byArn.has(arn)) await this.#adopt(arn, meta);
      }
      return this.#byArn.get(arn);
    });
  }

  /**
   * Brings this process's view of the shared streams to what the catalog stores (list): streams
   * created elsewhere are added, those deleted elsewhere (confirmed by a read) dropped.
   */
  async refresh(): Promise<void> {
    const catalog = this.#catalog;
    if (!catalog) return;
    const stored = await catalog.all();
    const arns = new Set(stored.map((meta) => meta.arn));
    for (const meta of stored) await this.withStream(meta.arn, () => this.#adopt(meta.arn, meta));
    for (const stream of [...this.#byArn.values()]) {
      if (arns.has(stream.meta.arn)) continue;
      // Created here after the listing was read, or really gone: the stream's own entry says.
      const arn = stream.meta.arn;
      await this.withStream(arn, async () => this.#adopt(arn, await catalog.get(arn)));
    }
  }

  /**
   * Creates a stream with `shardCount` evenly split shards; caller checked the name is free here.
   * A shared stream is stored with a compare-and-set create: {@link CatalogConflict} when another
   * process created the name first.
   */
  async create(
    arn: string,
    name: string,
    kind: StreamKind,
    shardCount: number,
    retentionHours: number,
  ): Promise<StreamState> {
    const { ops, meta } = this.createOps(arn, name, kind, retentionHours, shardCount);
    if (this.#catalog) {
      try {
        await this.#catalog.replace(arn, meta, undefined);
      } catch (err) {
        // Take the winner's stream here, so a retry or a describe answers at once.
        if (err instanceof CatalogConflict) await this.#adopt(arn, await this.#catalog.get(arn));
        throw err;
      }
    } else {
      await this.#ctx.storage.batch(ops);
    }
    return this.#state(meta);
  }

  /**
   * Batch operations that create a stream, for a caller that commits them together with
   * something else (a table and its stream); then call {@link adopt}.
   */
  createOps(
    arn: string,
    name: string,
    kind: StreamKind,
    retentionHours: number,
    shardCount = 1,
    uid: string = ulid(),
  ): { ops: BatchOp[]; meta: StreamMeta } {
    const now = this.#ctx.clock.now();
    const shards: ShardMeta[] = evenRanges(shardCount).map((range, index) => ({
      index,
      shardId: shardIdOf(index),
      start: range.start.toString(),
      end: range.end.toString(),
      startingSequenceNumber: sequenceAt(index, now),
    }));
    const meta: StreamMeta = {
      arn,
      name,
      uid,
      kind,
      createdAt: now,
      retentionHours,
      nextShardIndex: shardCount,
      shards,
    };
    return { ops: [putOp(this.#metas, arn, meta)], meta };
  }

  /** Makes a stream created through {@link createOps} live once its batch committed. */
  adopt(meta: StreamMeta): StreamState {
    return this.#state(meta);
  }

  /** Operations that delete a stream; call {@link deleted} after they commit. */
  deleteOps(stream: StreamState): BatchOp[] {
    return [delOp(this.#metas, stream.meta.arn), this.#tombstones.markOp(stream.meta.uid, stream.meta.arn)];
  }

  /** Drops the live state, wakes its readers and removes its records in the background. */
  deleted(stream: StreamState): void {
    this.#forget(stream);
    this.#tombstones.purge(stream.meta.uid);
  }

  /**
   * Deletes a stream (caller holds its stream lock): drops it here and purges its records in the
   * background. A shared stream's mark is written first, then the catalog's entry is deleted
   * compare-and-set: {@link CatalogConflict} when it changed elsewhere (this process's view then
   * caught up: the stream may be gone, or changed).
   */
  async remove(stream: StreamState): Promise<void> {
    const catalog = this.#catalog;
    if (!catalog) {
      await this.#ctx.storage.batch(this.deleteOps(stream));
      this.deleted(stream);
      return;
    }
    const { uid, arn } = stream.meta;
    await this.#ctx.storage.batch([this.#tombstones.markOp(uid, arn)]);
    try {
      await catalog.replace(arn, undefined, stream.meta);
    } catch (err) {
      if (err instanceof CatalogConflict) await this.#adopt(arn, await catalog.get(arn));
      // The mark purges nothing while the catalog holds the uid; it goes with this purge.
      this.#tombstones.purge(uid);
      throw err;
    }
    this.deleted(stream);
  }

  /**
   * Persists a changed meta (retention, resharding) in one batch with `extra`. A shared stream's
   * meta is replaced compare-and-set: when another process changed the stream since, this
   * process takes the stored meta and the change fails with ResourceInUseException (Kinesis's
   * answer for a stream being updated), changing nothing.
   */
  async saveMeta(stream: StreamState, meta: StreamMeta, extra: BatchOp[] = []): Promise<void> {
    const catalog = this.#catalog;
    if (!catalog) {
      await this.#ctx.storage.batch([putOp(this.#metas, meta.arn, meta), ...extra]);
      stream.meta = meta;
      return;
    }
    try {
      await catalog.replace(meta.arn, meta, stream.meta);
    } catch (err) {
      if (!(err instanceof CatalogConflict)) throw err;
      await this.#adopt(meta.arn, await catalog.get(meta.arn));
      throw new LambdaliteError(
        'ResourceInUseException',
        `Stream ${meta.name} under account ${this.#ctx.accountId} was updated by another engine process meanwhile; retry`,
        { cause: err },
      );
    }
    if (extra.length > 0) await this.#ctx.storage.batch([...extra]);
    stream.meta = meta;
  }

  /** Runs `task` holding the control lock of `arn` (create, delete, retention, resharding). */
  withStream<T>(arn: string, task: () => Promise<T>): Promise<T> {
    return this.#streamMutex.run(arn, task);
  }

  /** Runs `task` holding the write lock of `shard` (resharding closes shards under it). */
  withShard<T>(stream: StreamState, shard: ShardState, task: () => Promise<T>): Promise<T> {
    return this.#shardMutex.run(joinKey(stream.meta.uid, shard.prefix), task);
  }

  /** Adds shards created by a reshard and rebuilds the routing table. */
  addShards(stream: StreamState, metas: ShardMeta[]): void {
    for (const meta of metas) stream.shards.set(meta.index, this.#shard(meta));
    this.#reroute(stream);
  }

  /** Marks shards closed (their metas already persisted) and wakes their readers. */
  closeShards(stream: StreamState, metas: ShardMeta[]): void {
    for (const meta of metas) {
      const shard = stream.shards.get(meta.index);
      if (!shard) continue;
      shard.meta = meta;
      this.#wake(shard);
    }
    this.#reroute(stream);
  }

  /** Forgets an expired shard and deletes its counter and remaining records. */
  async dropShard(stream: StreamState, shard: ShardState): Promise<void> {
    stream.shards.delete(shard.meta.index);
    shard.tail = undefined;
    this.#wake(shard);
    await this.#store.dropShard(stream, shard);
  }

  /** The last sequence number of the shard's oldest stored chunk (retention reads its time). */
  firstChunkEnd(stream: StreamState, shard: ShardState): Promise<string | undefined> {
    return this.#store.firstChunkEnd(stream, shard);
  }

  /** Removes the shard's chunks whose records all lie below `sequence`; forgets its tail. */
  async trimBefore(stream: StreamState, shard: ShardState, sequence: string): Promise<void> {
    // Pollers must not be served removed records from memory, before or after the removal.
    shard.tail = undefined;
    await this.#store.trimBefore(stream, shard, sequence);
    shard.tail = undefined;
  }

  /** The open shard whose hash range holds the entry's hash key. */
  route(stream: StreamState, entry: AppendEntry): ShardState {
    const only = stream.open.length === 1 ? stream.open[0] : undefined;
    // One open shard covers the whole key space: no hash needed.
    if (only && entry.hashKey === undefined) return only;
    const hashKey = entry.hashKey;
    if (hashKey === undefined) {
      const hex = hashPartitionKeyHex(entry.partitionKey);
      for (const shard of stream.open) if (hex >= shard.startHex && hex <= shard.endHex) return shard;
    } else {
      for (const shard of stream.open) if (hashKey >= shard.start && hashKey <= shard.end) return shard;
    }
    throw new LambdaliteError(
      'ServiceException',
      `no open shard of ${stream.meta.arn} covers hash key ${hashKey ?? hashPartitionKey(entry.partitionKey)}`,
    );
  }

  /**
   * Appends entries to one shard in ONE batch with the shard counter (and `extraOps`, e.g. the
   * table item the records describe). Returns undefined when the shard was closed meanwhile, so
   * the caller routes again.
   */
  async appendToShard(
    stream: StreamState,
    shard: ShardState,
    entries: readonly AppendEntry[],
    extraOps: readonly BatchOp[] = [],
  ): Promise<string[] | undefined> {
    const appended = await this.#appendLocked(stream, shard, entries, extraOps);
    if (appended !== FENCED) return appended;
    // Another process closed the shard (its close is stored before its fence): take the stored
    // meta, outside the shard's lock (adopting a close takes it), so the caller routes again.
    await this.lookup(stream.meta.arn, true);
    if (shard.meta.closedAt === undefined && !stream.deleted) {
      throw new LambdaliteError(
        'ServiceException',
        `shard ${shard.meta.shardId} of ${stream.meta.arn} is fenced by a reshard the stream's metadata does not show`,
      );
    }
    return undefined;
  }

  #appendLocked(
    stream: StreamState,
    shard: ShardState,
    entries: readonly AppendEntry[],
    extraOps: readonly BatchOp[],
  ): Promise<string[] | undefined | typeof FENCED> {
    return this.withShard(stream, shard, async () => {
      if (shard.meta.closedAt !== undefined || stream.deleted) return undefined;
      this.#ctx.lifecycle.assertOpen();
      const now = this.#ctx.clock.now();
      const count = entries.length;
      if (count === 0) return [];
      let sequences: string[];
      let offsets: Uint32Array;
      let value: Buffer;
      let last: string;
      let previous: string | undefined;
      for (let attempt = 1; ; attempt++) {
        sequences = nextSequences(shard.prefix, shard.cursor, now, count);
        offsets = new Uint32Array(count);
        // ONE value for the whole append, under its last sequence number (record-codec.ts).
        value = encodeChunk(now, sequences, entries, offsets);
        last = sequences[count - 1] as string;
        previous = shard.lastSequence;
        try {
          await this.#store.append(stream, shard, last, value, extraOps);
          break;
        } catch (err) {
          // A shared store: another process wrote the shard meanwhile. Number after its last
          // record and try again; a shard this contended answers as Kinesis does when throttled.
          if (!(err instanceof ShardWriteConflict)) throw err;
          if (err.last !== undefined) this.#movePast(stream, shard, err.last);
          if (err.closed) return FENCED;
          if (attempt >= MAX_WRITE_CONFLICTS || stream.deleted || shard.meta.closedAt !== undefined) {
            throw new LambdaliteError(
              'ProvisionedThroughputExceededException',
              `shard ${shard.meta.shardId} of ${stream.meta.arn} is being written by other engine processes ` +
                `at the same moment: ${attempt} attempts in a row came after another writer; retry`,
              { cause: err },
            );
          }
        }
      }
      // Another process's append noticed while this one was stored: the tail no longer holds
      // every record after `previous`, and the shard's last may already be past this append.
      const moved = shard.lastSequence !== previous;
      if (!moved || shard.lastSequence === undefined || last > shard.lastSequence) shard.lastSequence = last;
      if (moved) shard.tail = undefined;
      else if (shard.tailWanted) {
        shard.tail = appendToTail(shard.tail, previous, sequences[0] as string, last, value, offsets, now);
      }
      this.#wake(shard);
      this.#ctx.events.emit('stream.appended', {
        streamArn: stream.meta.arn,
        shardId: shard.meta.shardId,
        count,
        firstSequenceNumber: sequences[0] as string,
        lastSequenceNumber: last,
      });
      this.#signalAppended(stream, shard, now);
      return sequences;
    });
  }

  /**
   * Reads up to `limit` records after `from`, in sequence order, with batched `nextv` calls;
   * records older than the retention period are skipped. Never loads the shard into memory.
   */
  async read(stream: StreamState, shard: ShardState, from: Position, limit: number): Promise<ReadResult> {
    // A closed shard of a shared store ends where its fence is, possibly past what this process knew.
    const closed = shard.meta.closedAt !== undefined;
    const final = !closed || (await this.fenced(stream, shard));
    const result = await this.#store.read(stream, shard, from, limit, {
      cutoff: this.retentionCutoff(stream),
      decorator: this.#decorators.get(stream.meta.kind),
    });
    // Closed during the read (the close woke its readers): the next read fences it first.
    if (!closed && result.shardEnded && this.#store.fence) return { ...result, shardEnded: false };
    // Not fenced yet: not ended (fenced() wakes the readers to try again).
    return final ? result : { ...result, shardEnded: false };
  }

  /**
   * Makes a closed shard's end final before a reader decides it drained it: on a shared store,
   * appends another process had in flight when the shard closed land before its fence or are
   * refused (src/backends/jetstream/shard-fence.ts); this process's view moves to that end.
   * Nothing to do embedded, where the close waited for every append under the shard's lock.
   * False when the end is not final yet: placing the fence failed (appends of processes that did
   * not hear of the close yet kept winning its place, or the cluster did not answer), and the
   * caller treats the shard as not drained and asks again later.
   */
  async fenced(stream: StreamState, shard: ShardState): Promise<boolean> {
    if (!this.#store.fence || shard.meta.closedAt === undefined) return true;
    let end: string | undefined;
    try {
      end = await this.#store.fence(stream, shard);
    } catch {
      // Its readers (tails and pollers) try again soon even if no append wakes them; real time,
      // as the contest for the fence's place is (a ManualClock may never move).
      setTimeout(() => {
        this.#wake(shard);
        this.#signalAppended(stream, shard, this.#ctx.clock.now());
      }, FENCE_RETRY_MS).unref();
      return false;
    }
    if (end !== undefined) this.#movePast(stream, shard, end);
    return true;
  }

  /**
   * After a reshard stored the close of `parents` (under the stream's lock and theirs): fences
   * them, and stores the ending sequence number of one that took another process's append
   * between this process's last view of it and the fence.
   */
  async fenceClosed(stream: StreamState, parents: readonly ShardState[]): Promise<void> {
    if (!this.#store.fence) return;
    for (const shard of parents) {
      // Not fenced now: the close is stored all the same, and readers place the fence.
      if (!(await this.fenced(stream, shard))) continue;
      const end = shard.lastSequence;
      for (let attempt = 1; end !== undefined && attempt <= END_CORRECTIONS; attempt++) {
        const stored = stream.meta.shards.find((s) => s.index === shard.meta.index);
        if (!stored || (stored.endingSequenceNumber !== undefined && stored.endingSequenceNumber >= end))
          break;
        const corrected = { ...stored, endingSequenceNumber: end };
        const meta = {
          ...stream.meta,
          shards: stream.meta.shards.map((s) => (s === stored ? corrected : s)),
        };
        try {
          await this.saveMeta(stream, meta);
          shard.meta = corrected;
        } catch (err) {
          // Another change was stored meanwhile (and taken here): correct that one.
          if (!(err instanceof LambdaliteError && err.code === 'ResourceInUseException')) throw err;
        }
      }
    }
  }

  /**
   * The pollers' read of a Kinesis-style shard: up to `limit` records after `after`, served from
   * the in-memory tail of recent appends (poller-tail.ts), without LevelDB. Undefined when the tail
   * does not cover `after` (older position, nothing kept yet, or a kept record is past
   * retention): read() then. The first miss makes the shard keep a tail from its next append on.
   */
  readTail(stream: StreamState, shard: ShardState, after: string, limit: number): TailRecord[] | undefined {
    const records =
      shard.tail && !stream.deleted
        ? readShardTail(shard.tail, after, limit, this.retentionCutoff(stream))
        : undefined;
    if (!shard.tail) shard.tailWanted = true;
    return records;
  }

  /**
   * The last stored sequence number of `shard` below `sequence` (AT_TIMESTAMP resolves to the last
   * record written before the time), or undefined.
   */
  lastBefore(stream: StreamState, shard: ShardState, sequence: string): Promise<string | undefined> {
    return this.#store.lastBefore(stream, shard, sequence);
  }

  /** Engine-clock now. */
  now(): number {
    return this.#ctx.clock.now();
  }

  /** Engine-clock ms before which records of `stream` are expired. */
  retentionCutoff(stream: StreamState): number {
    return this.#ctx.clock.now() - stream.meta.retentionHours * 3_600_000;
  }

  /** Wake-up token: pass it to {@link waitForAppend} after a read that came back empty. */
  version(shard: ShardState): number {
    return shard.version;
  }

  /**
   * Resolves once the shard changed (a commit, its close, its stream's deletion, engine close)
   * since `version` was taken, or when `signal` aborts. No polling: commits resolve waiters.
   */
  waitForAppend(shard: ShardState, version: number, signal?: AbortSignal): Promise<void> {
    if (shard.version !== version || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        shard.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      shard.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Wakes every reader and waits for background deletions (engine close). */
  /** True once the engine started closing: tails complete instead of reading. */
  closing = false;

  async close(): Promise<void> {
    this.closing = true;
    this.#unwatch?.();
    await this.#streamMutex.idle();
    await this.#shardMutex.idle();
    for (const stream of this.#byArn.values()) {
      for (const shard of stream.shards.values()) {
        this.#wake(shard);
      }
    }
    await this.#tombstones.settled();
  }

  /** Drops a stream's live state and wakes its readers (their reads end). */
  #forget(stream: StreamState): void {
    stream.deleted = true;
    if (this.#byArn.get(stream.meta.arn) === stream) this.#byArn.delete(stream.meta.arn);
    if (this.#byUid.get(stream.meta.uid) === stream) this.#byUid.delete(stream.meta.uid);
    for (const shard of stream.shards.values()) {
      shard.tail = undefined;
      this.#wake(shard);
    }
  }

  /**
   * Takes a shared stream's stored meta (undefined: deleted) made by any process, under the
   * stream's lock: a new stream is loaded with its shards' last sequence numbers; a deleted one
   * is dropped (the deleting process purges the records); a reshard adds the children and closes
   * the parents (under their write locks, after reading how far they were written), a shard
   * expired elsewhere goes, and a retention change is taken. Readers and mappings here are
   * signalled as for a change made here.
   */
  async #adopt(arn: string, meta: StreamMeta | undefined): Promise<void> {
    let current = this.#byArn.get(arn);
    if (current && (!meta || meta.uid !== current.meta.uid)) {
      this.#forget(current);
      this.#signals.next({ kind: 'deleted', streamArn: arn });
      current = undefined;
    }
    if (!meta || this.closing) return;
    if (!current) {
      const state = this.#state(meta, false);
      await this.#loadLastSequences(state, [...state.shards.values()]);
      if (this.#byArn.has(arn)) return;
      this.#register(state);
      this.#signals.next({ kind: 'shardsChanged', streamArn: arn });
      return;
    }
    const stream = current;
    if (JSON.stringify(stream.meta) === JSON.stringify(meta)) return;
    const added = meta.shards.filter((s) => !stream.shards.has(s.index));
    const closing = meta.shards.filter(
      (s) => s.closedAt !== undefined && stream.shards.get(s.index)?.meta.closedAt === undefined,
    );
    const kept = new Set(meta.shards.map((s) => s.index));
    const expired = [...stream.shards.values()].filter((s) => !kept.has(s.meta.index));
    stream.meta = meta;
    if (added.length > 0) {
      this.addShards(stream, added);
      await this.#loadLastSequences(
        stream,
        added.map((s) => stream.shards.get(s.index)).filter((s): s is ShardState => s !== undefined),
      );
    }
    for (const closed of closing) {
      const shard = stream.shards.get(closed.index);
      if (!shard) continue;
      // Writes here finish first; then a reader deciding the parent is drained knows its last record.
      await this.withShard(stream, shard, () => this.#loadLastSequences(stream, [shard]));
      this.closeShards(stream, [closed]);
    }
    for (const closed of meta.shards) {
      // An ending sequence number corrected after the fence (fenceClosed).
      const shard = stream.shards.get(closed.index);
      if (shard && shard.meta.closedAt !== undefined && closed.closedAt !== undefined) shard.meta = closed;
    }
    for (const shard of expired) {
      stream.shards.delete(shard.meta.index);
      shard.tail = undefined;
      this.#wake(shard);
    }
    if (expired.length > 0) this.#reroute(stream);
    if (added.length + closing.length + expired.length > 0) {
      this.#signals.next({ kind: 'shardsChanged', streamArn: arn });
    }
  }

  /** A stream another process already wrote to: its shards continue after what is stored. */
  async #loadLastSequences(stream: StreamState, shards: readonly ShardState[]): Promise<void> {
    const stored = shards.map((state) => ({
      uid: stream.meta.uid,
      prefix: state.prefix,
      state,
    }));
    for (const [shard, last] of await this.#store.lastSequences(stored)) {
      const { state } = shard as StoredShard & { state: ShardState };
      if (state.lastSequence === undefined || last > state.lastSequence) {
        state.lastSequence = last;
        state.cursor = cursorOf(last);
      }
    }
  }

  /**
   * Another process appended to a shard of a shared store: readers here read on from the store.
   * The in-memory tail no longer holds every record, so it is dropped.
   */
  #appendedElsewhere(uid: string, prefix: string, last: string): void {
    const stream = this.#byUid.get(uid);
    if (!stream || stream.deleted) return;
    for (const shard of stream.shards.values()) {
      if (shard.prefix !== prefix) continue;
      this.#movePast(stream, shard, last);
      return;
    }
  }

  /** Another process stored `last` in the shard: the shard continues after it. */
  #movePast(stream: StreamState, shard: ShardState, last: string): void {
    if (shard.lastSequence !== undefined && shard.lastSequence >= last) return;
    shard.lastSequence = last;
    const cursor = cursorOf(last);
    if (cursor.ms > shard.cursor.ms || (cursor.ms === shard.cursor.ms && cursor.sub > shard.cursor.sub)) {
      shard.cursor = cursor;
    }
    shard.tail = undefined;
    this.#wake(shard);
    this.#signalAppended(stream, shard, this.#ctx.clock.now());
  }

  /** Tells the retention and wake-up listeners that the shard has records appended at `now`. */
  #signalAppended(stream: StreamState, shard: ShardState, now: number): void {
    // Strictly older than the retention period one millisecond later.
    this.#signals.next({
      kind: 'appended',
      streamArn: stream.meta.arn,
      shardId: shard.meta.shardId,
      expiresAt: now + stream.meta.retentionHours * 3_600_000 + 1,
    });
  }

  #wake(shard: ShardState): void {
    shard.version++;
    for (const waiter of [...shard.waiters]) waiter();
  }

  #state(meta: StreamMeta, register = true): StreamState {
    const state: StreamState = { meta, shards: new Map(), open: [], deleted: false };
    for (const shard of meta.shards) state.shards.set(shard.index, this.#shard(shard));
    this.#reroute(state);
    if (register) this.#register(state);
    return state;
  }

  #register(state: StreamState): void {
    this.#byArn.set(state.meta.arn, state);
    this.#byUid.set(state.meta.uid, state);
  }

  #shard(meta: ShardMeta): ShardState {
    const start = BigInt(meta.start);
    const end = BigInt(meta.end);
    return {
      meta,
      prefix: shardPrefix(meta.index),
      start,
      end,
      startHex: hashKeyHex(start),
      endHex: hashKeyHex(end),
      cursor: { ms: 0, sub: 0 },
      lastSequence: undefined,
      version: 0,
      waiters: new Set(),
      tail: undefined,
      tailWanted: false,
    };
  }

  #reroute(stream: StreamState): void {
    stream.open = [...stream.shards.values()]
      .filter((s) => s.meta.closedAt === undefined)
      .sort((a, b) => (a.start < b.start ? -1 : 1));
  }
}
