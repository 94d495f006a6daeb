import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/index.js';
import { BACKEND_KINDS, nextEvent, openEngine } from '../helpers/engines.js';
import { expectCode } from '../helpers/errors.js';
import { readShard, text } from './helpers.js';

const HOUR = 3_600_000;
const START = Date.UTC(2026, 0, 1);
const SHARD = 'shardId-000000000000';

describe.each(BACKEND_KINDS)('retention (%s)', (kind) => {
  it('hides records older than the retention period from readers', async () => {
    const clock = new ManualClock(START);
    const engine = await openEngine(kind, { clock });
    await engine.streams.create('hide');
    await engine.streams.putRecord('hide', { partitionKey: 'k', data: 'old' });
    clock.advance(12 * HOUR);
    await engine.streams.putRecord('hide', { partitionKey: 'k', data: 'new' });
    clock.advance(12 * HOUR + 1);
    expect(text((await readShard(engine, 'hide', SHARD)).records)).toEqual(['new']);
  });

  it('removes expired records of a shard nobody reads, so a longer retention does not bring them back', async () => {
    const clock = new ManualClock(START);
    const engine = await openEngine(kind, { clock });
    await engine.streams.create('unread');
    await engine.streams.putRecords('unread', [
      { partitionKey: 'k', data: 'a' },
      { partitionKey: 'k', data: 'b' },
    ]);
    clock.advance(HOUR);
    await engine.streams.putRecord('unread', { partitionKey: 'k', data: 'c' });
    const trimmed = nextEvent(engine, 'stream.trimmed', (e) => e.shardId === SHARD);
    clock.advance(24 * HOUR);
    expect((await trimmed).before).toBe(START + 1);
    await engine.streams.increaseRetentionPeriod('unread', 48);
    expect(text((await readShard(engine, 'unread', SHARD)).records)).toEqual(['c']);
  });

  it('applies a shorter retention period at once and rejects increase/decrease in the wrong direction', async () => {
    const clock = new ManualClock(START);
    const engine = await openEngine(kind, { clock });
    await engine.streams.create('shorter', { retentionHours: 72 });
    await engine.streams.putRecord('shorter', { partitionKey: 'k', data: 'two days old' });
    clock.advance(48 * HOUR);
    await engine.streams.putRecord('shorter', { partitionKey: 'k', data: 'fresh' });
    expect(text((await readShard(engine, 'shorter', SHARD)).records)).toEqual(['two days old', 'fresh']);
    await expectCode(
      engine.streams.increaseRetentionPeriod('shorter', 24),
      'InvalidArgumentException',
      /shorter/,
    );
    await expectCode(
      engine.streams.decreaseRetentionPeriod('shorter', 96),
      'InvalidArgumentException',
      /longer/,
    );
    await engine.streams.decreaseRetentionPeriod('shorter', 24);
    expect((await engine.streams.describe('shorter')).retentionPeriodHours).toBe(24);
    expect(text((await readShard(engine, 'shorter', SHARD)).records)).toEqual(['fresh']);
  });

  it('expires a closed parent shard after the retention period: it is no longer listed or readable', async () => {
    const clock = new ManualClock(START);
    const engine = await openEngine(kind, { clock });
    await engine.streams.create('parents');
    await engine.streams.putRecord('parents', { partitionKey: 'k', data: 'in parent' });
    await engine.streams.splitShard('parents', SHARD, (1n << 127n).toString());
    const iterator = await engine.streams.getShardIterator('parents', SHARD, { type: 'TRIM_HORIZON' });
    const expired = nextEvent(engine, 'stream.shardExpired', (e) => e.shardId === SHARD);
    clock.advance(24 * HOUR + 1);
    await expired;
    const shards = (await engine.streams.describe('parents')).shards.map((s) => s.shardId);
    expect(shards).toEqual(['shardId-000000000001', 'shardId-000000000002']);
    await expectCode(
      engine.streams.getShardIterator('parents', SHARD, { type: 'TRIM_HORIZON' }),
      'ResourceNotFoundException',
    );
    clock.set(START + 24 * HOUR + 2);
    await expectCode(engine.streams.getRecords(iterator), 'ExpiredIteratorException');
  });
});
