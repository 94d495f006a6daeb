import { describe, expect, it } from 'vitest';
import { expectCode } from '../../helpers/errors.js';

import { checkpointed, e2e, lines, pullFunction } from '../../helpers/pull-e2e.js';
import { T0 } from '../../helpers/pull-harness.js';

describe('a real function fed by a real stream', () => {
  it('receives the exact Kinesis event', async () => {
    const h = await e2e();
    const stream = await h.engine.streams.create('orders');
    await pullFunction(h, 'reader', 'events');
    h.clock.advance(987);
    const first = await h.engine.streams.putRecord('orders', {
      partitionKey: 'user-1',
      data: 'Hello, this is a test.',
    });
    const second = await h.engine.streams.putRecord('orders', {
      partitionKey: 'user-2',
      data: Buffer.from([0, 255]),
    });
    const { uuid } = await h.engine.mappings.create({
      functionName: 'reader',
      eventSourceArn: stream.streamArn,
      startingPosition: 'TRIM_HORIZON',
    });
    await checkpointed(h, uuid, first.shardId, second.sequenceNumber);
    const record = (partitionKey: string, sequenceNumber: string, data: string) => ({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey,
        sequenceNumber,
        data,
        approximateArrivalTimestamp: (T0 + 987) / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `shardId-000000000000:${sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      // the function's execution role (the mapping names no invocation role)
      invokeIdentityArn: 'arn:aws:iam::000000000000:role/stream-reader',
      awsRegion: 'us-east-1',
      eventSourceARN: stream.streamArn,
    });
    expect(lines(h).map((l) => JSON.parse(l))).toEqual([
      {
        Records: [
          record('user-1', first.sequenceNumber, 'SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg=='),
          record('user-2', second.sequenceNumber, 'AP8='),
        ],
      },
    ]);
  });

  it('receives the Kinesis event with the fields in the order of the JSON Lambda sends', async () => {
    const h = await e2e();
    const stream = await h.engine.streams.create('ordered');
    await pullFunction(h, 'reader', 'events');
    const put = await h.engine.streams.putRecord('ordered', { partitionKey: 'k\t"ü"\n', data: 'abc' });
    const { uuid } = await h.engine.mappings.create({
      functionName: 'reader',
      eventSourceArn: stream.streamArn,
      startingPosition: 'TRIM_HORIZON',
    });
    await checkpointed(h, uuid, put.shardId, put.sequenceNumber);
    // The handler wrote JSON.stringify(event): the text shows the order of the fields it got.
    expect(lines(h)).toEqual([
      `{"Records":[{"kinesis":{"kinesisSchemaVersion":"1.0","partitionKey":"k\\t\\"ü\\"\\n","sequenceNumber":"${put.sequenceNumber}","data":"YWJj","approximateArrivalTimestamp":${T0 / 1000}},"eventSource":"aws:kinesis","eventVersion":"1.0","eventID":"shardId-000000000000:${put.sequenceNumber}","eventName":"aws:kinesis:record","invokeIdentityArn":"arn:aws:iam::000000000000:role/stream-reader","awsRegion":"us-east-1","eventSourceARN":"${stream.streamArn}"}]}`,
    ]);
  });

  it('receives the exact DynamoDB Streams event of a table', async () => {
    const h = await e2e();
    const { streamArn } = await h.engine.tables.create('users', {
      partitionKey: 'id',
      streamViewType: 'NEW_AND_OLD_IMAGES',
    });
    if (!streamArn) throw new Error('table has no stream');
    await pullFunction(h, 'auditor', 'events');
    const { uuid } = await h.engine.mappings.create({
      functionName: 'auditor',
      eventSourceArn: streamArn,
      startingPosition: 'TRIM_HORIZON',
    });
    await h.engine.tables.putItem('users', { id: 'u1', name: 'Ada' });
    h.clock.advance(2000);
    await h.engine.tables.putItem('users', { id: 'u1', name: 'Grace' });
    await h.engine.tables.deleteItem('users', { id: 'u1' });
    const removal = await h.events.wait('stream.appended', (e) => e.streamArn === streamArn, 3);
    await checkpointed(h, uuid, removal.shardId, removal.lastSequenceNumber);
    const received = lines(h).flatMap((l) => (JSON.parse(l) as { Records: unknown[] }).Records);
    const base = (eventName: string, at: number, images: Record<string, unknown>) => ({
      eventID: expect.stringMatching(/^[0-9a-f]{32}$/),
      eventName,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      dynamodb: {
        ApproximateCreationDateTime: at / 1000,
        Keys: { id: { S: 'u1' } },
        ...images,
        SequenceNumber: expect.stringMatching(/^4\d{34}$/),
        SizeBytes: expect.any(Number),
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      eventSourceARN: streamArn,
    });
    expect(received).toEqual([
      base('INSERT', T0, { NewImage: { id: { S: 'u1' }, name: { S: 'Ada' } } }),
      base('MODIFY', T0 + 2000, {
        NewImage: { id: { S: 'u1' }, name: { S: 'Grace' } },
        OldImage: { id: { S: 'u1' }, name: { S: 'Ada' } },
      }),
      base('REMOVE', T0 + 2000, { OldImage: { id: { S: 'u1' }, name: { S: 'Grace' } } }),
    ]);
  });
});

describe('creating a mapping checks the real sources and functions', () => {
  it('refuses unknown streams, tables without a stream, unknown functions and other regions', async () => {
    const h = await e2e();
    await pullFunction(h, 'fn', 'ids');
    const stream = await h.engine.streams.create('known');
    await h.engine.tables.create('plain', { partitionKey: 'id' });
    await expectCode(
      h.engine.mappings.create({
        functionName: 'fn',
        eventSourceArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/missing',
        startingPosition: 'LATEST',
      }),
      'ResourceNotFoundException',
      /stream\/missing/,
    );
    await expectCode(
      h.engine.mappings.create({
        functionName: 'fn',
        eventSourceArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/plain/stream/2026-01-01T00:00:00.000',
        startingPosition: 'LATEST',
      }),
      'ResourceNotFoundException',
      /table\/plain/,
    );
    await expectCode(
      h.engine.mappings.create({
        functionName: 'nobody',
        eventSourceArn: stream.streamArn,
        startingPosition: 'LATEST',
      }),
      'ResourceNotFoundException',
      /nobody/,
    );
    await expectCode(
      h.engine.mappings.create({
        functionName: 'fn',
        eventSourceArn: stream.streamArn.replace('us-east-1', 'eu-west-1'),
        startingPosition: 'LATEST',
      }),
      'InvalidParameterValueException',
      /eu-west-1/,
    );
    expect(await h.engine.mappings.list()).toEqual([]);
  });
});
