/**
 * `engine.streams`: Kinesis-style streams. A thin facade: it validates and resolves its
 * arguments, then delegates to the {@link ShardLog} (storage, routing, reads, wake-ups),
 * resharding.ts and the retention sweeper. Every method accepts a stream name or its ARN; the
 * reader methods (getShardIterator, getRecords, records$) also accept a table's stream ARN.
 */
import { defer, type Observable } from 'rxjs';
import { parseArn } from '../arn.js';
import type { EngineContext } from '../context.js';
import { LambdaliteError } from '../errors.js';
import { CatalogConflict } from '../storage/shared-catalog.js';
import { anyValue, readOptions } from '../validation/options.js';
import { decodeIterator, encodeIterator } from './iterator-token.js';
import {
  type ChildShard,
  type CreateStreamOptions,
  type GetRecordsOutput,
  type GetShardIteratorOptions,
  type PutRecordInput,
  type PutRecordOutput,
  type PutRecordsOutput,
  type PutRecordsResultEntry,
  type ShardDescription,
  STREAM_DEFAULTS,
  type StreamDescription,
  type StreamRecord,
  shardIndexOf,
} from './model.js';
import { mergeShards, splitShard } from './resharding.js';
import type { RetentionSweeper } from './retention.js';
import { assertShardSequence, sequenceAt } from './sequence.js';
import type { AppendEntry, Position, ShardLog, ShardState, StreamState } from './shard-log.js';
import {
  DEFAULT_BATCH,
  observed,
  pulled,
  shardRecords,
  startPosition,
  streamRecords,
  streamStart,
  type TailedRecord,
  type TailOptions,
  type TailReader,
} from './tail.js';
import {
  checkCreateOptions,
  checkIteratorOptions,
  checkLimit,
  checkRetentionHours,
  checkShardCount,
  checkStreamName,
  checkTailOptions,
  prepareRecord,
  prepareRecords,
} from './validate.js';

export interface StreamSummary {
  streamName: string;
  streamArn: string;
  streamStatus: 'ACTIVE';
  streamCreationTimestamp: Date;
}

export class StreamService {
  readonly #ctx: EngineContext;
  readonly #log: ShardLog;
  readonly #retention: RetentionSweeper;

  /** @internal built by the engine. */
  constructor(ctx: EngineContext, log: ShardLog, retention: RetentionSweeper) {
    this.#ctx = ctx;
    this.#log = log;
    this.#retention = retention;
  }

  /**
   * Creates a stream whose shards split the hash key space evenly.
   *
   * @example
   * await engine.streams.create('clicks', { shardCount: 2 });
   */
  async create(name: string, options?: CreateStreamOptions): Promise<StreamDescription> {
    this.#ctx.lifecycle.assertOpen();
    checkStreamName(name);
    const o = checkCreateOptions(options);
    const shardCount = checkShardCount(o.shardCount ?? STREAM_DEFAULTS.shardCount);
    const retentionHours = checkRetentionHours(
      o.retentionHours ?? STREAM_DEFAULTS.retentionHours,
      this.#ctx.quotas.streamRetentionMaxHours,
    );
    const arn = this.#ctx.arns.stream(name);
    const inUse = () =>
      new LambdaliteError(
        'ResourceInUseException',
        `Stream ${name} under account ${this.#ctx.accountId} already exists.`,
      );
    const stream = await this.#log.withStream(arn, async () => {
      if (this.#log.find(arn)) throw inUse();
      try {
        return await this.#log.create(arn, name, 'kinesis', shardCount, retentionHours);
      } catch (err) {
        // Another engine process on the cluster created the name first.
        if (err instanceof CatalogConflict) throw inUse();
        throw err;
      }
    });
    this.#ctx.events.emit('stream.created', { streamName: name, streamArn: arn, shardCount, retentionHours });
    return describeStream(stream);
  }

  /** Status, retention and shards (with parent links) of a stream or a table stream. */
  async describe(nameOrArn: string): Promise<StreamDescription> {
    this.#ctx.lifecycle.assertOpen();
    return describeStream(await this.#resolve(nameOrArn, true, true));
  }

  /** Kinesis streams of this engine, by name. */
  async list(): Promise<StreamSummary[]> {
    this.#ctx.lifecycle.assertOpen();
    await this.#log.refresh();
    return this.#log
      .streams()
      .filter((s) => s.meta.kind === 'kinesis')
      .map((s) => ({
        streamName: s.meta.name,
        streamArn: s.meta.arn,
        streamStatus: 'ACTIVE' as const,
        streamCreationTimestamp: new Date(s.meta.createdAt),
      }))
      .sort((a, b) => (a.streamName < b.streamName ? -1 : 1));
  }

  /** Deletes the stream; its records are removed in the background and readers complete. */
  async delete(nameOrArn: string): Promise<void> {
    this.#ctx.lifecycle.assertOpen();
    const stream = await this.#resolve(nameOrArn, false);
    await this.#log.withStream(stream.meta.arn, async () => {
      if (stream.deleted) throw notFound(stream.meta.name);
      try {
        await this.#log.remove(stream);
      } catch (err) {
        if (!(err instanceof CatalogConflict)) throw err;
        // Deleted, or resharded, on another engine process meanwhile.
        if (stream.deleted) throw notFound(stream.meta.name);
        throw new LambdaliteError(
          'ResourceInUseException',
          `Stream ${stream.meta.name} under account ${this.#ctx.accountId} was updated by another engine process meanwhile; retry`,
          { cause: err },
        );
      }
    });
    this.#log.signal({ kind: 'deleted', streamArn: stream.meta.arn });
    this.#ctx.events.emit('stream.deleted', { streamName: stream.meta.name, streamArn: stream.meta.arn });
  }

  async putRecord(nameOrArn: string, record: PutRecordInput): Promise<PutRecordOutput> {
    return this.#putRecord(nameOrArn, record, true);
  }

  /**
   * @internal putRecord for the engine's own writes (destination records), which backpressure
   * never refuses: they settle work already accepted.
   */
  putRecordUnthrottled(nameOrArn: string, record: PutRecordInput): Promise<PutRecordOutput> {
    return this.#putRecord(nameOrArn, record, false);
  }

  async #putRecord(nameOrArn: string, record: PutRecordInput, throttled: boolean): Promise<PutRecordOutput> {
    this.#ctx.lifecycle.assertOpen();
    const stream = await this.#resolve(nameOrArn, false);
    const entry = prepareRecord(record);
    if (!throttled) return this.#append(stream, entry);
    return this.#ctx.backpressure.run(
      'ProvisionedThroughputExceededException',
      `a write to stream '${stream.meta.name}'`,
      entry.data.length,
      () => this.#append(stream, entry),
    );
  }

  async #append(stream: StreamState, entry: AppendEntry): Promise<PutRecordOutput> {
    for (;;) {
      const shard = this.#log.route(stream, entry);
      const sequences = await this.#log.appendToShard(stream, shard, [entry]);
      if (stream.deleted) throw notFound(stream.meta.name);
      const sequenceNumber = sequences?.[0];
      if (sequenceNumber !== undefined) return { shardId: shard.meta.shardId, sequenceNumber };
    }
  }

  /**
   * Writes up to 500 records; one batch per shard, shards in parallel. Results are index-aligned
   * with `records`; a shard whose batch failed reports InternalFailure for its entries.
   */
  async putRecords(nameOrArn: string, records: readonly PutRecordInput[]): Promise<PutRecordsOutput> {
    this.#ctx.lifecycle.assertOpen();
    const stream = await this.#resolve(nameOrArn, false);
    const entries = prepareRecords(records);
    const what = `a write to stream '${stream.meta.name}'`;
    const throttled = this.#ctx.backpressure.refusal('ProvisionedThroughputExceededException', what);
    if (throttled) {
      // Kinesis answers throttling in PutRecords per record, the call itself succeeding.
      const refused = {
        errorCode: 'ProvisionedThroughputExceededException' as const,
        errorMessage: throttled.message,
      };
      return { failedRecordCount: entries.length, records: entries.map(() => ({ ...refused })) };
    }
    let bytes = 0;
    for (const entry of entries) bytes += entry.data.length;
    return this.#ctx.backpressure.run('ProvisionedThroughputExceededException', what, bytes, () =>
      this.#appendAll(stream, entries),
    );
  }

  async #appendAll(stream: StreamState, entries: readonly AppendEntry[]): Promise<PutRecordsOutput> {
    const results: PutRecordsResultEntry[] = new Array(entries.length);
    let pending = entries.map((_, i) => i);
    while (pending.length > 0) {
      const groups = new Map<ShardState, number[]>();
      for (const i of pending) {
        const shard = this.#log.route(stream, entries[i] as AppendEntry);
        const group = groups.get(shard);
        if (group) group.push(i);
        else groups.set(shard, [i]);
      }
      const retry: number[] = [];
      await Promise.all(
        [...groups].map(async ([shard, indexes]) => {
          try {
            const sequences = await this.#log.appendToShard(
              stream,
              shard,
              indexes.map((i) => entries[i] as AppendEntry),
            );
            if (sequences === undefined) retry.push(...indexes);
            else {
              for (const [k, i] of indexes.entries()) {
                results[i] = { shardId: shard.meta.shardId, sequenceNumber: sequences[k] ?? '' };
              }
            }
          } catch (err) {
            if (err instanceof LambdaliteError && err.code === 'EngineClosed') throw err;
            // A shard other engine processes are writing at the same moment (a shared backend).
            const throttled =
              err instanceof LambdaliteError && err.code === 'ProvisionedThroughputExceededException';
            for (const i of indexes) {
              results[i] = throttled
                ? { errorCode: 'ProvisionedThroughputExceededException', errorMessage: err.message }
                : { errorCode: 'InternalFailure', errorMessage: 'Internal Service Failure' };
            }
          }
        }),
      );
      if (stream.deleted) throw notFound(stream.meta.name);
      pending = retry.sort((a, b) => a - b);
    }
    return { failedRecordCount: results.filter((r) => 'errorCode' in r).length, records: results };
  }

  async getShardIterator(
    nameOrArn: string,
    shardId: string,
    rawOptions: GetShardIteratorOptions,
  ): Promise<string> {
    this.#ctx.lifecycle.assertOpen();
    const stream = await this.#resolve(nameOrArn, true);
    const shard = this.#shard(stream, shardId);
    const options = checkIteratorOptions(rawOptions);
    const { type } = options;
    let position: Position;
    if (type === 'AT_SEQUENCE_NUMBER' || type === 'AFTER_SEQUENCE_NUMBER') {
      const sequence = assertShardSequence(options.sequenceNumber, shard.meta.index, shard.meta.shardId);
      position = { op: type === 'AT_SEQUENCE_NUMBER' ? 'gte' : 'gt', sequence };
    } else if (type === 'AT_TIMESTAMP') {
      const ms = options.timestamp instanceof Date ? options.timestamp.getTime() : options.timestamp;
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
        throw new LambdaliteError(
          'InvalidArgumentException',
          `options.timestamp must be a Date or epoch milliseconds for AT_TIMESTAMP, got ${JSON.stringify(options.timestamp)}`,
        );
      }
      // Sequence numbers start with their write time, so this seeks straight to the first
      // record written at or after `ms`.
      position = { op: 'gte', sequence: sequenceAt(shard.meta.index, ms) };
    } else {
      position = startPosition(shard, type);
    }
    return encodeIterator({
      uid: stream.meta.uid,
      shardIndex: shard.meta.index,
      position,
      issuedAt: this.#ctx.clock.now(),
    });
  }

  /**
   * Reads the next records of a shard. `nextShardIterator` is null once a closed shard was read
   * to its end; `childShards` then names the shards to read next.
   */
  async getRecords(shardIterator: string, options?: { limit?: number }): Promise<GetRecordsOutput> {
    this.#ctx.lifecycle.assertOpen();
    const now = this.#ctx.clock.now();
    const limit = checkLimit(readOptions(options, { limit: anyValue() }, 'InvalidArgumentException').limit);
    const token = decodeIterator(shardIterator, now);
    const stream = this.#log.findByUid(token.uid);
    const shard = stream?.shards.get(token.shardIndex);
    if (!stream || !shard) {
      throw new LambdaliteError(
        'ResourceNotFoundException',
        `the stream or shard of this shard iterator no longer exists (deleted, or the shard expired)`,
      );
    }
    const result = await this.#log.read(stream, shard, token.position, limit);
    const millisBehindLatest =
      result.caughtUp || result.lastArrival === undefined ? 0 : Math.max(0, now - result.lastArrival);
    if (result.shardEnded) {
      return {
        records: result.records,
        nextShardIterator: null,
        millisBehindLatest,
        childShards: childShards(stream, shard),
      };
    }
    const nextShardIterator = encodeIterator({ ...token, position: result.next, issuedAt: now });
    return { records: result.records, nextShardIterator, millisBehindLatest };
  }

  async splitShard(nameOrArn: string, shardToSplit: string, newStartingHashKey: string): Promise<void> {
    this.#ctx.lifecycle.assertOpen();
    const stream = await this.#resolve(nameOrArn, false);
    const children = await this.#log.withStream(stream.meta.arn, () => {
      if (stream.deleted) throw notFound(stream.meta.name);
      return splitShard(this.#log, stream, shardToSplit, newStartingHashKey);
    });
    this.#resharded(
      stream,
      'split',
      [shardToSplit],
      children.map((c) => c.shardId),
    );
  }

  async mergeShards(nameOrArn: string, shardToMerge: string, adjacentShardToMerge: string): Promise<void> {
    this.#ctx.lifecycle.assertOpen();
    const stream = await this.#resolve(nameOrArn, false);
    const children = await this.#log.withStream(stream.meta.arn, () => {
      if (stream.deleted) throw notFound(stream.meta.name);
      return mergeShards(this.#log, stream, shardToMerge, adjacentShardToMerge);
    });
    this.#resharded(
      stream,
      'merge',
      [shardToMerge, adjacentShardToMerge],
      children.map((c) => c.shardId),
    );
  }

  /** Sets the retention period (24 up to `quotas.streamRetentionMaxHours` hours). */
  async updateRetention(nameOrArn: string, retentionHours: number): Promise<void> {
    await this.#changeRetention(nameOrArn, retentionHours, 'any');
  }

  /** AWS IncreaseStreamRetentionPeriod: the new period must not be shorter than the current. */
  async increaseRetentionPeriod(nameOrArn: string, retentionHours: number): Promise<void> {
    await this.#changeRetention(nameOrArn, retentionHours, 'increase');
  }

  /** AWS DecreaseStreamRetentionPeriod: the new period must not be longer than the current. */
  async decreaseRetentionPeriod(nameOrArn: string, retentionHours: number): Promise<void> {
    await this.#changeRetention(nameOrArn, retentionHours, 'decrease');
  }

  /**
   * An Observable tail of a stream (or of one shard with `options.shardId`), woken by writes.
   * Everything is resolved at subscription: `LATEST` means after the records there at that
   * moment, and a bad argument (or a missing stream) arrives as the Observable's error.
   *
   * @example
   * engine.streams.records$('clicks', { from: 'TRIM_HORIZON' }).subscribe((r) => console.log(r.data));
   */
  records$(nameOrArn: string, options?: TailOptions): Observable<TailedRecord> {
    return defer(() => observed(this.#log, this.#tail(nameOrArn, options)));
  }

  /**
   * The same tail, pulled: a batch is read only when the loop asks for more than the last one
   * held, so a slow consumer is never flooded (an Observable pushes as fast as records are read).
   * Resolved when the iteration starts (its first `next()`), where errors arrive too; `break`
   * stops the reads.
   *
   * @example
   * for await (const record of engine.streams.records('clicks', { from: 'TRIM_HORIZON' })) {
   *   await slowWork(record);
   * }
   */
  async *records(nameOrArn: string, options?: TailOptions): AsyncGenerator<TailedRecord, void, undefined> {
    yield* pulled(this.#log, this.#tail(nameOrArn, options));
  }

  /** Resolves a tail's stream, shards and start positions, now. */
  #tail(nameOrArn: string, rawOptions: TailOptions | undefined): TailReader {
    this.#ctx.lifecycle.assertOpen();
    const stream = this.#resolveHere(nameOrArn, true);
    const options = checkTailOptions(rawOptions);
    const from = options.from ?? 'LATEST';
    const batchSize = options.batchSize ?? DEFAULT_BATCH;
    if (options.shardId !== undefined) {
      const shard = this.#shard(stream, options.shardId);
      if (typeof from === 'object') {
        const sequence = 'afterSequenceNumber' in from ? from.afterSequenceNumber : from.atSequenceNumber;
        assertShardSequence(sequence, shard.meta.index, shard.meta.shardId);
      }
      const position = startPosition(shard, from);
      return (signal) => shardRecords(this.#log, stream, shard, position, batchSize, signal);
    }
    if (typeof from === 'object') {
      throw new LambdaliteError(
        'InvalidArgumentException',
        'options.from as a sequence number needs options.shardId',
      );
    }
    const positions = streamStart(stream, from);
    return (signal) => streamRecords(this.#log, stream, positions, batchSize, signal);
  }

  async #changeRetention(
    nameOrArn: string,
    hours: number,
    direction: 'any' | 'increase' | 'decrease',
  ): Promise<void> {
    this.#ctx.lifecycle.assertOpen();
    const stream = await this.#resolve(nameOrArn, false);
    const retentionHours = checkRetentionHours(
      hours,
      this.#ctx.quotas.streamRetentionMaxHours,
      'retentionHours',
    );
    await this.#log.withStream(stream.meta.arn, async () => {
      if (stream.deleted) throw notFound(stream.meta.name);
      const current = stream.meta.retentionHours;
      if (
        (direction === 'increase' && retentionHours < current) ||
        (direction === 'decrease' && retentionHours > current)
      ) {
        throw new LambdaliteError(
          'InvalidArgumentException',
          `Requested retention period (${retentionHours} hours) for stream ${stream.meta.name} can not be ${
            direction === 'increase' ? 'shorter' : 'longer'
          } than existing retention period (${current} hours). Use ${direction === 'increase' ? 'Decrease' : 'Increase'}StreamRetentionPeriod API.`,
        );
      }
      await this.#log.saveMeta(stream, { ...stream.meta, retentionHours });
    });
    this.#ctx.events.emit('stream.retentionChanged', { streamArn: stream.meta.arn, retentionHours });
    void this.#retention.sweep();
  }

  #resharded(stream: StreamState, operation: 'split' | 'merge', closed: string[], children: string[]): void {
    // Closed parents expire one retention period after closing, even if they hold no records.
    this.#retention.scheduleAt(this.#ctx.clock.now() + stream.meta.retentionHours * 3_600_000);
    this.#log.signal({ kind: 'shardsChanged', streamArn: stream.meta.arn });
    this.#ctx.events.emit('stream.resharded', {
      streamArn: stream.meta.arn,
      operation,
      closedShardIds: closed,
      childShardIds: children,
    });
  }

  /**
   * A stream by name or ARN; `anyKind` admits table stream ARNs (reader methods). A stream this
   * process does not know is looked up in the shared catalog (another process may have created it).
   */
  async #resolve(nameOrArn: string, anyKind: boolean, fresh = false): Promise<StreamState> {
    const arn = this.#arnOf(nameOrArn);
    const known = fresh ? undefined : this.#log.find(arn);
    return this.#found(nameOrArn, known ?? (await this.#log.lookup(arn, fresh)), anyKind);
  }

  /** {@link #resolve} among the streams this process knows (tails resolve synchronously). */
  #resolveHere(nameOrArn: string, anyKind: boolean): StreamState {
    return this.#found(nameOrArn, this.#log.find(this.#arnOf(nameOrArn)), anyKind);
  }

  /** The ARN a stream name or ARN names, once its shape is checked. */
  #arnOf(nameOrArn: string): string {
    if (typeof nameOrArn === 'string' && nameOrArn.startsWith('arn:')) {
      parseArn(nameOrArn);
      return nameOrArn;
    }
    checkStreamName(nameOrArn);
    return this.#ctx.arns.stream(nameOrArn);
  }

  /** The stream found for a checked name or ARN, or the not-found error naming it. */
  #found(nameOrArn: string, stream: StreamState | undefined, anyKind: boolean): StreamState {
    if (nameOrArn.startsWith('arn:')) {
      if (!stream || (!anyKind && stream.meta.kind !== 'kinesis')) {
        throw new LambdaliteError(
          'ResourceNotFoundException',
          `Stream ${nameOrArn} not found (${parseArn(nameOrArn).service} ARN)`,
        );
      }
      return stream;
    }
    if (!stream) throw notFound(nameOrArn);
    return stream;
  }

  #shard(stream: StreamState, shardId: string): ShardState {
    const index = shardIndexOf(shardId);
    const shard = index === undefined ? undefined : stream.shards.get(index);
    if (!shard) {
      throw new LambdaliteError(
        'ResourceNotFoundException',
        `Shard ${JSON.stringify(shardId)} in stream ${stream.meta.name} under account ${this.#ctx.accountId} does not exist`,
      );
    }
    return shard;
  }
}

function notFound(name: string): LambdaliteError {
  return new LambdaliteError('ResourceNotFoundException', `Stream ${name} not found`);
}

function describeShard(shard: ShardState): ShardDescription {
  const m = shard.meta;
  return {
    shardId: m.shardId,
    ...(m.parentShardId === undefined ? {} : { parentShardId: m.parentShardId }),
    ...(m.adjacentParentShardId === undefined ? {} : { adjacentParentShardId: m.adjacentParentShardId }),
    hashKeyRange: { startingHashKey: m.start, endingHashKey: m.end },
    sequenceNumberRange: {
      startingSequenceNumber: m.startingSequenceNumber,
      ...(m.endingSequenceNumber === undefined ? {} : { endingSequenceNumber: m.endingSequenceNumber }),
    },
  };
}

export function describeStream(stream: StreamState): StreamDescription {
  const shards = [...stream.shards.values()].sort((a, b) => a.meta.index - b.meta.index);
  return {
    streamName: stream.meta.name,
    streamArn: stream.meta.arn,
    streamStatus: 'ACTIVE',
    retentionPeriodHours: stream.meta.retentionHours,
    streamCreationTimestamp: new Date(stream.meta.createdAt),
    shards: shards.map(describeShard),
    openShardCount: stream.open.length,
  };
}

function childShards(stream: StreamState, parent: ShardState): ChildShard[] {
  const id = parent.meta.shardId;
  return [...stream.shards.values()]
    .filter((s) => s.meta.parentShardId === id || s.meta.adjacentParentShardId === id)
    .map((s) => ({
      shardId: s.meta.shardId,
      parentShards: [s.meta.parentShardId, s.meta.adjacentParentShardId].filter(
        (p): p is string => p !== undefined,
      ),
      hashKeyRange: { startingHashKey: s.meta.start, endingHashKey: s.meta.end },
    }));
}

export type { StreamRecord };
