import { createContext, Lifecycle, resolveOptions } from '../../src/context.js';
import { EventHub } from '../../src/events.js';
import type { Engine, GetShardIteratorOptions, ManualClock, StreamRecord } from '../../src/index.js';
import { Storage } from '../../src/storage/storage.js';
import { LevelShardStore } from '../../src/streams/level-shard-store.js';
import { ShardLog } from '../../src/streams/shard-log.js';

/** Reads a shard from `options` until caught up (or SHARD_END); returns records and the end state. */
export async function readShard(
  engine: Engine,
  stream: string,
  shardId: string,
  options: GetShardIteratorOptions = { type: 'TRIM_HORIZON' },
  limit?: number,
): Promise<{ records: StreamRecord[]; ended: boolean; childShardIds: string[] }> {
  let iterator: string | null = await engine.streams.getShardIterator(stream, shardId, options);
  const records: StreamRecord[] = [];
  while (iterator) {
    const page = await engine.streams.getRecords(iterator, limit === undefined ? {} : { limit });
    records.push(...page.records);
    if (page.nextShardIterator === null) {
      return { records, ended: true, childShardIds: (page.childShards ?? []).map((c) => c.shardId) };
    }
    if (page.records.length === 0) break;
    iterator = page.nextShardIterator;
  }
  return { records, ended: false, childShardIds: [] };
}

export const text = (records: StreamRecord[]): string[] => records.map((r) => r.data.toString('utf8'));

/**
 * A shard log on its own (memory storage, no engine) with a one-shard Kinesis stream `name`, and
 * `put(...data)`: one append of those strings (partition key `k-<data>`), its sequence numbers.
 */
export async function openShardLog(clock: ManualClock, name: string) {
  const storage = await Storage.open();
  const events = new EventHub(clock);
  const lifecycle = new Lifecycle();
  lifecycle.markOpen();
  const log = await ShardLog.open(
    createContext(resolveOptions({ clock }), storage, events, lifecycle),
    new LevelShardStore(storage),
  );
  const stream = await log.create(
    `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`,
    name,
    'kinesis',
    1,
    24,
  );
  const shard = stream.shards.get(0);
  if (!shard) throw new Error('no shard');
  const put = async (...data: string[]) =>
    (await log.appendToShard(
      stream,
      shard,
      data.map((d) => ({ partitionKey: `k-${d}`, data: Buffer.from(d), hashKey: undefined })),
    )) ?? [];
  return { storage, events, log, stream, shard, put };
}
