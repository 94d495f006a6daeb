import { describe, expect, it } from 'vitest';
import { BACKEND_KINDS } from '../helpers/engines.js';
import { expectCode } from '../helpers/errors.js';
import { FakeShardLog } from '../helpers/fake-shard-source.js';
import { pullHarness, T0 } from '../helpers/pull-harness.js';

describe.each(BACKEND_KINDS)('engine.mappings registry (%s)', (kind) => {
  it('creates a mapping with AWS defaults and shows it in get and list', async () => {
    const h = await pullHarness(kind);
    const created = await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: h.log.arn,
      startingPosition: 'LATEST',
    });
    expect(created).toMatchObject({
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fn',
      eventSourceArn: h.log.arn,
      startingPosition: 'LATEST',
      batchSize: 100,
      maximumBatchingWindowMs: 0,
      maximumRetryAttempts: -1,
      maximumRecordAgeSec: -1,
      bisectBatchOnFunctionError: false,
      parallelizationFactor: 1,
      reportBatchItemFailures: false,
      functionResponseTypes: [],
      state: 'Creating',
      stateTransitionReason: 'User action',
      lastProcessingResult: 'No records processed',
      lastModified: T0 / 1000,
      shards: [
        { shardId: 'shardId-000000000000', sequenceNumber: undefined, iteratorAgeMs: 0, drained: false },
      ],
    });
    expect(created.uuid).toMatch(/^[0-9a-f-]{36}$/);
    const enabled = { ...created, state: 'Enabled' };
    expect(await h.engine.mappings.get(created.uuid)).toEqual(enabled);
    expect(await h.engine.mappings.list()).toEqual([enabled]);
    expect(await h.engine.mappings.list({ functionName: 'fn' })).toEqual([enabled]);
    expect(await h.engine.mappings.list({ functionName: created.functionArn })).toEqual([enabled]);
    expect(await h.engine.mappings.list({ functionName: 'other' })).toEqual([]);
    expect(await h.engine.mappings.list({ eventSourceArn: h.log.arn })).toEqual([enabled]);
    expect(await h.engine.mappings.list({ eventSourceArn: `${h.log.arn}x` })).toEqual([]);
  });

  it('starts LATEST after the records already there, and AT_TIMESTAMP at the first record at or after it', async () => {
    const h = await pullHarness(kind);
    h.log.put({ partitionKey: 'k', data: 'old' });
    h.clock.advance(1000);
    h.log.put({ partitionKey: 'k', data: 'newer' });
    const latest = await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: h.log.arn,
      startingPosition: 'LATEST',
    });
    h.functions.add('other');
    const atTime = await h.engine.mappings.create({
      functionName: 'other',
      eventSourceArn: h.log.arn,
      startingPosition: 'AT_TIMESTAMP',
      startingPositionTimestamp: new Date(T0 + 500),
    });
    await h.events.wait('mapping.batch.succeeded', (e) => e.uuid === atTime.uuid);
    expect(h.invoker.requests.map((r) => r.functionName)).toEqual(['other']);
    expect(h.invoker.batches[0]?.map((r) => r.kinesis?.data)).toEqual([
      Buffer.from('newer').toString('base64'),
    ]);
    h.log.put({ partitionKey: 'k', data: 'fresh' });
    await h.events.wait('mapping.batch.succeeded', (e) => e.uuid === latest.uuid);
    expect(
      h.invoker.batches.filter((_, i) => h.invoker.requests[i]?.functionName === 'fn').flat(),
    ).toHaveLength(1);
  });

  it('updates settings, persists them and echoes them back', async () => {
    const h = await pullHarness(kind);
    const { uuid } = await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: h.log.arn,
      startingPosition: 'TRIM_HORIZON',
    });
    h.clock.advance(1500);
    const updated = await h.engine.mappings.update(uuid, {
      batchSize: 10,
      maximumRetryAttempts: 3,
      maximumRecordAgeSec: 3600,
      bisectBatchOnFunctionError: true,
      onFailure: 'arn:aws:sqs:us-east-1:000000000000:dlq',
      enabled: false,
    });
    expect(updated).toMatchObject({
      batchSize: 10,
      maximumRetryAttempts: 3,
      maximumRecordAgeSec: 3600,
      bisectBatchOnFunctionError: true,
      onFailure: 'arn:aws:sqs:us-east-1:000000000000:dlq',
      state: 'Disabling',
      lastModified: (T0 + 1500) / 1000,
    });
    expect(await h.engine.mappings.get(uuid)).toEqual({ ...updated, state: 'Disabled' });
    expect((await h.engine.mappings.update(uuid, { batchSize: 20 })).state).toBe('Updating');
    expect((await h.engine.mappings.update(uuid, { onFailure: null })).onFailure).toBeUndefined();
  });

  it('refuses a second mapping of the same function and source with ResourceConflictException', async () => {
    const h = await pullHarness(kind);
    const { uuid } = await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: h.log.arn,
      startingPosition: 'LATEST',
    });
    const err = await expectCode(
      h.engine.mappings.create({ functionName: 'fn', eventSourceArn: h.log.arn, startingPosition: 'LATEST' }),
      'ResourceConflictException',
      new RegExp(`already exists.*${uuid}`),
    );
    expect(err.statusCode).toBe(409);
    expect(await h.engine.mappings.list()).toHaveLength(1);
  });

  it('answers ResourceNotFoundException (404) for an unknown function, source or mapping', async () => {
    const h = await pullHarness(kind);
    const missingFn = await expectCode(
      h.engine.mappings.create({
        functionName: 'nope',
        eventSourceArn: h.log.arn,
        startingPosition: 'LATEST',
      }),
      'ResourceNotFoundException',
      /function:nope/,
    );
    expect(missingFn.statusCode).toBe(404);
    const other = 'arn:aws:kinesis:us-east-1:000000000000:stream/missing';
    await expectCode(
      h.engine.mappings.create({ functionName: 'fn', eventSourceArn: other, startingPosition: 'LATEST' }),
      'ResourceNotFoundException',
      /stream\/missing/,
    );
    const uuid = '00000000-0000-0000-0000-000000000000';
    await expectCode(h.engine.mappings.get(uuid), 'ResourceNotFoundException', new RegExp(uuid));
    await expectCode(h.engine.mappings.update(uuid, { batchSize: 1 }), 'ResourceNotFoundException');
    await expectCode(h.engine.mappings.delete(uuid), 'ResourceNotFoundException');
    await expectCode(h.engine.mappings.failures(uuid), 'ResourceNotFoundException');
    expect(await h.engine.mappings.list()).toEqual([]);
  });
});

describe('engine.mappings validation', () => {
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['batchSize', { batchSize: 0 }, /batchSize must be an integer between 1 and 10000, got 0/],
    ['batchSize', { batchSize: 10_001 }, /batchSize .* got 10001/],
    [
      'maximumBatchingWindowMs',
      { maximumBatchingWindowMs: 300_001 },
      /maximumBatchingWindowMs .*0 and 300000, got 300001/,
    ],
    [
      'maximumRetryAttempts',
      { maximumRetryAttempts: -2 },
      /maximumRetryAttempts must be an integer -1, or between 0 and 10000, got -2/,
    ],
    [
      'maximumRecordAgeSec',
      { maximumRecordAgeSec: 59 },
      /maximumRecordAgeSec must be an integer -1, or between 60 and 604800, got 59/,
    ],
    ['parallelizationFactor', { parallelizationFactor: 11 }, /parallelizationFactor .*1 and 10, got 11/],
    [
      'bisectBatchOnFunctionError',
      { bisectBatchOnFunctionError: 'yes' },
      /bisectBatchOnFunctionError must be a boolean, got "yes"/,
    ],
    ['functionResponseTypes', { functionResponseTypes: ['Nope'] }, /functionResponseTypes .*\["Nope"\]/],
    ['onFailure', { onFailure: 'queue' }, /onFailure must be a destination ARN, got "queue"/],
    ['role', { role: 'admin' }, /role must be an IAM role ARN.*"admin"/],
    ['enabled', { enabled: 1 }, /enabled must be a boolean, got 1/],
    [
      'startingPosition',
      { startingPosition: 'NOW' },
      /startingPosition must be one of TRIM_HORIZON, LATEST, AT_TIMESTAMP, got "NOW"/,
    ],
    [
      'startingPositionTimestamp',
      { startingPosition: 'AT_TIMESTAMP' },
      /startingPositionTimestamp is required/,
    ],
    [
      'startingPositionTimestamp',
      { startingPositionTimestamp: 5 },
      /only allowed with startingPosition AT_TIMESTAMP/,
    ],
    ['functionName', { functionName: 'bad name' }, /functionName 'bad name' is not a valid function name/],
    [
      'functionName',
      { functionName: 'arn:aws:lambda:eu-west-1:000000000000:function:fn' },
      /region eu-west-1.*us-east-1/,
    ],
    [
      'eventSourceArn',
      { eventSourceArn: 'arn:aws:kinesis:eu-west-1:000000000000:stream/test' },
      /eventSourceArn .* region eu-west-1/,
    ],
    [
      'eventSourceArn',
      { eventSourceArn: 'arn:aws:s3:::bucket' },
      /not a Kinesis stream ARN or a DynamoDB table stream ARN/,
    ],
  ];

  it.each(cases)(
    'refuses a bad %s with InvalidParameterValueException naming it (%j)',
    async (_name, patch, message) => {
      const h = await pullHarness('memory');
      await expectCode(
        h.engine.mappings.create({
          functionName: 'fn',
          eventSourceArn: h.log.arn,
          startingPosition: 'TRIM_HORIZON',
          ...patch,
        } as never),
        'InvalidParameterValueException',
        message,
      );
      expect(await h.engine.mappings.list()).toEqual([]);
    },
  );

  it('refuses AT_TIMESTAMP for a DynamoDB table stream', async () => {
    const h = await pullHarness('memory', { log: { kind: 'dynamodb' } });
    await expectCode(
      h.engine.mappings.create({
        functionName: 'fn',
        eventSourceArn: h.log.arn,
        startingPosition: 'AT_TIMESTAMP',
        startingPositionTimestamp: T0,
      }),
      'InvalidParameterValueException',
      /AT_TIMESTAMP is supported for Kinesis streams only/,
    );
  });

  it('refuses a bad update without changing the mapping', async () => {
    const h = await pullHarness('memory');
    const created = await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: h.log.arn,
      startingPosition: 'LATEST',
    });
    const before = await h.engine.mappings.get(created.uuid);
    await expectCode(
      h.engine.mappings.update(created.uuid, { batchSize: -5 }),
      'InvalidParameterValueException',
      /batchSize/,
    );
    expect(await h.engine.mappings.get(created.uuid)).toEqual(before);
    await expectCode(
      h.engine.mappings.update(created.uuid, { startingPosition: 'LATEST' } as never),
      'InvalidParameterValueException',
      /startingPosition cannot be changed/,
    );
  });

  it('accepts a function ARN or partial ARN of this region and account', async () => {
    const h = await pullHarness('memory');
    const second = new FakeShardLog(h.clock, { arn: 'arn:aws:kinesis:us-east-1:000000000000:stream/second' });
    h.sources.set(second);
    const a = await h.engine.mappings.create({
      functionName: 'arn:aws:lambda:us-east-1:000000000000:function:fn',
      eventSourceArn: h.log.arn,
      startingPosition: 'LATEST',
    });
    const b = await h.engine.mappings.create({
      functionName: '000000000000:function:fn',
      eventSourceArn: second.arn,
      startingPosition: 'LATEST',
    });
    expect(a.functionArn).toBe(b.functionArn);
  });
});
