/**
 * The embedded {@link ShardStore}: chunks in one LevelDB sublevel under `uid NUL last sequence`,
 * and each shard's last sequence number in another, written in the same batch as its chunk.
 */
import { joinKey, SEP } from '../storage/keys.js';
import {
  type BatchOp,
  delOp,
  type PrefixedPutOp,
  prefixedPutOp,
  putOp,
  type Storage,
  type Sub,
} from '../storage/storage.js';
import { storedSequences } from './record-codec.js';
import { type ReadOptions, readStored } from './shard-read.js';
import type { ShardStore, StoredShard } from './shard-store.js';
import type { Position, ReadResult, ShardState, StreamState } from './shard-types.js';

export class LevelShardStore implements ShardStore {
  readonly #storage: Storage;
  readonly #records: Sub<Buffer>;
  readonly #counters: Sub<string>;

  constructor(storage: Storage) {
    this.#storage = storage;
    this.#records = storage.sublevel<Buffer>('stream-records', 'buffer');
    this.#counters = storage.sublevel<string>('stream-counters', 'utf8');
  }

  async lastSequences(shards: readonly StoredShard[]): Promise<Map<StoredShard, string>> {
    const counters = new Map(await this.#counters.iterator().all());
    const out = new Map<StoredShard, string>();
    for (const shard of shards) {
      const last = counters.get(joinKey(shard.uid, shard.prefix));
      if (last !== undefined) out.set(shard, last);
    }
    return out;
  }

  async append(
    stream: StreamState,
    shard: ShardState,
    last: string,
    chunk: Buffer,
    extraOps: readonly BatchOp[],
  ): Promise<void> {
    const uid = stream.meta.uid;
    const ops: Array<BatchOp | PrefixedPutOp> = [
      prefixedPutOp(this.#records, uid + SEP + last, chunk),
      putOp(this.#counters, joinKey(uid, shard.prefix), last),
    ];
    for (const op of extraOps) ops.push(op);
    await this.#storage.batch(ops);
  }

  read(
    stream: StreamState,
    shard: ShardState,
    from: Position,
    limit: number,
    options: ReadOptions,
  ): Promise<ReadResult> {
    return readStored(this.#records, stream, shard, from, limit, options);
  }

  /**
   * The chunk holding the first record at or after `sequence` may start before it (its key is
   * its last record), so it is looked into first.
   */
  async lastBefore(stream: StreamState, shard: ShardState, sequence: string): Promise<string | undefined> {
    const base = stream.meta.uid + SEP;
    const { gte, lt } = shardRange(stream, shard);
    const [straddling] = await this.#records.iterator({ gte: base + sequence, lt, limit: 1 }).all();
    if (straddling) {
      const before = storedSequences(straddling[1], straddling[0].slice(base.length)).filter(
        (s) => s < sequence,
      );
      if (before.length > 0) return before.at(-1);
    }
    const [key] = await this.#records.keys({ gte, lt: base + sequence, reverse: true, limit: 1 }).all();
    return key?.slice(base.length);
  }

  async firstChunkEnd(stream: StreamState, shard: ShardState): Promise<string | undefined> {
    const [first] = await this.#records.keys({ ...shardRange(stream, shard), limit: 1 }).all();
    return first?.slice(stream.meta.uid.length + 1);
  }

  async trimBefore(stream: StreamState, shard: ShardState, sequence: string): Promise<void> {
    await this.#records.clear({
      gte: stream.meta.uid + SEP + shard.prefix,
      lt: stream.meta.uid + SEP + sequence,
    });
  }

  async dropShard(stream: StreamState, shard: ShardState): Promise<void> {
    await this.#storage.batch([delOp(this.#counters, joinKey(stream.meta.uid, shard.prefix))]);
    await this.#records.clear(shardRange(stream, shard));
  }

  async purge(uid: string): Promise<void> {
    await this.#records.clear({ gte: uid + SEP, lt: uid + '\x01' });
    await this.#counters.clear({ gte: uid + SEP, lt: uid + '\x01' });
  }
}

/** Key range of all records of one shard. */
function shardRange(stream: StreamState, shard: ShardState): { gte: string; lt: string } {
  const base = stream.meta.uid + SEP + shard.prefix;
  return { gte: base, lt: base + 'A' };
}
