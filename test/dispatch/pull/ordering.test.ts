import { describe, expect, it } from 'vitest';
import { STORAGE_KINDS } from '../../helpers/engines.js';
import { pullHarness } from '../../helpers/pull-harness.js';
import { fails, ok } from '../../helpers/scripted-invoker.js';

/** eventIDs delivered per shard, in delivery order. */
function perShard(batches: Array<Array<{ eventID: string }>>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const batch of batches) {
    const shards = new Set(batch.map((r) => r.eventID.split(':')[0]));
    expect(shards.size).toBe(1);
    for (const r of batch) {
      const [shard = '', seq = ''] = r.eventID.split(':');
      out.set(shard, [...(out.get(shard) ?? []), seq]);
    }
  }
  return out;
}

describe.each(STORAGE_KINDS)('in-order delivery per shard (%s)', (kind) => {
  it('delivers every record of many shards exactly in sequence order, one shard per batch', async () => {
    const h = await pullHarness(kind, { log: { shardCount: 8 } });
    const { uuid } = await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: h.log.arn,
      startingPosition: 'TRIM_HORIZON',
      batchSize: 7,
    });
    const written = new Map<string, string[]>();
    // Four writers interleaved, each with its own keys, as concurrent producers would.
    for (let i = 0; i < 100; i++) {
      for (let writer = 0; writer < 4; writer++) {
        const record = h.log.put({ partitionKey: `w${writer}-k${i % 13}`, data: `${writer}:${i}` });
        const shard = h.log
          .shardIds()
          .find((id) => h.log.data.shards.find((s) => s.shardId === id)?.records.includes(record));
        written.set(shard ?? '', [...(written.get(shard ?? '') ?? []), record.sequenceNumber]);
      }
      // Let pollers and LevelDB work between bursts, as concurrent producers would.
      if (i % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    for (const [shardId, seqs] of written) {
      await h.events.wait(
        'mapping.checkpoint',
        (e) => e.uuid === uuid && e.shardId === shardId && e.sequenceNumber === seqs.at(-1),
      );
    }
    const delivered = perShard(h.invoker.batches);
    expect(delivered).toEqual(written);
    // Idle pollers wait on the source's changes$, not on timers: nothing is scheduled.
    expect(h.clock.pendingTimers).toBe(0);
    expect(Math.max(...h.invoker.batches.map((b) => b.length))).toBeLessThanOrEqual(7);
  });
});

describe('failing batches and timing', () => {
  it('a failing batch blocks only its shard and goes through once the function recovers', async () => {
    const h = await pullHarness('memory', { log: { shardCount: 2 } });
    const [bad = '', good = ''] = h.log.shardIds();
    let healthy = false;
    h.invoker.script = (records) =>
      records[0]?.eventID.startsWith(bad) && !healthy ? fails('poison') : ok();
    const { uuid } = await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: h.log.arn,
      startingPosition: 'TRIM_HORIZON',
    });
    const b1 = h.log.put({ partitionKey: 'a', shardId: bad, data: 'b1' });
    const failed = await h.events.wait('mapping.batch.failed', (e) => e.shardId === bad);
    expect(failed).toMatchObject({ attempt: 1, delayMs: 1000, reason: 'FunctionError', message: 'poison' });
    // The other shard keeps flowing while the bad one waits for its retry.
    const g1 = h.log.put({ partitionKey: 'b', shardId: good, data: 'g1' });
    await h.events.wait(
      'mapping.checkpoint',
      (e) => e.shardId === good && e.sequenceNumber === g1.sequenceNumber,
    );
    const b2 = h.log.put({ partitionKey: 'a', shardId: bad, data: 'b2' });
    h.clock.advance(1000);
    const second = await h.events.wait('mapping.batch.failed', (e) => e.shardId === bad, 2);
    expect(second).toMatchObject({ attempt: 2, delayMs: 2000 });
    // The retry is the SAME batch: b2 is not in it.
    expect(h.invoker.batches.filter((b) => b[0]?.eventID.startsWith(bad)).map((b) => b.length)).toEqual([
      1, 1,
    ]);
    expect((await h.engine.mappings.get(uuid)).lastProcessingResult).toBe('PROBLEM: Function call failed');
    healthy = true;
    h.clock.advance(2000);
    await h.events.wait(
      'mapping.checkpoint',
      (e) => e.shardId === bad && e.sequenceNumber === b2.sequenceNumber,
    );
    const badBatches = h.invoker.batches.filter((b) => b[0]?.eventID.startsWith(bad));
    expect(badBatches.map((b) => b.map((r) => r.kinesis?.sequenceNumber))).toEqual([
      [b1.sequenceNumber],
      [b1.sequenceNumber],
      [b1.sequenceNumber],
      [b2.sequenceNumber],
    ]);
    const view = await h.engine.mappings.get(uuid);
    expect(view.lastProcessingResult).toBe('OK');
    expect(view.shards.find((s) => s.shardId === bad)?.sequenceNumber).toBe(b2.sequenceNumber);
  });

  it('backs off exponentially up to the 30 s cap', async () => {
    const h = await pullHarness('memory');
    h.invoker.script = () => fails();
    await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: h.log.arn,
      startingPosition: 'TRIM_HORIZON',
    });
    h.log.put({ partitionKey: 'a', data: 'x' });
    const delays: number[] = [];
    for (let n = 1; n <= 7; n++) {
      const e = await h.events.wait('mapping.batch.failed', () => true, n);
      delays.push(e.delayMs);
      h.clock.advance(e.delayMs);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });

  it('waits for the batching window on the engine clock before invoking a partial batch', async () => {
    const h = await pullHarness('memory');
    await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: h.log.arn,
      startingPosition: 'TRIM_HORIZON',
      batchSize: 3,
      maximumBatchingWindowMs: 5000,
    });
    h.log.put({ partitionKey: 'a', data: '1' });
    await h.events.wait('mapping.batch.window');
    h.clock.advance(4000);
    h.log.put({ partitionKey: 'a', data: '2' });
    await Promise.resolve();
    expect(h.invoker.requests).toHaveLength(0);
    h.clock.advance(1000);
    await h.events.wait('mapping.batch.succeeded');
    expect(h.invoker.batches.map((b) => b.length)).toEqual([2]);
    // A full batch goes at once, without waiting for the window.
    for (let i = 0; i < 3; i++) h.log.put({ partitionKey: 'a', data: `f${i}` });
    await h.events.wait('mapping.batch.succeeded', () => true, 2);
    expect(h.invoker.batches.map((b) => b.length)).toEqual([2, 3]);
  });
});
