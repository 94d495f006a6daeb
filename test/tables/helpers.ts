import type { DynamoDBStreamRecord, Engine } from '../../src/index.js';

/** Every change record of a table stream, from TRIM_HORIZON until caught up. */
export async function changes(engine: Engine, streamArn: string): Promise<DynamoDBStreamRecord[]> {
  let iterator: string | null = await engine.streams.getShardIterator(streamArn, 'shardId-000000000000', {
    type: 'TRIM_HORIZON',
  });
  const out: DynamoDBStreamRecord[] = [];
  while (iterator) {
    const page = await engine.streams.getRecords(iterator);
    for (const record of page.records) if (record.change) out.push(record.change);
    if (page.records.length === 0) break;
    iterator = page.nextShardIterator;
  }
  return out;
}
