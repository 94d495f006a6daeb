import { describe, expect, it } from 'vitest';
import { chunkBatches, resumeIndex, sliceOf } from '../../../src/dispatch/pull/records.js';
import type { SourceRecord } from '../../../src/dispatch/pull/shard-source.js';
import { backoffDelay, DEFAULT_PULL_BACKOFF, retriesExhausted } from '../../../src/dispatch/retry.js';

const rec = (seq: number, bytes = 1): SourceRecord => ({
  sequenceNumber: String(1000 + seq),
  arrivalMs: 0,
  partitionKey: 'k',
  data: Buffer.alloc(bytes),
});

describe('batch item failure responses', () => {
  const batch = [rec(1), rec(2), rec(3)];
  it('treats null, empty and missing batchItemFailures as complete success', () => {
    for (const payload of [
      null,
      undefined,
      'done',
      {},
      { batchItemFailures: null },
      { batchItemFailures: [] },
    ]) {
      expect(resumeIndex(payload, batch)).toBe(3);
    }
  });
  it('resumes at the lowest failed sequence number', () => {
    expect(
      resumeIndex({ batchItemFailures: [{ itemIdentifier: '1003' }, { itemIdentifier: '1002' }] }, batch),
    ).toBe(1);
  });
  it('fails the whole batch on an empty, null, unknown or malformed identifier', () => {
    for (const item of [
      { itemIdentifier: '' },
      { itemIdentifier: null },
      { itemIdentifier: '9' },
      { id: '1002' },
      null,
    ]) {
      expect(resumeIndex({ batchItemFailures: [item] }, batch)).toBe(0);
    }
    expect(resumeIndex({ batchItemFailures: 'all' }, batch)).toBe(0);
  });
});

describe('batch chunking', () => {
  it('cuts by batch size', () => {
    expect(
      chunkBatches(
        [1, 2, 3, 4, 5].map((n) => rec(n)),
        2,
        6_000_000,
      ).map((c) => c.length),
    ).toEqual([2, 2, 1]);
  });
  it('cuts before the invoke payload limit but always sends at least one record', () => {
    const big = [rec(1, 3_000_000), rec(2, 3_000_000), rec(3, 10)];
    expect(chunkBatches(big, 100, 6 * 1024 * 1024).map((c) => c.length)).toEqual([1, 2]);
    expect(chunkBatches([rec(1, 9_000_000)], 100, 6 * 1024 * 1024)).toHaveLength(1);
  });
});

describe('slice routing', () => {
  it('sends a key always to the same slice within the factor', () => {
    for (const key of ['a', 'user-17', '{"id":{"S":"x"}}']) {
      const slice = sliceOf(key, 7);
      expect(slice).toBeGreaterThanOrEqual(0);
      expect(slice).toBeLessThan(7);
      expect(sliceOf(key, 7)).toBe(slice);
    }
  });
});

describe('pull retry policy', () => {
  it('starts at 1 s, doubles and caps at 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((n) => backoffDelay(DEFAULT_PULL_BACKOFF, n))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
    ]);
  });
  it('never gives up with -1, and after N retries otherwise', () => {
    expect(retriesExhausted(10_000, -1)).toBe(false);
    expect(retriesExhausted(1, 0)).toBe(true);
    expect(retriesExhausted(3, 2)).toBe(true);
    expect(retriesExhausted(2, 2)).toBe(false);
  });
});

describe('buildEventJson', () => {
  it('serialises exactly the event buildEvent builds', async () => {
    const { buildEvent, buildEventJson } = await import('../../../src/dispatch/pull/records.js');
    const ctx = {
      kind: 'kinesis' as const,
      shardId: 'shardId-000000000001',
      eventSourceArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/a"b',
      region: 'us-east-1',
      invokeIdentityArn: 'arn:aws:iam::000000000000:role/r',
    };
    const records = [
      {
        sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
        arrivalMs: 1767225600123,
        partitionKey: 'k "1"\n',
        data: Buffer.from('hé'),
      },
      {
        sequenceNumber: '49590338271490256608559692538361571095921575989136588899',
        arrivalMs: 1767225600000,
        partitionKey: '',
        data: Buffer.alloc(0),
      },
    ];
    expect(buildEventJson(ctx, records)).toBe(JSON.stringify(buildEvent(ctx, records)));
    const ddb = { ...ctx, kind: 'dynamodb' as const };
    const changes = [{ sequenceNumber: '1', arrivalMs: 0, change: { eventName: 'INSERT' } }];
    expect(buildEventJson(ddb, changes)).toBe(JSON.stringify(buildEvent(ddb, changes)));
  });
});
