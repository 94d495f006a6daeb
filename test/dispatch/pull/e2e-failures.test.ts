import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { firstValueFrom, take, timeout, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { FailureRecord } from '../../../src/dispatch/pull/deps.js';
import { checkpointed, type E2E, e2e, lines, pullFunction } from '../../helpers/pull-e2e.js';

const HOUR = 3_600_000;

/** Advances the clock past each retry delay until `done` resolves. */
async function retryUntil<T>(h: E2E, uuid: string, done: Promise<T>): Promise<T> {
  let settled = false;
  const result = done.finally(() => {
    settled = true;
  });
  for (let n = 1; !settled; n++) {
    const failed = await Promise.race([
      h.events.wait('mapping.batch.failed', (e) => e.uuid === uuid, n, 15_000),
      result,
    ]);
    if (settled) break;
    if (typeof failed === 'object' && failed !== null && 'delayMs' in failed) h.clock.advance(failed.delayMs);
  }
  return result;
}

/** The first `n` records a stream holds, parsed as JSON. */
function streamRecords(h: E2E, stream: string, n: number): Promise<FailureRecord[]> {
  return firstValueFrom(
    h.engine.streams.records$(stream, { from: 'TRIM_HORIZON' }).pipe(take(n), toArray(), timeout(5000)),
  ).then((records) => records.map((r) => JSON.parse(r.data.toString('utf8')) as FailureRecord));
}

async function setup(options: Record<string, unknown>, handler = 'poison') {
  const h = await e2e();
  const source = await h.engine.streams.create('orders');
  const dlq = await h.engine.streams.create('dlq');
  await pullFunction(h, 'fn', handler);
  const { uuid } = await h.engine.mappings.create({
    functionName: 'fn',
    eventSourceArn: source.streamArn,
    startingPosition: 'TRIM_HORIZON',
    onFailure: dlq.streamArn,
    ...options,
  });
  const put = (data: string) => h.engine.streams.putRecord('orders', { partitionKey: 'k', data });
  return { h, uuid, source, dlq, put };
}

describe('failing batches of real streams', () => {
  it('retries until the records expire, then moves on (retention ends the retries)', async () => {
    const { h, uuid, put } = await setup({ maximumRetryAttempts: -1 }, 'poison');
    const poison = await put('poison');
    const failed = await h.events.wait('mapping.batch.failed', (e) => e.uuid === uuid);
    h.clock.advance(25 * HOUR);
    const expired = await h.events.wait('mapping.batch.expired', (e) => e.uuid === uuid);
    expect(expired.count).toBe(1);
    await checkpointed(h, uuid, poison.shardId, poison.sequenceNumber);
    expect(failed.attempt).toBe(1);
    const next = await put('fine');
    await checkpointed(h, uuid, next.shardId, next.sequenceNumber);
    expect(lines(h).map((l) => JSON.parse(l))).toEqual([['poison'], ['fine']]);
  });

  it('gives up after maximumRetryAttempts and sends the batch record to a stream', async () => {
    const { h, uuid, source, put } = await setup({ maximumRetryAttempts: 2, enabled: false });
    const a = await put('a');
    const poison = await put('poison');
    await h.engine.mappings.update(uuid, { enabled: true });
    const givenUp = retryUntil(
      h,
      uuid,
      h.events.wait('mapping.batch.givenUp', (e) => e.uuid === uuid),
    );
    expect((await givenUp).condition).toBe('RetryAttemptsExhausted');
    const [record] = await streamRecords(h, 'dlq', 1);
    expect(record).toEqual({
      requestContext: {
        requestId: expect.any(String),
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fn',
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 3,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: expect.any(String),
      KinesisBatchInfo: {
        shardId: a.shardId,
        startSequenceNumber: a.sequenceNumber,
        endSequenceNumber: poison.sequenceNumber,
        approximateArrivalOfFirstRecord: expect.any(String),
        approximateArrivalOfLastRecord: expect.any(String),
        batchSize: 2,
        streamArn: source.streamArn,
      },
    });
    await checkpointed(h, uuid, poison.shardId, poison.sequenceNumber);
  });

  it('gives up records older than maximumRecordAgeSec and invokes a destination function', async () => {
    const h = await e2e();
    const source = await h.engine.streams.create('orders');
    await pullFunction(h, 'fn', 'poison');
    const dlqOut = join(h.dir, 'dlq.txt');
    await pullFunction(h, 'dlq', 'events', { OUT: dlqOut });
    const { uuid } = await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: source.streamArn,
      startingPosition: 'TRIM_HORIZON',
      maximumRecordAgeSec: 60,
      onFailure: 'arn:aws:lambda:us-east-1:000000000000:function:dlq',
    });
    const poison = await h.engine.streams.putRecord('orders', { partitionKey: 'k', data: 'poison' });
    await h.events.wait('mapping.batch.failed', (e) => e.uuid === uuid);
    h.clock.advance(61_000);
    const givenUp = await h.events.wait('mapping.batch.givenUp', (e) => e.uuid === uuid);
    expect(givenUp.condition).toBe('RecordAgeExceeded');
    await h.events.wait('async.succeeded', (e) => e.functionName === 'dlq', 1, 15_000);
    const [received] = readFileSync(dlqOut, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as FailureRecord);
    expect(received?.requestContext.condition).toBe('RecordAgeExceeded');
    expect(received?.KinesisBatchInfo?.startSequenceNumber).toBe(poison.sequenceNumber);
    await checkpointed(h, uuid, poison.shardId, poison.sequenceNumber);
  });

  it('bisects a failing batch down to the poison record and delivers the rest', async () => {
    const { h, uuid, put } = await setup({
      maximumRetryAttempts: 0,
      bisectBatchOnFunctionError: true,
      enabled: false,
    });
    await put('a');
    await put('b');
    const poison = await put('poison');
    const d = await put('d');
    await h.engine.mappings.update(uuid, { enabled: true });
    await retryUntil(h, uuid, checkpointed(h, uuid, d.shardId, d.sequenceNumber));
    const [record] = await streamRecords(h, 'dlq', 1);
    expect(record?.KinesisBatchInfo).toMatchObject({
      startSequenceNumber: poison.sequenceNumber,
      endSequenceNumber: poison.sequenceNumber,
      batchSize: 1,
    });
    const succeeded = lines(h)
      .map((l) => JSON.parse(l) as string[])
      .filter((batch) => !batch.includes('poison'));
    expect(succeeded.flat()).toEqual(['a', 'b', 'd']);
  });

  it('resumes after the lowest reported item failure and gives up what keeps failing', async () => {
    const { h, uuid, put } = await setup(
      { maximumRetryAttempts: 1, reportBatchItemFailures: true, enabled: false },
      'reportsPoison',
    );
    await put('a');
    const poison = await put('poison');
    const c = await put('c');
    await h.engine.mappings.update(uuid, { enabled: true });
    await retryUntil(h, uuid, checkpointed(h, uuid, c.shardId, c.sequenceNumber));
    expect(lines(h).map((l) => JSON.parse(l))).toEqual([
      ['a', 'poison', 'c'],
      ['poison', 'c'],
    ]);
    const [record] = await streamRecords(h, 'dlq', 1);
    expect(record?.KinesisBatchInfo).toMatchObject({
      startSequenceNumber: poison.sequenceNumber,
      endSequenceNumber: c.sequenceNumber,
      batchSize: 2,
    });
  });

  it('writes the record of a given-up batch to a bucket under an AWS-like key', async () => {
    const h = await e2e();
    await h.engine.buckets.create('failures');
    const source = await h.engine.streams.create('orders');
    await pullFunction(h, 'fn', 'poison');
    const { uuid } = await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: source.streamArn,
      startingPosition: 'TRIM_HORIZON',
      maximumRetryAttempts: 0,
      onFailure: 'arn:aws:s3:::failures',
    });
    const poison = await h.engine.streams.putRecord('orders', { partitionKey: 'k', data: 'poison' });
    await h.events.wait('mapping.batch.givenUp', (e) => e.uuid === uuid);
    await checkpointed(h, uuid, poison.shardId, poison.sequenceNumber);
    const { contents } = await h.engine.buckets.listObjects('failures');
    expect(contents).toHaveLength(1);
    const key = contents[0]?.key ?? '';
    expect(key).toMatch(
      new RegExp(
        `^aws/lambda/${uuid}/${poison.shardId}/2026/01/01/2026-01-01T00\\.00\\.\\d\\d-[0-9a-f-]{36}$`,
      ),
    );
    const record = JSON.parse(
      (await h.engine.buckets.getObject('failures', key)).body.toString('utf8'),
    ) as FailureRecord;
    expect(record.requestContext.condition).toBe('RetryAttemptsExhausted');
    expect(record.KinesisBatchInfo?.startSequenceNumber).toBe(poison.sequenceNumber);
  });
});
