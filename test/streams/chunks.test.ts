import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/index.js';
import { SEP } from '../../src/storage/keys.js';
import { prefixedPutOp } from '../../src/storage/storage.js';
import { encodeRecord } from '../../src/streams/record-codec.js';
import { sequenceAt } from '../../src/streams/sequence.js';
import type { Position } from '../../src/streams/shard-log.js';
import { openShardLog } from './helpers.js';

const START = Date.UTC(2026, 0, 1);

async function openLog(clock: ManualClock) {
  const { log, storage, stream, shard, put } = await openShardLog(clock, 'c');
  /** Every record from `from` on, read `limit` at a time. */
  const readAll = async (from: Position, limit: number) => {
    const out: string[] = [];
    let position = from;
    for (let pages = 0; pages < 100; pages++) {
      const page = await log.read(stream, shard, position, limit);
      expect(page.records.length).toBeLessThanOrEqual(limit);
      out.push(...page.records.map((r) => `${r.partitionKey}=${r.data.toString('utf8')}`));
      position = page.next;
      if (page.caughtUp) return out;
    }
    throw new Error('read did not catch up');
  };
  return { log, storage, stream, shard, put, readAll };
}

describe('appends stored as one value each', () => {
  it('are read from any position inside an append, a page ending anywhere', async () => {
    const clock = new ManualClock(START);
    const { put, readAll, storage } = await openLog(clock);
    const first = await put('a', 'b', 'c', 'd', 'e');
    clock.advance(1);
    const second = await put('f', 'g');
    const all = ['k-a=a', 'k-b=b', 'k-c=c', 'k-d=d', 'k-e=e', 'k-f=f', 'k-g=g'];
    for (const limit of [1, 2, 3, 5, 10]) {
      expect(await readAll({ op: 'gte', sequence: sequenceAt(0, 0) }, limit)).toEqual(all);
      expect(await readAll({ op: 'gt', sequence: first[1] ?? '' }, limit)).toEqual(all.slice(2));
      expect(await readAll({ op: 'gte', sequence: first[3] ?? '' }, limit)).toEqual(all.slice(3));
      expect(await readAll({ op: 'gt', sequence: first[4] ?? '' }, limit)).toEqual(all.slice(5));
      expect(await readAll({ op: 'gt', sequence: second[1] ?? '' }, limit)).toEqual([]);
    }
    // Two appends, two values (plus nothing else in the records sublevel).
    const records = storage.sublevel<Buffer>('stream-records', 'buffer');
    expect(await records.keys().all()).toHaveLength(2);
  });

  it('store string data as its UTF-8 bytes, as a Buffer of it would be stored', async () => {
    const clock = new ManualClock(START);
    const { log, stream, shard } = await openLog(clock);
    const texts = ['plain', 'ünï 😀', 'lone \ud800 surrogate', ''];
    await log.appendToShard(
      stream,
      shard,
      texts.map((data, i) => ({ partitionKey: `k${i}`, data, hashKey: undefined })),
    );
    await log.appendToShard(stream, shard, [
      { partitionKey: 'b', data: Buffer.from('ünï'), hashKey: undefined },
    ]);
    const page = await log.read(stream, shard, { op: 'gte', sequence: sequenceAt(0, 0) }, 10);
    expect(page.records.map((r) => r.data)).toEqual([...texts, 'ünï'].map((t) => Buffer.from(t, 'utf8')));
  });

  it('still read values in the single-record format, mixed with appends', async () => {
    const clock = new ManualClock(START);
    const { put, readAll, stream, storage } = await openLog(clock);
    const [a = ''] = await put('a');
    // A record written by a version before chunks: its own key, its own value.
    const old = sequenceAt(0, START + 1);
    const records = storage.sublevel<Buffer>('stream-records', 'buffer');
    await storage.batch([
      prefixedPutOp(
        records,
        stream.meta.uid + SEP + old,
        encodeRecord(START + 1, 'k-old', Buffer.from('old')),
      ),
    ]);
    clock.advance(2);
    await put('b', 'c');
    const all = ['k-a=a', 'k-old=old', 'k-b=b', 'k-c=c'];
    expect(await readAll({ op: 'gte', sequence: sequenceAt(0, 0) }, 1)).toEqual(all);
    expect(await readAll({ op: 'gt', sequence: a }, 10)).toEqual(all.slice(1));
    expect(await readAll({ op: 'gt', sequence: old }, 10)).toEqual(all.slice(2));
  });

  it('resolve AT_TIMESTAMP inside an append whose numbers run into the next millisecond', async () => {
    const clock = new ManualClock(START);
    const { log, stream, shard, put } = await openLog(clock);
    const [before = ''] = await put('before');
    clock.advance(10);
    // The counter is at its last value in this millisecond: the append borrows the next one.
    shard.cursor = { ms: START + 10, sub: 999_998 };
    const seqs = await put('x', 'y', 'z');
    expect(seqs.map((s) => s.slice(13, 29))).toEqual(
      [START + 10, START + 11, START + 11].map((ms) => String(ms).padStart(16, '0')),
    );
    expect(await log.lastBefore(stream, shard, sequenceAt(0, START + 11))).toBe(seqs[0]);
    expect(await log.lastBefore(stream, shard, sequenceAt(0, START + 10))).toBe(before);
    expect(await log.lastBefore(stream, shard, sequenceAt(0, START + 12))).toBe(seqs[2]);
    expect(await log.lastBefore(stream, shard, sequenceAt(0, START))).toBeUndefined();
  });
});
