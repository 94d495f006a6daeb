import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/index.js';
import { BACKEND_KINDS, openEngine } from '../helpers/engines.js';
import { expectCode } from '../helpers/errors.js';
import { readShard, text } from './helpers.js';

const START = Date.UTC(2026, 0, 1);

describe.each(BACKEND_KINDS)('streams (%s)', (kind) => {
  it('creates, describes, lists and deletes a stream', async () => {
    const engine = await openEngine(kind);
    const created = await engine.streams.create('orders', { shardCount: 3, retentionHours: 48 });
    expect(created.streamArn).toBe('arn:aws:kinesis:us-east-1:000000000000:stream/orders');
    expect(created.streamStatus).toBe('ACTIVE');
    expect(created.retentionPeriodHours).toBe(48);
    expect(created.shards.map((s) => s.shardId)).toEqual([
      'shardId-000000000000',
      'shardId-000000000001',
      'shardId-000000000002',
    ]);
    expect(created.shards[2]?.hashKeyRange.endingHashKey).toBe(((1n << 128n) - 1n).toString());
    expect((await engine.streams.describe(created.streamArn)).streamName).toBe('orders');
    await engine.streams.create('alpha');
    expect((await engine.streams.list()).map((s) => s.streamName)).toEqual(['alpha', 'orders']);
    await expectCode(engine.streams.create('orders'), 'ResourceInUseException', /orders/);
    await engine.streams.delete('orders');
    await expectCode(engine.streams.describe('orders'), 'ResourceNotFoundException', /orders/);
    expect((await engine.streams.list()).map((s) => s.streamName)).toEqual(['alpha']);
  });

  it('rejects bad names, shard counts and retention periods and creates nothing', async () => {
    const engine = await openEngine(kind);
    await expectCode(engine.streams.create('bad name'), 'ValidationException', /bad name/);
    await expectCode(engine.streams.create('x'.repeat(129)), 'ValidationException', /1-128/);
    await expectCode(engine.streams.create('s', { shardCount: 0 }), 'InvalidArgumentException', /shardCount/);
    await expectCode(engine.streams.create('s', { shardCount: 10_001 }), 'LimitExceededException', /10001/);
    await expectCode(
      engine.streams.create('s', { retentionHours: 23 }),
      'InvalidArgumentException',
      /retentionHours.*23/,
    );
    await expectCode(
      engine.streams.create('s', { retentionHours: 8761 }),
      'InvalidArgumentException',
      /8760/,
    );
    expect(await engine.streams.list()).toEqual([]);
  });

  it('checks record limits: partition key length, 1 MiB per record, 500 records and 5 MiB per request', async () => {
    const engine = await openEngine(kind);
    await engine.streams.create('limits');
    await expectCode(
      engine.streams.putRecord('limits', { partitionKey: '', data: 'x' }),
      'ValidationException',
      /partitionKey/,
    );
    await expectCode(
      engine.streams.putRecord('limits', { partitionKey: 'k'.repeat(257), data: 'x' }),
      'ValidationException',
      /257 characters/,
    );
    await expectCode(
      engine.streams.putRecord('limits', { partitionKey: 'k', data: Buffer.alloc(1024 * 1024) }),
      'ValidationException',
      /1048577 bytes/,
    );
    const ok = await engine.streams.putRecord('limits', {
      partitionKey: 'k',
      data: Buffer.alloc(1024 * 1024 - 1),
    });
    expect(ok.sequenceNumber).toMatch(/^\d{35}$/);
    const many = Array.from({ length: 501 }, () => ({ partitionKey: 'k', data: 'x' }));
    await expectCode(engine.streams.putRecords('limits', many), 'ValidationException', /501 records/);
    const big = Array.from({ length: 6 }, () => ({ partitionKey: 'k', data: Buffer.alloc(1000 * 1000) }));
    await expectCode(engine.streams.putRecords('limits', big), 'InvalidArgumentException', /5242880/);
    await expectCode(
      engine.streams.putRecords('limits', [
        { partitionKey: 'k', data: 'fine' },
        { partitionKey: 'k', data: 42 as never },
      ]),
      'InvalidArgumentException',
      /records\[1\]\.data/,
    );
    const { records } = await readShard(engine, 'limits', 'shardId-000000000000');
    expect(records).toHaveLength(1);
  });

  it('returns putRecords results index-aligned with the request', async () => {
    const engine = await openEngine(kind);
    await engine.streams.create('aligned', { shardCount: 4 });
    const input = ['a', 'hello', 'b', '1', 'a'].map((k, i) => ({ partitionKey: k, data: `r${i}` }));
    const result = await engine.streams.putRecords('aligned', input);
    expect(result.failedRecordCount).toBe(0);
    expect(result.records.map((r) => ('shardId' in r ? r.shardId.slice(-1) : '?'))).toEqual([
      '0',
      '1',
      '2',
      '3',
      '0',
    ]);
    const [first, , , , fifth] = result.records;
    if (!first || !fifth || !('sequenceNumber' in first) || !('sequenceNumber' in fifth))
      throw new Error('missing');
    expect(BigInt(fifth.sequenceNumber) > BigInt(first.sequenceNumber)).toBe(true);
  });

  it('keeps per-shard order under concurrent putRecords from many callers', async () => {
    const engine = await openEngine(kind);
    await engine.streams.create('busy', { shardCount: 2 });
    const callers = 20;
    const perCaller = 25;
    const acknowledged = new Map<string, string[]>();
    await Promise.all(
      Array.from({ length: callers }, async (_, c) => {
        for (let i = 0; i < perCaller; i += 5) {
          const batch = Array.from({ length: 5 }, (_, j) => ({
            partitionKey: `caller-${c}`,
            data: `${c}:${i + j}`,
          }));
          const result = await engine.streams.putRecords('busy', batch);
          result.records.forEach((r, j) => {
            if (!('sequenceNumber' in r)) throw new Error('unexpected failure');
            const list = acknowledged.get(r.shardId) ?? [];
            list.push(`${r.sequenceNumber}=${batch[j]?.data}`);
            acknowledged.set(r.shardId, list);
          });
        }
      }),
    );
    for (const shardId of ['shardId-000000000000', 'shardId-000000000001']) {
      const { records } = await readShard(engine, 'busy', shardId);
      const sequences = records.map((r) => BigInt(r.sequenceNumber));
      expect(sequences.every((s, i) => i === 0 || s > (sequences[i - 1] ?? 0n))).toBe(true);
      const bySequence = (acknowledged.get(shardId) ?? []).sort();
      expect(records.map((r) => `${r.sequenceNumber}=${r.data.toString()}`)).toEqual(bySequence);
      // Each caller's records appear in the order that caller wrote them.
      const perKey = new Map<string, number[]>();
      for (const r of records) {
        const [c, n] = r.data.toString().split(':');
        perKey.set(c ?? '', [...(perKey.get(c ?? '') ?? []), Number(n)]);
      }
      for (const ns of perKey.values()) expect(ns).toEqual([...ns].sort((a, b) => a - b));
    }
    const total = [...acknowledged.values()].reduce((n, l) => n + l.length, 0);
    expect(total).toBe(callers * perCaller);
  });

  it('reads with every iterator type', async () => {
    const clock = new ManualClock(START);
    const engine = await openEngine(kind, { clock });
    await engine.streams.create('iter');
    const shard = 'shardId-000000000000';
    const seqs: string[] = [];
    for (let i = 0; i < 5; i++) {
      seqs.push(
        (await engine.streams.putRecord('iter', { partitionKey: 'k', data: `r${i}` })).sequenceNumber,
      );
      clock.advance(1000);
    }
    expect(text((await readShard(engine, 'iter', shard, { type: 'TRIM_HORIZON' })).records)).toEqual([
      'r0',
      'r1',
      'r2',
      'r3',
      'r4',
    ]);
    expect(
      text(
        (await readShard(engine, 'iter', shard, { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: seqs[2] }))
          .records,
      ),
    ).toEqual(['r2', 'r3', 'r4']);
    expect(
      text(
        (await readShard(engine, 'iter', shard, { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: seqs[2] }))
          .records,
      ),
    ).toEqual(['r3', 'r4']);
    expect(
      text(
        (await readShard(engine, 'iter', shard, { type: 'AT_TIMESTAMP', timestamp: START + 3000 })).records,
      ),
    ).toEqual(['r3', 'r4']);
    expect(
      text(
        (await readShard(engine, 'iter', shard, { type: 'AT_TIMESTAMP', timestamp: new Date(START + 2500) }))
          .records,
      ),
    ).toEqual(['r3', 'r4']);
    const latest = await engine.streams.getShardIterator('iter', shard, { type: 'LATEST' });
    const empty = await engine.streams.getRecords(latest);
    expect(empty.records).toEqual([]);
    expect(empty.millisBehindLatest).toBe(0);
    await engine.streams.putRecord('iter', { partitionKey: 'k', data: 'r5' });
    const after = await engine.streams.getRecords(empty.nextShardIterator ?? '');
    expect(text(after.records)).toEqual(['r5']);
    expect(after.records[0]?.approximateArrivalTimestamp).toEqual(new Date(START + 5000));
    expect(after.records[0]?.partitionKey).toBe('k');
  });

  it('pages with limit and reports millisBehindLatest until caught up', async () => {
    const clock = new ManualClock(START);
    const engine = await openEngine(kind, { clock });
    await engine.streams.create('pages');
    for (let i = 0; i < 5; i++) await engine.streams.putRecord('pages', { partitionKey: 'k', data: `r${i}` });
    clock.advance(7000);
    const it = await engine.streams.getShardIterator('pages', 'shardId-000000000000', {
      type: 'TRIM_HORIZON',
    });
    const first = await engine.streams.getRecords(it, { limit: 2 });
    expect(text(first.records)).toEqual(['r0', 'r1']);
    expect(first.millisBehindLatest).toBe(7000);
    const rest = await engine.streams.getRecords(first.nextShardIterator ?? '', { limit: 10 });
    expect(text(rest.records)).toEqual(['r2', 'r3', 'r4']);
    expect(rest.millisBehindLatest).toBe(0);
    await expectCode(engine.streams.getRecords(it, { limit: 10001 }), 'InvalidArgumentException', /10000/);
  });

  it('expires shard iterators 5 minutes after issue on the engine clock', async () => {
    const clock = new ManualClock(START);
    const engine = await openEngine(kind, { clock });
    await engine.streams.create('expiry');
    const it = await engine.streams.getShardIterator('expiry', 'shardId-000000000000', {
      type: 'TRIM_HORIZON',
    });
    clock.advance(5 * 60_000);
    const page = await engine.streams.getRecords(it);
    clock.advance(5 * 60_000 + 1);
    await expectCode(engine.streams.getRecords(it), 'ExpiredIteratorException', /Iterator expired/);
    await expectCode(engine.streams.getRecords(page.nextShardIterator ?? ''), 'ExpiredIteratorException');
    await expectCode(
      engine.streams.getRecords('not-an-iterator'),
      'InvalidArgumentException',
      /not a valid shard iterator/,
    );
  });

  it('rejects a sequence number from another shard and a shard that does not exist', async () => {
    const engine = await openEngine(kind);
    await engine.streams.create('two', { shardCount: 2 });
    const put = await engine.streams.putRecord('two', { partitionKey: 'a', data: 'x' });
    expect(put.shardId).toBe('shardId-000000000000');
    await expectCode(
      engine.streams.getShardIterator('two', 'shardId-000000000001', {
        type: 'AT_SEQUENCE_NUMBER',
        sequenceNumber: put.sequenceNumber,
      }),
      'InvalidArgumentException',
      /not valid for that shard/,
    );
    await expectCode(
      engine.streams.getShardIterator('two', 'shardId-000000000009', { type: 'LATEST' }),
      'ResourceNotFoundException',
      /shardId-000000000009/,
    );
    await expectCode(
      engine.streams.getShardIterator('two', 'shardId-000000000000', { type: 'SOMEWHERE' as never }),
      'ValidationException',
      /TRIM_HORIZON/,
    );
  });

  it('accepts the stream ARN wherever it accepts the name', async () => {
    const engine = await openEngine(kind);
    const { streamArn } = await engine.streams.create('by-arn');
    await engine.streams.putRecord(streamArn, { partitionKey: 'k', data: new Uint8Array([1, 2, 3]) });
    const { records } = await readShard(engine, streamArn, 'shardId-000000000000');
    expect([...(records[0]?.data ?? [])]).toEqual([1, 2, 3]);
    await expectCode(
      engine.streams.describe('arn:aws:kinesis:us-east-1:000000000000:stream/missing'),
      'ResourceNotFoundException',
    );
  });

  it('starts a re-created stream empty and rejects iterators of the deleted one', async () => {
    const engine = await openEngine(kind);
    await engine.streams.create('again');
    await engine.streams.putRecord('again', { partitionKey: 'k', data: 'first life' });
    const old = await engine.streams.getShardIterator('again', 'shardId-000000000000', {
      type: 'TRIM_HORIZON',
    });
    await engine.streams.delete('again');
    await expectCode(
      engine.streams.putRecord('again', { partitionKey: 'k', data: 'x' }),
      'ResourceNotFoundException',
    );
    await engine.streams.create('again');
    expect((await readShard(engine, 'again', 'shardId-000000000000')).records).toEqual([]);
    await expectCode(engine.streams.getRecords(old), 'ResourceNotFoundException', /no longer exists/);
  });

  it('refuses calls after close with EngineClosed', async () => {
    const engine = await openEngine(kind);
    await engine.streams.create('closing');
    await engine.close();
    await expectCode(engine.streams.putRecord('closing', { partitionKey: 'k', data: 'x' }), 'EngineClosed');
    await expectCode(engine.streams.list(), 'EngineClosed');
  });
});
