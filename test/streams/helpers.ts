import type { Engine, GetShardIteratorOptions, StreamRecord } from '../../src/index.js';

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
