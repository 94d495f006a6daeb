import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  ListStreamsCommand,
  MergeShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  SplitShardCommand,
} from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/index.js';
import { type Served, startServed } from './harness.js';

let served: Served;
let kinesis: KinesisClient;
const clock = new ManualClock(Date.UTC(2026, 0, 1));

beforeAll(async () => {
  served = await startServed({ engine: { clock } });
  // The SDK's default handler for Kinesis speaks cleartext HTTP/2.
  kinesis = new KinesisClient(served.client);
});
afterAll(async () => {
  kinesis.destroy();
  await served.close();
});

describe('Kinesis through the SDK (HTTP/2)', () => {
  it('creates, describes, lists and deletes streams', async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: 'clicks', ShardCount: 2 }));
    const { StreamDescription } = await kinesis.send(new DescribeStreamCommand({ StreamName: 'clicks' }));
    expect(StreamDescription).toMatchObject({
      StreamName: 'clicks',
      StreamStatus: 'ACTIVE',
      RetentionPeriodHours: 24,
    });
    expect(StreamDescription?.Shards).toHaveLength(2);
    expect(StreamDescription?.StreamCreationTimestamp).toEqual(new Date(clock.now()));
    const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'clicks' }));
    expect(summary.StreamDescriptionSummary?.OpenShardCount).toBe(2);
    expect((await kinesis.send(new ListStreamsCommand({}))).StreamNames).toContain('clicks');
    expect((await kinesis.send(new ListShardsCommand({ StreamName: 'clicks' }))).Shards).toHaveLength(2);
    await kinesis.send(new DeleteStreamCommand({ StreamName: 'clicks' }));
    await expect(kinesis.send(new DescribeStreamCommand({ StreamName: 'clicks' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('puts records and reads them back in order with iterators', async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: 'orders', ShardCount: 1 }));
    const one = await kinesis.send(
      new PutRecordCommand({ StreamName: 'orders', PartitionKey: 'a', Data: Buffer.from('first') }),
    );
    expect(one.ShardId).toBe('shardId-000000000000');
    const many = await kinesis.send(
      new PutRecordsCommand({
        StreamName: 'orders',
        Records: [
          { PartitionKey: 'a', Data: Buffer.from('second') },
          { PartitionKey: 'b', Data: Buffer.from('third') },
        ],
      }),
    );
    expect(many.FailedRecordCount).toBe(0);
    expect(many.Records).toHaveLength(2);
    const { ShardIterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: 'orders',
        ShardId: one.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const page = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
    expect(page.Records?.map((r) => Buffer.from(r.Data!).toString())).toEqual(['first', 'second', 'third']);
    expect(page.Records?.[0]?.ApproximateArrivalTimestamp).toEqual(new Date(clock.now()));
    expect(page.NextShardIterator).toBeTruthy();
    const after = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: 'orders',
        ShardId: one.ShardId,
        ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
        StartingSequenceNumber: one.SequenceNumber,
      }),
    );
    const rest = await kinesis.send(new GetRecordsCommand({ ShardIterator: after.ShardIterator, Limit: 1 }));
    expect(rest.Records?.map((r) => Buffer.from(r.Data!).toString())).toEqual(['second']);
  });

  it('names bad and expired iterators as Kinesis does', async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: 'iter' }));
    await expect(
      kinesis.send(new GetRecordsCommand({ ShardIterator: 'not-an-iterator' })),
    ).rejects.toMatchObject({
      name: 'InvalidArgumentException',
      $metadata: { httpStatusCode: 400 },
    });
    const { ShardIterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: 'iter',
        ShardId: 'shardId-000000000000',
        ShardIteratorType: 'LATEST',
      }),
    );
    clock.advance(6 * 60_000);
    await expect(kinesis.send(new GetRecordsCommand({ ShardIterator }))).rejects.toMatchObject({
      name: 'ExpiredIteratorException',
    });
    await expect(
      kinesis.send(new PutRecordCommand({ StreamName: 'nope', PartitionKey: 'a', Data: Buffer.from('x') })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('splits and merges shards', async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: 'reshard', ShardCount: 1 }));
    await kinesis.send(
      new SplitShardCommand({
        StreamName: 'reshard',
        ShardToSplit: 'shardId-000000000000',
        NewStartingHashKey: (1n << 127n).toString(),
      }),
    );
    await kinesis.send(
      new MergeShardsCommand({
        StreamName: 'reshard',
        ShardToMerge: 'shardId-000000000001',
        AdjacentShardToMerge: 'shardId-000000000002',
      }),
    );
    const { StreamDescription } = await kinesis.send(new DescribeStreamCommand({ StreamName: 'reshard' }));
    expect(StreamDescription?.Shards?.map((s) => s.ShardId)).toEqual([
      'shardId-000000000000',
      'shardId-000000000001',
      'shardId-000000000002',
      'shardId-000000000003',
    ]);
    expect(StreamDescription?.Shards?.[3]).toMatchObject({
      ParentShardId: 'shardId-000000000001',
      AdjacentParentShardId: 'shardId-000000000002',
    });
  });

  it('answers UnknownOperationException naming an unsupported operation', async () => {
    const res = await fetch(served.server.url, {
      method: 'POST',
      headers: {
        'x-amz-target': 'Kinesis_20131202.RegisterStreamConsumer',
        'content-type': 'application/x-amz-json-1.1',
      },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(((await res.json()) as { message: string }).message).toContain('RegisterStreamConsumer');
  });
});
