import {
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Served, startServed } from './harness.js';

let served: Served;
let ddb: DynamoDBClient;
let streams: DynamoDBStreamsClient;

beforeAll(async () => {
  served = await startServed();
  ddb = new DynamoDBClient(served.client);
  streams = new DynamoDBStreamsClient(served.client);
});
afterAll(async () => {
  ddb.destroy();
  streams.destroy();
  await served.close();
});

const ordersTable = {
  TableName: 'orders',
  AttributeDefinitions: [
    { AttributeName: 'customer', AttributeType: 'S' as const },
    { AttributeName: 'at', AttributeType: 'N' as const },
  ],
  KeySchema: [
    { AttributeName: 'customer', KeyType: 'HASH' as const },
    { AttributeName: 'at', KeyType: 'RANGE' as const },
  ],
  BillingMode: 'PAY_PER_REQUEST' as const,
  StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' as const },
};

describe('DynamoDB through the SDK', () => {
  it('creates, describes, lists and deletes tables', async () => {
    const created = await ddb.send(new CreateTableCommand({ ...ordersTable, TableName: 'temp' }));
    expect(created.TableDescription).toMatchObject({
      TableName: 'temp',
      TableStatus: 'ACTIVE',
      StreamSpecification: { StreamEnabled: true },
    });
    expect(created.TableDescription?.LatestStreamArn).toMatch(
      /^arn:aws:dynamodb:us-east-1:000000000000:table\/temp\/stream\//,
    );
    expect((await ddb.send(new DescribeTableCommand({ TableName: 'temp' }))).Table?.KeySchema).toEqual(
      ordersTable.KeySchema,
    );
    expect((await ddb.send(new ListTablesCommand({}))).TableNames).toContain('temp');
    await ddb.send(new DeleteTableCommand({ TableName: 'temp' }));
    await expect(ddb.send(new DescribeTableCommand({ TableName: 'temp' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('puts, gets, updates (SET/REMOVE), queries and deletes items', async () => {
    await ddb.send(new CreateTableCommand(ordersTable));
    for (const at of [1, 2, 3]) {
      await ddb.send(
        new PutItemCommand({
          TableName: 'orders',
          Item: {
            customer: { S: 'ada' },
            at: { N: String(at) },
            total: { N: String(at * 10) },
            tags: { SS: ['x'] },
          },
        }),
      );
    }
    const got = await ddb.send(
      new GetItemCommand({ TableName: 'orders', Key: { customer: { S: 'ada' }, at: { N: '2' } } }),
    );
    expect(got.Item).toEqual({
      customer: { S: 'ada' },
      at: { N: '2' },
      total: { N: '20' },
      tags: { SS: ['x'] },
    });
    const updated = await ddb.send(
      new UpdateItemCommand({
        TableName: 'orders',
        Key: { customer: { S: 'ada' }, at: { N: '2' } },
        UpdateExpression: 'SET #t = :t, note = :n REMOVE tags',
        ExpressionAttributeNames: { '#t': 'total' },
        ExpressionAttributeValues: { ':t': { N: '25' }, ':n': { S: 'fixed' } },
        ReturnValues: 'ALL_NEW',
      }),
    );
    expect(updated.Attributes).toEqual({
      customer: { S: 'ada' },
      at: { N: '2' },
      total: { N: '25' },
      note: { S: 'fixed' },
    });
    const page = await ddb.send(
      new QueryCommand({
        TableName: 'orders',
        KeyConditionExpression: 'customer = :c AND #at BETWEEN :lo AND :hi',
        ExpressionAttributeNames: { '#at': 'at' },
        ExpressionAttributeValues: { ':c': { S: 'ada' }, ':lo': { N: '2' }, ':hi': { N: '3' } },
        ScanIndexForward: false,
      }),
    );
    expect(page.Items?.map((i) => i['at']?.N)).toEqual(['3', '2']);
    const limited = await ddb.send(
      new QueryCommand({
        TableName: 'orders',
        KeyConditionExpression: 'customer = :c',
        ExpressionAttributeValues: { ':c': { S: 'ada' } },
        Limit: 1,
      }),
    );
    expect(limited.LastEvaluatedKey).toEqual({ customer: { S: 'ada' }, at: { N: '1' } });
    await ddb.send(
      new DeleteItemCommand({ TableName: 'orders', Key: { customer: { S: 'ada' }, at: { N: '1' } } }),
    );
    expect(
      (
        await ddb.send(
          new GetItemCommand({ TableName: 'orders', Key: { customer: { S: 'ada' }, at: { N: '1' } } }),
        )
      ).Item,
    ).toBeUndefined();
  });

  it('refuses a failed condition and an unsupported expression with DynamoDB error names', async () => {
    await ddb.send(
      new CreateTableCommand({ ...ordersTable, TableName: 'cond', StreamSpecification: undefined }),
    );
    const item = { customer: { S: 'bo' }, at: { N: '1' } };
    await ddb.send(
      new PutItemCommand({
        TableName: 'cond',
        Item: item,
        ConditionExpression: 'attribute_not_exists(customer)',
      }),
    );
    await expect(
      ddb.send(
        new PutItemCommand({
          TableName: 'cond',
          Item: item,
          ConditionExpression: 'attribute_not_exists(customer)',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    await expect(
      ddb.send(
        new UpdateItemCommand({
          TableName: 'cond',
          Key: item,
          UpdateExpression: 'ADD n :one',
          ExpressionAttributeValues: { ':one': { N: '1' } },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(ddb.send(new GetItemCommand({ TableName: 'nope', Key: item }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('reads table changes through DynamoDB Streams', async () => {
    await ddb.send(new CreateTableCommand({ ...ordersTable, TableName: 'changes' }));
    const key = { customer: { S: 'cy' }, at: { N: '1' } };
    await ddb.send(new PutItemCommand({ TableName: 'changes', Item: { ...key, v: { N: '1' } } }));
    await ddb.send(new PutItemCommand({ TableName: 'changes', Item: { ...key, v: { N: '2' } } }));
    await ddb.send(new DeleteItemCommand({ TableName: 'changes', Key: key }));
    const { Streams } = await streams.send(new ListStreamsCommand({ TableName: 'changes' }));
    const arn = Streams![0]!.StreamArn!;
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: arn }));
    expect(StreamDescription).toMatchObject({
      TableName: 'changes',
      StreamViewType: 'NEW_AND_OLD_IMAGES',
      StreamStatus: 'ENABLED',
    });
    const shardId = StreamDescription!.Shards![0]!.ShardId!;
    const { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({ StreamArn: arn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    const { Records } = await streams.send(new GetRecordsCommand({ ShardIterator }));
    expect(Records?.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
    expect(Records?.[1]?.dynamodb).toMatchObject({
      OldImage: { v: { N: '1' } },
      NewImage: { v: { N: '2' } },
      Keys: key,
    });
    expect(Records?.[0]?.dynamodb?.ApproximateCreationDateTime).toBeInstanceOf(Date);
    await expect(streams.send(new GetRecordsCommand({ ShardIterator: 'garbage' }))).rejects.toMatchObject({
      name: 'InvalidArgumentException',
    });
  });
});
