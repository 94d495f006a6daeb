import { describe, expect, it } from 'vitest';
import type { TailedRecord } from '../../src/index.js';
import { BACKEND_KINDS, collect, openEngine } from '../helpers/engines.js';
import { expectCode } from '../helpers/errors.js';
import { readShard, text } from './helpers.js';

const HALF = 1n << 127n;
const S0 = 'shardId-000000000000';
const S1 = 'shardId-000000000001';
const S2 = 'shardId-000000000002';

describe.each(BACKEND_KINDS)('resharding (%s)', (kind) => {
  it('splits a shard: parent closes with an ending sequence number, children cover its halves', async () => {
    const engine = await openEngine(kind);
    await engine.streams.create('split');
    const before = await engine.streams.putRecord('split', { partitionKey: 'a', data: 'before' });
    await engine.streams.splitShard('split', S0, HALF.toString());
    const { shards, openShardCount } = await engine.streams.describe('split');
    expect(openShardCount).toBe(2);
    expect(
      shards.map((s) => [
        s.shardId,
        s.parentShardId,
        s.hashKeyRange.startingHashKey,
        s.hashKeyRange.endingHashKey,
      ]),
    ).toEqual([
      [S0, undefined, '0', ((1n << 128n) - 1n).toString()],
      [S1, S0, '0', (HALF - 1n).toString()],
      [S2, S0, HALF.toString(), ((1n << 128n) - 1n).toString()],
    ]);
    expect(shards[0]?.sequenceNumberRange.endingSequenceNumber).toBe(before.sequenceNumber);
    // 'a' hashes below 2^127, 'b' above.
    expect((await engine.streams.putRecord('split', { partitionKey: 'a', data: 'after' })).shardId).toBe(S1);
    expect((await engine.streams.putRecord('split', { partitionKey: 'b', data: 'after' })).shardId).toBe(S2);
  });

  it('reads a closed parent to SHARD_END: no next iterator, the child shards named', async () => {
    const engine = await openEngine(kind);
    await engine.streams.create('end');
    await engine.streams.putRecord('end', { partitionKey: 'a', data: 'one' });
    await engine.streams.splitShard('end', S0, HALF.toString());
    const parent = await readShard(engine, 'end', S0);
    expect(text(parent.records)).toEqual(['one']);
    expect(parent.ended).toBe(true);
    expect(parent.childShardIds).toEqual([S1, S2]);
  });

  it('merges adjacent shards into one child with both parent links', async () => {
    const engine = await openEngine(kind);
    await engine.streams.create('merge', { shardCount: 3 });
    await expectCode(engine.streams.mergeShards('merge', S0, S2), 'InvalidArgumentException', /not adjacent/);
    await engine.streams.mergeShards('merge', S1, S0);
    const { shards } = await engine.streams.describe('merge');
    const child = shards.find((s) => s.shardId === 'shardId-000000000003');
    expect(child?.parentShardId).toBe(S1);
    expect(child?.adjacentParentShardId).toBe(S0);
    expect(child?.hashKeyRange.startingHashKey).toBe('0');
    expect(child?.hashKeyRange.endingHashKey).toBe(shards[1]?.hashKeyRange.endingHashKey);
    await expectCode(engine.streams.mergeShards('merge', S0, S2), 'ResourceInUseException', /closed/);
    await expectCode(
      engine.streams.splitShard('merge', S2, '5'),
      'InvalidArgumentException',
      /newStartingHashKey 5/,
    );
  });

  it('delivers a key parent-before-child through a stream tail across a split and a merge', async () => {
    const engine = await openEngine(kind);
    await engine.streams.create('order');
    for (let i = 0; i < 3; i++) await engine.streams.putRecord('order', { partitionKey: 'a', data: `a${i}` });
    await engine.streams.splitShard('order', S0, HALF.toString());
    for (let i = 3; i < 6; i++) await engine.streams.putRecord('order', { partitionKey: 'a', data: `a${i}` });
    await engine.streams.mergeShards('order', S1, S2);
    for (let i = 6; i < 9; i++) await engine.streams.putRecord('order', { partitionKey: 'a', data: `a${i}` });
    const seen: TailedRecord[] = await collect(engine.streams.records$('order', { from: 'TRIM_HORIZON' }), 9);
    expect(text(seen)).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8']);
    expect(seen.map((r) => r.shardId)).toEqual([
      S0,
      S0,
      S0,
      S1,
      S1,
      S1,
      'shardId-000000000003',
      'shardId-000000000003',
      'shardId-000000000003',
    ]);
  });
});
