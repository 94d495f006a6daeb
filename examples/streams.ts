/**
 * Streams and tables in one process: a Kinesis-style stream tailed with records$, and a
 * DynamoDB-style table whose change records are read with the same reader API.
 * Run: npx tsx examples/streams.ts
 */
import { createEngine } from '../src/index.js';

const engine = await createEngine();

await engine.streams.create('clicks', { shardCount: 2 });
const tail = engine.streams.records$('clicks', { from: 'TRIM_HORIZON' }).subscribe((r) => {
  console.log(`${r.shardId} ${r.sequenceNumber} ${r.partitionKey}=${r.data.toString()}`);
});
await engine.streams.putRecords('clicks', [
  { partitionKey: 'user-1', data: 'home' },
  { partitionKey: 'user-2', data: 'cart' },
  { partitionKey: 'user-1', data: 'checkout' },
]);

const { streamArn } = await engine.tables.create('users', {
  partitionKey: 'id',
  streamViewType: 'NEW_AND_OLD_IMAGES',
});
await engine.tables.putItem('users', { id: 'u1', name: 'Ada', tags: new Set(['admin']) });
await engine.tables.updateItem('users', { id: 'u1' }, { set: { name: 'Ada L.' } });
if (streamArn) {
  const iterator = await engine.streams.getShardIterator(streamArn, 'shardId-000000000000', {
    type: 'TRIM_HORIZON',
  });
  const { records } = await engine.streams.getRecords(iterator);
  for (const r of records) console.log(JSON.stringify(r.change));
}

tail.unsubscribe();
await engine.close();
