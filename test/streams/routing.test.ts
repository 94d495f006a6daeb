import { describe, expect, it } from 'vitest';
import { evenRanges, HASH_KEY_MAX, hashPartitionKey } from '../../src/streams/hash-range.js';
import { openEngine } from '../helpers/engines.js';
import { expectCode } from '../helpers/errors.js';

describe('hash key routing', () => {
  it('splits the hash key space evenly: shard i covers [floor(i*2^128/n), floor((i+1)*2^128/n) - 1]', () => {
    expect(evenRanges(1)).toEqual([{ start: 0n, end: HASH_KEY_MAX }]);
    expect(evenRanges(2)).toEqual([
      { start: 0n, end: 170141183460469231731687303715884105727n },
      { start: 170141183460469231731687303715884105728n, end: HASH_KEY_MAX },
    ]);
    // 2^128 / 3 = 113427455640312821154458202477256070485.33...
    expect(evenRanges(3)).toEqual([
      { start: 0n, end: 113427455640312821154458202477256070484n },
      { start: 113427455640312821154458202477256070485n, end: 226854911280625642308916404954512140969n },
      { start: 226854911280625642308916404954512140970n, end: HASH_KEY_MAX },
    ]);
  });

  it('hashes the partition key as MD5 read as an unsigned 128-bit big-endian integer', () => {
    // md5('a') = 0cc175b9c0f1b6a831c399e269772661
    expect(hashPartitionKey('a')).toBe(0x0cc175b9c0f1b6a831c399e269772661n);
    // md5('hello') = 5d41402abc4b2a76b9719d911017c592
    expect(hashPartitionKey('hello')).toBe(0x5d41402abc4b2a76b9719d911017c592n);
  });

  it('sends known keys to the shard whose range holds their MD5 (4 shards: quarters by first byte)', async () => {
    const engine = await openEngine('memory');
    await engine.streams.create('routes', { shardCount: 4 });
    // First bytes: 'a' 0x0c -> quarter 0, 'hello' 0x5d -> 1, 'b' 0x92 -> 2, '1' 0xc4 -> 3.
    const expected: Record<string, string> = {
      a: 'shardId-000000000000',
      hello: 'shardId-000000000001',
      b: 'shardId-000000000002',
      '1': 'shardId-000000000003',
    };
    for (const [key, shardId] of Object.entries(expected)) {
      const put = await engine.streams.putRecord('routes', { partitionKey: key, data: key });
      expect(put.shardId).toBe(shardId);
    }
  });

  it('routes by explicitHashKey over the partition key', async () => {
    const engine = await openEngine('memory');
    await engine.streams.create('explicit', { shardCount: 2 });
    const high = await engine.streams.putRecord('explicit', {
      partitionKey: 'a',
      data: 'x',
      explicitHashKey: HASH_KEY_MAX.toString(),
    });
    expect(high.shardId).toBe('shardId-000000000001');
    const low = await engine.streams.putRecord('explicit', {
      partitionKey: 'b',
      data: 'x',
      explicitHashKey: '0',
    });
    expect(low.shardId).toBe('shardId-000000000000');
  });

  it('rejects an explicitHashKey that is not a decimal integer or lies above 2^128-1', async () => {
    const engine = await openEngine('memory');
    await engine.streams.create('explicit', { shardCount: 1 });
    await expectCode(
      engine.streams.putRecord('explicit', { partitionKey: 'a', data: 'x', explicitHashKey: '01' }),
      'InvalidArgumentException',
      /explicitHashKey/,
    );
    await expectCode(
      engine.streams.putRecord('explicit', {
        partitionKey: 'a',
        data: 'x',
        explicitHashKey: (HASH_KEY_MAX + 1n).toString(),
      }),
      'InvalidArgumentException',
      /outside the hash key range/,
    );
  });
});
