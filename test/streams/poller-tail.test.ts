import { describe, expect, it } from 'vitest';
import { logShardSources } from '../../src/dispatch/pull/log-sources.js';
import { ManualClock } from '../../src/index.js';
import { openShardLog } from './helpers.js';

const HOUR = 3_600_000;
const START = Date.UTC(2026, 0, 1);

async function openLog(clock: ManualClock) {
  const { log, stream, shard, put } = await openShardLog(clock, 't');
  const source = await logShardSources(log).get(stream.meta.arn);
  if (!source) throw new Error('no source');
  return { log, stream, shard, source, put };
}

const shown = (records: { partitionKey?: string; data?: Buffer }[]) =>
  records.map((r) => `${r.partitionKey}=${r.data?.toString('utf8')}`);

describe('poller reads through the in-memory shard tail', () => {
  it('returns the same records as storage, in order, from any position the tail covers', async () => {
    const clock = new ManualClock(START);
    const { log, stream, shard, source, put } = await openLog(clock);
    const [first = ''] = await put('a', 'b');
    // First read after a position: a miss, served by storage, which turns the tail on.
    expect(shown(await source.read(shard.meta.shardId, first, 10))).toEqual(['k-b=b']);
    expect(shard.tail).toBeUndefined();
    const [, d = ''] = await put('c', 'd');
    clock.advance(5);
    const [e = ''] = await put('e');
    // Positions inside the tail: served from memory, identical to what storage returns.
    expect(log.readTail(stream, shard, d, 10)?.map((r) => r.partitionKey)).toEqual(['k-e']);
    const lastOfFirst = (await put('f'))[0] ?? '';
    expect(shown(await source.read(shard.meta.shardId, d, 10))).toEqual(['k-e=e', 'k-f=f']);
    expect(shown(await source.read(shard.meta.shardId, e, 1))).toEqual(['k-f=f']);
    expect(await source.read(shard.meta.shardId, lastOfFirst, 10)).toEqual([]);
    const fromStorage = (await log.read(stream, shard, { op: 'gt', sequence: first }, 10)).records;
    expect(fromStorage.map((r) => `${r.partitionKey}=${r.data.toString('utf8')}`)).toEqual(
      shown(await source.read(shard.meta.shardId, first, 10)),
    );
    // Before the tail starts: storage.
    expect(log.readTail(stream, shard, first, 10)).toBeUndefined();
  });

  it('keeps its own copy of the bytes and never serves records past retention', async () => {
    const clock = new ManualClock(START);
    const { log, stream, shard, source, put } = await openLog(clock);
    const [first = ''] = await put('a');
    await source.read(shard.meta.shardId, first, 10);
    const data = Buffer.from('mutable');
    const [m = ''] =
      (await log.appendToShard(stream, shard, [{ partitionKey: 'm', data, hashKey: undefined }])) ?? [];
    await put('z');
    data.fill(0);
    expect(shown(await source.read(shard.meta.shardId, first, 10))).toEqual(['m=mutable', 'k-z=z']);
    clock.advance(24 * HOUR + 1);
    expect(log.readTail(stream, shard, first, 10)).toBeUndefined();
    expect(await source.read(shard.meta.shardId, m, 10)).toEqual([]);
  });
});
