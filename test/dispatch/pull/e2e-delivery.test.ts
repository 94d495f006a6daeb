import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkpointed, e2e, lines, pullFunction } from '../../helpers/pull-e2e.js';

/** Sequence numbers per shard, in the order the function logged them (`shardId:sequence` lines). */
function perShard(logged: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of logged) {
    const [shardId = '', seq = ''] = line.split(':');
    out.set(shardId, [...(out.get(shardId) ?? []), seq]);
  }
  return out;
}

describe('records of real streams reach real functions in order', () => {
  // On JetStream the mapping runs through the cluster's leases and KV checkpoints (one process holds every shard).
  it.each(['memory', 'jetstream'] as const)(
    'delivers every record once, in order per shard, with 8 shards and 4 concurrent writers (%s)',
    async (kind) => {
      const h = await e2e(kind);
      const stream = await h.engine.streams.create('clicks', { shardCount: 8 });
      await pullFunction(h, 'counter', 'ids');
      const { uuid } = await h.engine.mappings.create({
        functionName: 'counter',
        eventSourceArn: stream.streamArn,
        startingPosition: 'TRIM_HORIZON',
        batchSize: 25,
      });
      const written = new Map<string, string[]>();
      await Promise.all(
        [0, 1, 2, 3].map(async (writer) => {
          for (let round = 0; round < 10; round++) {
            const records = Array.from({ length: 20 }, (_, i) => ({
              partitionKey: `w${writer}-${i}`,
              data: `${writer}:${round}:${i}`,
            }));
            const result = await h.engine.streams.putRecords('clicks', records);
            for (const r of result.records) {
              if (!('sequenceNumber' in r)) throw new Error('write failed');
              written.set(r.shardId, [...(written.get(r.shardId) ?? []), r.sequenceNumber]);
            }
          }
        }),
      );
      for (const [shardId, seqs] of written) {
        seqs.sort();
        await checkpointed(h, uuid, shardId, seqs[seqs.length - 1] ?? '');
      }
      const delivered = perShard(lines(h));
      expect([...delivered.keys()].sort()).toEqual([...written.keys()].sort());
      for (const [shardId, seqs] of written) expect(delivered.get(shardId)).toEqual(seqs);
    },
  );

  describe('on disk', () => {
    it('resumes from the checkpoint after a restart, redelivering nothing', async () => {
      const kind = 'disk';
      const first = await e2e(kind);
      const stream = await first.engine.streams.create('orders');
      await pullFunction(first, 'fn', 'ids');
      const { uuid } = await first.engine.mappings.create({
        functionName: 'fn',
        eventSourceArn: stream.streamArn,
        startingPosition: 'TRIM_HORIZON',
      });
      let last = await first.engine.streams.putRecord('orders', { partitionKey: 'a', data: '1' });
      last = await first.engine.streams.putRecord('orders', { partitionKey: 'a', data: '2' });
      await checkpointed(first, uuid, last.shardId, last.sequenceNumber);
      await first.engine.close();
      const second = await e2e(kind, { clock: first.clock, dir: first.dir, location: first.location });
      expect((await second.engine.mappings.get(uuid)).shards[0]?.sequenceNumber).toBe(last.sequenceNumber);
      const third = await second.engine.streams.putRecord('orders', { partitionKey: 'a', data: '3' });
      await checkpointed(second, uuid, third.shardId, third.sequenceNumber);
      expect(lines(second).map((l) => l.split(':')[1])).toHaveLength(3);
    });
  });

  it('stops on disable, keeps the checkpoint, and resumes on enable', async () => {
    const h = await e2e();
    const stream = await h.engine.streams.create('orders');
    await pullFunction(h, 'fn', 'ids');
    const { uuid } = await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: stream.streamArn,
      startingPosition: 'LATEST',
    });
    const one = await h.engine.streams.putRecord('orders', { partitionKey: 'a', data: '1' });
    await checkpointed(h, uuid, one.shardId, one.sequenceNumber);
    await h.engine.mappings.update(uuid, { enabled: false });
    expect((await h.engine.mappings.get(uuid)).state).toBe('Disabled');
    const two = await h.engine.streams.putRecord('orders', { partitionKey: 'a', data: '2' });
    expect((await h.engine.mappings.get(uuid)).shards[0]?.sequenceNumber).toBe(one.sequenceNumber);
    h.clock.advance(5000);
    await h.engine.mappings.update(uuid, { enabled: true });
    await checkpointed(h, uuid, two.shardId, two.sequenceNumber);
    expect(lines(h)).toEqual([
      `${one.shardId}:${one.sequenceNumber}`,
      `${two.shardId}:${two.sequenceNumber}`,
    ]);
    // Lag: the engine clock at delivery minus the arrival of the last record delivered.
    expect((await h.engine.mappings.get(uuid)).shards[0]?.iteratorAgeMs).toBe(5000);
  });

  it('drains parent shards before their children after a real split', async () => {
    const h = await e2e();
    const stream = await h.engine.streams.create('orders');
    await pullFunction(h, 'fn', 'ids');
    const { uuid } = await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: stream.streamArn,
      startingPosition: 'TRIM_HORIZON',
      batchSize: 5,
      enabled: false,
    });
    const keys = Array.from({ length: 30 }, (_, i) => ({ partitionKey: `k${i}`, data: String(i) }));
    await h.engine.streams.putRecords('orders', keys);
    await h.engine.streams.splitShard('orders', 'shardId-000000000000', (2n ** 127n).toString());
    const children = await h.engine.streams.putRecords('orders', keys);
    await h.engine.mappings.update(uuid, { enabled: true });
    const lastPerChild = new Map<string, string>();
    for (const r of children.records)
      if ('sequenceNumber' in r) lastPerChild.set(r.shardId, r.sequenceNumber);
    expect(lastPerChild.size).toBe(2);
    for (const [shardId, seq] of lastPerChild) await checkpointed(h, uuid, shardId, seq);
    const shards = lines(h).map((l) => l.split(':')[0]);
    expect(shards).toHaveLength(60);
    expect(shards.slice(0, 30).every((s) => s === 'shardId-000000000000')).toBe(true);
    expect(shards.slice(30).every((s) => s !== 'shardId-000000000000')).toBe(true);
  });

  it('blocks only the failing shard and resumes it once the function succeeds', async () => {
    const h = await e2e();
    const stream = await h.engine.streams.create('orders', { shardCount: 2 });
    const flag = join(h.dir, 'flag');
    await pullFunction(h, 'fn', 'poisonUntilFlag', { FLAG: flag });
    const { uuid } = await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: stream.streamArn,
      startingPosition: 'TRIM_HORIZON',
      batchSize: 1,
    });
    // Find one key per shard.
    const byShard = new Map<string, string>();
    for (let i = 0; byShard.size < 2; i++) {
      const shardId = (await h.engine.streams.putRecord('orders', { partitionKey: `p${i}`, data: 'warm-up' }))
        .shardId;
      if (!byShard.has(shardId)) byShard.set(shardId, `p${i}`);
    }
    const [[badShard, badKey] = ['', ''], [goodShard, goodKey] = ['', '']] = [...byShard];
    const poison = await h.engine.streams.putRecord('orders', { partitionKey: badKey, data: 'poison' });
    const after = await h.engine.streams.putRecord('orders', { partitionKey: badKey, data: 'after' });
    const failed = await h.events.wait('mapping.batch.failed', (e) => e.shardId === badShard);
    for (let i = 0; i < 3; i++) {
      const good = await h.engine.streams.putRecord('orders', { partitionKey: goodKey, data: `ok${i}` });
      await checkpointed(h, uuid, goodShard, good.sequenceNumber);
    }
    expect(lines(h)).not.toContain(`${badShard}:${after.sequenceNumber}`);
    writeFileSync(flag, '');
    h.clock.advance(failed.delayMs);
    await checkpointed(h, uuid, badShard, after.sequenceNumber);
    const bad = lines(h).filter((l) => l.startsWith(badShard));
    expect(bad.slice(-2)).toEqual([
      `${badShard}:${poison.sequenceNumber}`,
      `${badShard}:${after.sequenceNumber}`,
    ]);
  });
});

describe('deleting what a mapping uses (AWS keeps the mapping in a problem state)', () => {
  it('keeps the mapping of a deleted function waiting, and delivers once the function is back', async () => {
    const h = await e2e();
    const stream = await h.engine.streams.create('orders');
    await pullFunction(h, 'fn', 'ids');
    const { uuid } = await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: stream.streamArn,
      startingPosition: 'LATEST',
    });
    await h.engine.functions.delete('fn');
    const record = await h.engine.streams.putRecord('orders', { partitionKey: 'a', data: '1' });
    const failed = await h.events.wait('mapping.batch.failed', (e) => e.uuid === uuid);
    const view = await h.engine.mappings.get(uuid);
    expect(view.state).toBe('Enabled');
    expect(view.lastProcessingResult).toBe('PROBLEM: Function does not exist');
    await pullFunction(h, 'fn', 'ids');
    h.clock.advance(failed.delayMs);
    await checkpointed(h, uuid, record.shardId, record.sequenceNumber);
    expect(lines(h)).toEqual([`${record.shardId}:${record.sequenceNumber}`]);
    expect((await h.engine.mappings.get(uuid)).lastProcessingResult).toBe('OK');
  });

  it('disables the mapping of a deleted stream with a PROBLEM reason and keeps it', async () => {
    const h = await e2e();
    const stream = await h.engine.streams.create('orders');
    const table = await h.engine.tables.create('users', { partitionKey: 'id', streamViewType: 'KEYS_ONLY' });
    await pullFunction(h, 'fn', 'ids');
    const onStream = await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: stream.streamArn,
      startingPosition: 'LATEST',
    });
    const onTable = await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: table.streamArn ?? '',
      startingPosition: 'LATEST',
    });
    await h.engine.streams.delete('orders');
    await h.engine.tables.delete('users');
    for (const { uuid, eventSourceArn } of [onStream, onTable]) {
      const state = await h.events.wait('mapping.state', (e) => e.uuid === uuid && e.state === 'Disabled');
      expect(state.reason).toBe(`PROBLEM: event source ${eventSourceArn} does not exist`);
      const view = await h.engine.mappings.get(uuid);
      expect(view.lastProcessingResult).toBe('PROBLEM: Event source does not exist');
    }
    expect(await h.engine.mappings.list()).toHaveLength(2);
  });
});
