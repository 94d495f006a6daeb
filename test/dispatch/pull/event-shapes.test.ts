import { describe, expect, it } from 'vitest';
import { LAMBDA_TRUST_POLICY, streamReadPolicy } from '../../../src/iam/seed-policies.js';
import { ensureRole } from '../../helpers/iam.js';
import { pullHarness, T0 } from '../../helpers/pull-harness.js';

describe('pull events as Lambda delivers them', () => {
  it('delivers a Kinesis batch in the exact KinesisStreamEvent shape', async () => {
    const h = await pullHarness('memory', { log: { shardCount: 1 } });
    h.clock.advance(987);
    const first = h.log.put({ partitionKey: 'user-1', data: 'Hello, this is a test.' });
    const second = h.log.put({ partitionKey: 'user-2', data: Buffer.from([0, 255]) });
    const { uuid } = await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: h.log.arn,
      startingPosition: 'TRIM_HORIZON',
    });
    await h.events.wait(
      'mapping.checkpoint',
      (e) => e.uuid === uuid && e.sequenceNumber === second.sequenceNumber,
    );
    expect(h.invoker.requests).toHaveLength(1);
    const request = h.invoker.requests[0];
    expect(request?.invocationType).toBe('RequestResponse');
    expect(request?.functionName).toBe('fn');
    expect(request?.payload).toEqual({
      Records: [
        {
          kinesis: {
            kinesisSchemaVersion: '1.0',
            partitionKey: 'user-1',
            sequenceNumber: first.sequenceNumber,
            data: 'SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==',
            approximateArrivalTimestamp: (T0 + 987) / 1000,
          },
          eventSource: 'aws:kinesis',
          eventVersion: '1.0',
          eventID: `shardId-000000000000:${first.sequenceNumber}`,
          eventName: 'aws:kinesis:record',
          invokeIdentityArn: 'arn:aws:iam::000000000000:role/fn-role',
          awsRegion: 'us-east-1',
          eventSourceARN: h.log.arn,
        },
        {
          kinesis: {
            kinesisSchemaVersion: '1.0',
            partitionKey: 'user-2',
            sequenceNumber: second.sequenceNumber,
            data: 'AP8=',
            approximateArrivalTimestamp: (T0 + 987) / 1000,
          },
          eventSource: 'aws:kinesis',
          eventVersion: '1.0',
          eventID: `shardId-000000000000:${second.sequenceNumber}`,
          eventName: 'aws:kinesis:record',
          invokeIdentityArn: 'arn:aws:iam::000000000000:role/fn-role',
          awsRegion: 'us-east-1',
          eventSourceARN: h.log.arn,
        },
      ],
    });
  });

  it('uses the mapping invocation role as invokeIdentityArn when one is set (2014 model)', async () => {
    const h = await pullHarness('memory');
    h.log.put({ partitionKey: 'k', data: 'x' });
    const role = await ensureRole(
      h.engine,
      'invocation-role',
      { read: streamReadPolicy(h.log.arn) },
      LAMBDA_TRUST_POLICY,
    );
    await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: h.log.arn,
      startingPosition: 'TRIM_HORIZON',
      role,
    });
    await h.events.wait('mapping.batch.succeeded');
    expect(h.invoker.batches[0]?.[0]?.['invokeIdentityArn']).toBe(role);
  });

  it('delivers DynamoDB stream records exactly as the table stream wrote them', async () => {
    const h = await pullHarness('memory', { log: { kind: 'dynamodb' } });
    const change = (seq: string) => ({
      eventID: 'c4ca4238a0b923820dcc509a6f75849b',
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(T0 / 1000),
        Keys: { Id: { N: '101' } },
        NewImage: { Message: { S: 'New item!' }, Id: { N: '101' } },
        SequenceNumber: seq,
        SizeBytes: 26,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      eventSourceARN: h.log.arn,
    });
    const shardId = h.log.shardIds()[0] ?? '';
    h.log.put({ partitionKey: 'Id=101', shardId, change: change('4421584500000000017450439091') });
    await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: h.log.arn,
      startingPosition: 'TRIM_HORIZON',
    });
    await h.events.wait('mapping.batch.succeeded');
    expect(h.invoker.requests[0]?.payload).toEqual({ Records: [change('4421584500000000017450439091')] });
  });
});
