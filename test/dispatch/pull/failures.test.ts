import { describe, expect, it, vi } from 'vitest';
import { Storage } from '../../../src/storage/storage.js';
import { type PullHarness, pullHarness, T0 } from '../../helpers/pull-harness.js';
import { fails, itemFailures, ok, throttled } from '../../helpers/scripted-invoker.js';

const DESTINATION = 'arn:aws:sqs:us-east-1:000000000000:dlq';

/** Advances the clock over every retry until `count` batches were given up. */
async function retryUntilGivenUp(h: PullHarness, count = 1): Promise<void> {
  let failed = 0;
  for (;;) {
    const next = await Promise.race([
      h.events.wait('mapping.batch.givenUp', () => true, count).then(() => undefined),
      h.events.wait('mapping.batch.failed', () => true, failed + 1),
    ]);
    if (!next) return;
    failed++;
    h.clock.advance(next.delayMs);
  }
}

describe('failing batches and the mapping limits', () => {
  it('gives up after maximumRetryAttempts and sends AWS’s on-failure record, then moves on', async () => {
    const h = await pullHarness('memory');
    h.invoker.script = (records) =>
      records.some((r) => r.kinesis?.data === Buffer.from('bad').toString('base64')) ? fails() : ok();
    const { uuid } = await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: h.log.arn,
      startingPosition: 'TRIM_HORIZON',
      maximumRetryAttempts: 2,
      onFailure: DESTINATION,
    });
    const bad = h.log.put({ partitionKey: 'a', data: 'bad' });
    await retryUntilGivenUp(h);
    const good = h.log.put({ partitionKey: 'a', data: 'good' });
    await h.events.wait('mapping.checkpoint', (e) => e.sequenceNumber === good.sequenceNumber);
    expect(h.invoker.requests).toHaveLength(4); // 1 try + 2 retries, then the next record
    expect(h.destinations.sent).toHaveLength(1);
    const sent = h.destinations.sent[0];
    expect(sent?.destinationArn).toBe(DESTINATION);
    expect(sent?.record).toEqual({
      requestContext: {
        requestId: h.invoker.requests[2]?.requestId,
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fn',
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 3,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: new Date(h.clock.now()).toISOString(),
      KinesisBatchInfo: {
        shardId: 'shardId-000000000000',
        startSequenceNumber: bad.sequenceNumber,
        endSequenceNumber: bad.sequenceNumber,
        approximateArrivalOfFirstRecord: new Date(T0).toISOString(),
        approximateArrivalOfLastRecord: new Date(T0).toISOString(),
        batchSize: 1,
        streamArn: h.log.arn,
      },
    });
    expect(await h.engine.mappings.failures(uuid)).toEqual([]);
  });

  it('keeps the given-up batch in the mapping’s failure list when no destination is set', async () => {
    const h = await pullHarness('memory', { log: { kind: 'dynamodb' } });
    h.invoker.script = () => fails();
    const { uuid } = await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: h.log.arn,
      startingPosition: 'TRIM_HORIZON',
      maximumRetryAttempts: 0,
    });
    const shardId = h.log.shardIds()[0] ?? '';
    const r = h.log.put({
      partitionKey: 'k',
      shardId,
      change: { eventName: 'INSERT', dynamodb: { Keys: { id: { S: 'k' } } } },
    });
    await retryUntilGivenUp(h);
    await h.events.wait('mapping.checkpoint', (e) => e.sequenceNumber === r.sequenceNumber);
    const failures = await h.engine.mappings.failures(uuid);
    expect(failures).toHaveLength(1);
    expect(failures[0]?.record.requestContext).toMatchObject({
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 1,
    });
    expect(failures[0]?.record.DDBStreamBatchInfo).toMatchObject({
      shardId,
      startSequenceNumber: r.sequenceNumber,
      batchSize: 1,
    });
  });

  it('keeps the record in the failure list, with the error, when the destination refuses it', async () => {
    const h = await pullHarness('memory');
    h.invoker.script = () => fails();
    h.destinations.failure = new Error('queue is gone');
    const { uuid } = await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: h.log.arn,
      startingPosition: 'TRIM_HORIZON',
      maximumRetryAttempts: 0,
      onFailure: DESTINATION,
    });
    const r = h.log.put({ partitionKey: 'a', data: 'x' });
    await h.events.wait('mapping.checkpoint', (e) => e.sequenceNumber === r.sequenceNumber);
    const failures = await h.engine.mappings.failures(uuid);
    expect(failures.map((f) => f.destinationError)).toEqual(['queue is gone']);
    expect(failures[0]?.record.KinesisBatchInfo?.startSequenceNumber).toBe(r.sequenceNumber);
  });

  it('gives up records older than maximumRecordAgeSec with condition RecordAgeExceeded', async () => {
    const h = await pullHarness('memory');
    h.invoker.script = () => fails();
    await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: h.log.arn,
      startingPosition: 'TRIM_HORIZON',
      maximumRecordAgeSec: 60,
      onFailure: DESTINATION,
    });
    h.log.put({ partitionKey: 'a', data: 'x' });
    await retryUntilGivenUp(h);
    const record = h.destinations.sent[0]?.record;
    expect(record?.requestContext.condition).toBe('RecordAgeExceeded');
    // Tries at 0, 1, 3, 7, 15, 31 s; the one due at 61 s finds the record over 60 s old.
    expect(record?.requestContext.approximateInvokeCount).toBe(6);
    expect(h.clock.now() - T0).toBe(61_000);
  });

  it('ends the retries when the records expire from the source', async () => {
    const h = await pullHarness('memory', { log: { retentionMs: 10_000 } });
    h.invoker.script = () => fails();
    const { uuid } = await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: h.log.arn,
      startingPosition: 'TRIM_HORIZON',
    });
    const gone = h.log.put({ partitionKey: 'a', data: 'x' });
    let failed = 0;
    const expired = h.events.wait('mapping.batch.expired');
    while (h.events.of('mapping.batch.expired').length === 0) {
      const e = await Promise.race([
        expired.then(() => undefined),
        h.events.wait('mapping.batch.failed', () => true, ++failed),
      ]);
      if (!e) break;
      h.clock.advance(e.delayMs);
    }
    expect((await expired).count).toBe(1);
    await h.events.wait('mapping.checkpoint', (e) => e.sequenceNumber === gone.sequenceNumber);
    expect(h.invoker.requests).toHaveLength(4); // at 0, 1, 3 and 7 s; at 15 s the record was gone
    expect(h.destinations.sent).toEqual([]);
    h.invoker.script = () => ok();
    const next = h.log.put({ partitionKey: 'a', data: 'y' });
    await h.events.wait(
      'mapping.checkpoint',
      (e) => e.uuid === uuid && e.sequenceNumber === next.sequenceNumber,
    );
  });

  it('bisects a failing batch down to the poison record without spending retry attempts', async () => {
    const h = await pullHarness('memory');
    const poison = Buffer.from('poison').toString('base64');
    h.invoker.script = (records) => (records.some((r) => r.kinesis?.data === poison) ? fails() : ok());
    await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: h.log.arn,
      startingPosition: 'TRIM_HORIZON',
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 0,
      onFailure: DESTINATION,
      enabled: false,
    });
    const records = ['a', 'b', 'c', 'poison', 'e', 'f', 'g', 'h'].map((d) =>
      h.log.put({ partitionKey: 'k', data: d }),
    );
    const [mapping] = await h.engine.mappings.list();
    await h.engine.mappings.update(mapping?.uuid ?? '', { enabled: true });
    await h.events.wait('mapping.checkpoint', (e) => e.sequenceNumber === records[7]?.sequenceNumber);
    // [a-poison] fails -> [a,b] ok, [c,poison] fails -> [c] ok, [poison] given up; then [e-h] ok.
    expect(h.invoker.batches.map((b) => b.length)).toEqual([8, 4, 2, 2, 1, 1, 4]);
    expect(h.events.of('mapping.batch.bisected').map((e) => e.halves)).toEqual([
      [4, 4],
      [2, 2],
      [1, 1],
    ]);
    expect(h.destinations.sent.map((s) => s.record.KinesisBatchInfo?.startSequenceNumber)).toEqual([
      records[3]?.sequenceNumber,
    ]);
    expect(h.destinations.sent[0]?.record.requestContext.condition).toBe('RetryAttemptsExhausted');
  });

  it('resumes at the lowest failed item of a partial batch response', async () => {
    const h = await pullHarness('memory');
    const { uuid } = await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: h.log.arn,
      startingPosition: 'TRIM_HORIZON',
      functionResponseTypes: ['ReportBatchItemFailures'],
      enabled: false,
    });
    const r = ['0', '1', '2', '3', '4'].map((d) => h.log.put({ partitionKey: 'k', data: d }));
    const seq = (i: number): string => r[i]?.sequenceNumber ?? '';
    h.invoker.script = (_records, call) =>
      call === 0 ? itemFailures(seq(3), seq(2)) : call === 1 ? itemFailures() : ok();
    await h.engine.mappings.update(uuid, { enabled: true });
    await h.events.wait('mapping.checkpoint', (e) => e.sequenceNumber === seq(1));
    const failed = await h.events.wait('mapping.batch.failed');
    expect(failed).toMatchObject({
      reason: 'PartialFailure',
      attempt: 1,
      firstSequenceNumber: seq(2),
      size: 3,
    });
    expect((await h.engine.mappings.get(uuid)).shards[0]?.sequenceNumber).toBe(seq(1));
    h.clock.advance(failed.delayMs);
    await h.events.wait('mapping.checkpoint', (e) => e.sequenceNumber === seq(4));
    expect(h.invoker.batches.map((b) => b.map((x) => x.kinesis?.data))).toEqual([
      ['MA==', 'MQ==', 'Mg==', 'Mw==', 'NA=='],
      ['Mg==', 'Mw==', 'NA=='],
    ]);
  });

  it('treats an unknown or empty itemIdentifier as a failure of the whole batch', async () => {
    const h = await pullHarness('memory');
    h.invoker.script = (_records, call) =>
      call === 0 ? itemFailures('nonsense') : call === 1 ? itemFailures('') : ok(null);
    await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: h.log.arn,
      startingPosition: 'TRIM_HORIZON',
      reportBatchItemFailures: true,
    });
    const a = h.log.put({ partitionKey: 'k', data: 'a' });
    h.log.put({ partitionKey: 'k', data: 'b' });
    const first = await h.events.wait('mapping.batch.failed');
    expect(first).toMatchObject({ reason: 'FunctionError', firstSequenceNumber: a.sequenceNumber });
    h.clock.advance(first.delayMs);
    const second = await h.events.wait('mapping.batch.failed', () => true, 2);
    h.clock.advance(second.delayMs);
    await h.events.wait('mapping.batch.succeeded');
    expect(h.invoker.batches.map((b) => b.length)).toEqual([2, 2, 2]);
  });

  it('does not count throttles as attempts', async () => {
    const h = await pullHarness('memory');
    h.invoker.script = (_records, call) => (call < 3 ? throttled() : call === 3 ? fails() : ok());
    const { uuid } = await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: h.log.arn,
      startingPosition: 'TRIM_HORIZON',
      maximumRetryAttempts: 1,
      onFailure: DESTINATION,
    });
    const r = h.log.put({ partitionKey: 'k', data: 'a' });
    for (let n = 1; n <= 4; n++) {
      const e = await h.events.wait('mapping.batch.failed', () => true, n);
      if (n <= 3) {
        expect(e.reason).toBe('Throttled');
        expect(e.attempt).toBe(0);
        expect((await h.engine.mappings.get(uuid)).lastProcessingResult).toBe(
          'PROBLEM: Function call throttled',
        );
      } else expect(e).toMatchObject({ reason: 'FunctionError', attempt: 1 });
      h.clock.advance(e.delayMs);
    }
    await h.events.wait('mapping.checkpoint', (e) => e.sequenceNumber === r.sequenceNumber);
    expect(h.destinations.sent).toEqual([]);
    expect(h.invoker.requests).toHaveLength(5);
  });

  it('keeps a mapping whose function was deleted waiting, without spending attempts, until it is back', async () => {
    const h = await pullHarness('memory');
    const { uuid } = await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: h.log.arn,
      startingPosition: 'TRIM_HORIZON',
      maximumRetryAttempts: 0,
      onFailure: DESTINATION,
    });
    h.functions.functions.delete('fn');
    const r = h.log.put({ partitionKey: 'k', data: 'a' });
    let delayMs = 0;
    for (let n = 1; n <= 3; n++) {
      h.clock.advance(delayMs);
      const e = await h.events.wait('mapping.batch.failed', () => true, n);
      expect(e).toMatchObject({ reason: 'ServiceError', attempt: 0 });
      delayMs = e.delayMs;
    }
    expect((await h.engine.mappings.get(uuid)).lastProcessingResult).toBe('PROBLEM: Function does not exist');
    expect(h.invoker.requests).toHaveLength(0);
    h.functions.add('fn');
    h.clock.advance(delayMs);
    await h.events.wait('mapping.checkpoint', (c) => c.sequenceNumber === r.sequenceNumber);
    expect(h.destinations.sent).toEqual([]);
    expect((await h.engine.mappings.get(uuid)).lastProcessingResult).toBe('OK');
  });
});

describe('a checkpoint that cannot be written', () => {
  it('fails the step; the batches after the last durable checkpoint are delivered again, in order', async () => {
    const h = await pullHarness('memory');
    const records = ['a', 'b', 'c', 'd'].map((data) => h.log.put({ partitionKey: 'k', data }));
    // The first checkpoint write that names a sequence number fails once (the disk was full).
    const original = Storage.prototype.batch;
    let failed = false;
    const spy = vi.spyOn(Storage.prototype, 'batch').mockImplementation(function (this: Storage, ops) {
      const checkpoint = ops.some(
        (op) =>
          'sublevel' in op &&
          op.type === 'put' &&
          op.sublevel.prefix.includes('esm-checkpoints') &&
          (op.value as { sequenceNumber?: string }).sequenceNumber !== undefined,
      );
      if (checkpoint && !failed) {
        failed = true;
        return Promise.reject(new Error('disk full'));
      }
      return original.call(this, ops);
    });
    try {
      const { uuid } = await h.engine.mappings.create({
        functionName: 'fn',
        eventSourceArn: h.log.arn,
        startingPosition: 'TRIM_HORIZON',
        batchSize: 1,
      });
      const error = await h.events.wait('mapping.error');
      expect(error.message).toBe('disk full');
      h.clock.advance(60_000);
      const last = records.at(-1)?.sequenceNumber;
      await h.events.wait('mapping.checkpoint', (e) => e.sequenceNumber === last);
      const delivered = h.invoker.batches.map((b) => b[0]?.kinesis?.sequenceNumber);
      // Every record, first deliveries in order; only what followed the lost checkpoint repeats.
      expect([...new Set(delivered)]).toEqual(records.map((r) => r.sequenceNumber));
      expect(delivered.length).toBeLessThanOrEqual(records.length + 1);
      expect((await h.engine.mappings.get(uuid)).shards?.[0]?.sequenceNumber).toBe(last);
    } finally {
      spy.mockRestore();
    }
  });
});
