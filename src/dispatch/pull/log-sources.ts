/**
 * The ShardSource adapter over the real shard log: Kinesis-style streams and DynamoDB table
 * streams, read directly through {@link ShardLog.read} (no iterator strings). Wake-ups come from
 * the shard log's own signal (a commit, a split/merge, an expired parent, the deletion of the
 * stream or of the table that owns it), never from the engine's public events: those are built
 * only when someone outside observes them.
 */
import { filter, map, type Observable } from 'rxjs';
import type { StreamRecord } from '../../streams/model.js';
import { sequenceAt } from '../../streams/sequence.js';
import type { Position, ShardLog, ShardSignal, ShardState, StreamState } from '../../streams/shard-log.js';
import type { ShardSources } from './deps.js';
import type { ShardSource, SourceKind, SourceRecord, SourceShard, StartPosition } from './shard-source.js';

export class LogShardSource implements ShardSource {
  readonly kind: SourceKind;
  readonly arn: string;
  readonly #log: ShardLog;
  readonly #stream: StreamState;
  readonly #signals$: Observable<ShardSignal>;

  constructor(log: ShardLog, stream: StreamState) {
    this.#log = log;
    this.#stream = stream;
    this.#signals$ = log.signals$;
    this.kind = stream.meta.kind;
    this.arn = stream.meta.arn;
  }

  async listShards(): Promise<SourceShard[]> {
    // Children always get higher indexes than their parents: index order is parents first.
    return [...this.#stream.shards.values()]
      .sort((a, b) => a.meta.index - b.meta.index)
      .map(({ meta }) => ({
        shardId: meta.shardId,
        parentShardIds: [meta.parentShardId, meta.adjacentParentShardId].filter(
          (id): id is string => id !== undefined,
        ),
        closed: meta.closedAt !== undefined,
      }));
  }

  async read(shardId: string, afterSequence: string | undefined, limit: number): Promise<SourceRecord[]> {
    const shard = this.#shard(shardId);
    if (!shard || this.#stream.deleted) return [];
    // Caught up (the usual case after each batch of a busy poller): no LevelDB iterator needed.
    const last = shard.lastSequence;
    if (last === undefined || (afterSequence !== undefined && afterSequence >= last)) return [];
    // A poller close behind the writers: the records it wants are still in memory.
    if (afterSequence !== undefined && this.kind === 'kinesis') {
      const recent = this.#log.readTail(this.#stream, shard, afterSequence, limit);
      if (recent && recent.length > 0) return recent as SourceRecord[];
    }
    let position: Position =
      afterSequence === undefined
        ? { op: 'gte', sequence: sequenceAt(shard.meta.index, 0) }
        : { op: 'gt', sequence: afterSequence };
    // A page may come back short or empty when it skipped expired records: read on until
    // something live came or the shard has nothing more.
    for (;;) {
      const result = await this.#log.read(this.#stream, shard, position, limit);
      if (result.records.length > 0) return result.records.map((r) => this.#toSource(r));
      if (result.caughtUp || result.next.sequence === position.sequence) return [];
      position = result.next;
    }
  }

  async resolveStart(shardId: string, position: StartPosition): Promise<string | undefined> {
    const shard = this.#shard(shardId);
    if (!shard || position.type === 'TRIM_HORIZON') return undefined;
    if (position.type === 'LATEST') return shard.lastSequence;
    // The last record written before the timestamp (sequence numbers carry the write time).
    return this.#log.lastBefore(
      this.#stream,
      shard,
      sequenceAt(shard.meta.index, Math.max(0, position.timestampMs)),
    );
  }

  async isDrained(shardId: string, afterSequence: string | undefined): Promise<boolean> {
    const shard = this.#shard(shardId);
    if (!shard) return true;
    if (shard.meta.closedAt === undefined) return false;
    // A shared stream: appends other processes had in flight at the close are stored once it
    // is fenced; until then it is not drained.
    if (!(await this.#log.fenced(this.#stream, shard))) return false;
    return (await this.read(shardId, afterSequence, 1)).length === 0;
  }

  changes$(shardId?: string): Observable<void> {
    const arn = this.arn;
    return this.#signals$.pipe(
      filter((s) => {
        if (s.streamArn !== arn) return false;
        return s.kind !== 'appended' || shardId === undefined || s.shardId === shardId;
      }),
      map(() => undefined),
    );
  }

  async exists(): Promise<boolean> {
    return !this.#stream.deleted && this.#log.find(this.arn) === this.#stream;
  }

  #shard(shardId: string): ShardState | undefined {
    for (const shard of this.#stream.shards.values()) if (shard.meta.shardId === shardId) return shard;
    return undefined;
  }

  #toSource(record: StreamRecord): SourceRecord {
    const arrivalMs = record.approximateArrivalTimestamp.getTime();
    if (this.kind === 'dynamodb' && record.change) {
      return {
        sequenceNumber: record.sequenceNumber,
        arrivalMs,
        change: record.change as unknown as Record<string, unknown>,
      };
    }
    return {
      sequenceNumber: record.sequenceNumber,
      arrivalMs,
      partitionKey: record.partitionKey,
      data: record.data,
    };
  }
}

/** Shard sources for every stream and table stream of the engine's shard log. */
export function logShardSources(log: ShardLog): ShardSources {
  const cache = new WeakMap<StreamState, LogShardSource>();
  return {
    async get(arn) {
      // A shared stream this process has not seen yet is looked up on the cluster.
      const stream = await log.lookup(arn);
      if (!stream || stream.deleted) return undefined;
      let source = cache.get(stream);
      if (!source) {
        source = new LogShardSource(log, stream);
        cache.set(stream, source);
      }
      return source;
    },
  };
}
