import { describe, expect, it } from 'vitest';
import { sliceOf } from '../../../src/dispatch/pull/records.js';
import { tempDir } from '../../helpers/engines.js';
import { type PullHarness, pullHarness } from '../../helpers/pull-harness.js';
import { fails, ok } from '../../helpers/scripted-invoker.js';

const dataOf = (batches: Array<Array<{ kinesis?: { data: string } }>>): string[] =>
  batches.flat().map((r) => Buffer.from(r.kinesis?.data ?? '', 'base64').toString());

/** A second engine on the same disk, clock, shard log, invoker (now answering ok) and functions. */
async function reopen(first: PullHarness, location: string): Promise<PullHarness> {
  first.invoker.script = () => ok();
  return pullHarness('disk', {
    engine: { location },
    reuse: {
      clock: first.clock,
      log: first.log.reopen(),
      invoker: first.invoker,
      functions: first.functions,
    },
  });
}

describe('mapping lifecycle', () => {
  it('disabling stops delivery and keeps the checkpoint; enabling resumes from it', async () => {
    const h = await pullHarness('memory');
    const { uuid } = await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: h.log.arn,
      startingPosition: 'TRIM_HORIZON',
    });
    const one = h.log.put({ partitionKey: 'k', data: '1' });
    await h.events.wait('mapping.checkpoint', (e) => e.sequenceNumber === one.sequenceNumber);
    const disabled = await h.engine.mappings.update(uuid, { enabled: false });
    expect(disabled.state).toBe('Disabling');
    expect((await h.engine.mappings.get(uuid)).state).toBe('Disabled');
    h.log.put({ partitionKey: 'k', data: '2' });
    h.log.put({ partitionKey: 'k', data: '3' });
    expect(h.invoker.requests).toHaveLength(1);
    expect((await h.engine.mappings.get(uuid)).shards[0]?.sequenceNumber).toBe(one.sequenceNumber);
    const enabled = await h.engine.mappings.update(uuid, { enabled: true });
    expect(enabled.state).toBe('Enabling');
    expect((await h.engine.mappings.get(uuid)).state).toBe('Enabled');
    await h.events.wait('mapping.batch.succeeded', () => true, 2);
    expect(dataOf(h.invoker.batches)).toEqual(['1', '2', '3']);
  });

  it('deleting a mapping stops its pollers and removes its checkpoints', async () => {
    const h = await pullHarness('memory');
    const { uuid } = await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: h.log.arn,
      startingPosition: 'TRIM_HORIZON',
    });
    h.log.put({ partitionKey: 'k', data: '1' });
    await h.events.wait('mapping.checkpoint');
    const deleted = await h.engine.mappings.delete(uuid);
    expect(deleted.state).toBe('Deleting');
    h.log.put({ partitionKey: 'k', data: '2' });
    expect(h.invoker.requests).toHaveLength(1);
    expect(await h.engine.mappings.list()).toEqual([]);
    // A new mapping over the same stream starts from its own position, not the old checkpoint.
    await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: h.log.arn,
      startingPosition: 'TRIM_HORIZON',
    });
    await h.events.wait('mapping.batch.succeeded', () => true, 2);
    expect(dataOf(h.invoker.batches)).toEqual(['1', '1', '2']);
  });

  it('resumes from the checkpoint on disk after a restart, and redelivers the batch in flight', async () => {
    const location = await tempDir();
    const first = await pullHarness('disk', { engine: { location } });
    const { uuid } = await first.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: first.log.arn,
      startingPosition: 'TRIM_HORIZON',
      batchSize: 2,
    });
    for (const d of ['1', '2', '3', '4']) first.log.put({ partitionKey: 'k', data: d });
    await first.events.wait('mapping.batch.succeeded', () => true, 2);
    first.invoker.script = () => fails();
    first.log.put({ partitionKey: 'k', data: '5' });
    await first.events.wait('mapping.batch.failed');
    await first.engine.close(); // the failing batch [5] was never checkpointed
    first.log.put({ partitionKey: 'k', data: '6' });

    const second = await reopen(first, location);
    await second.events.wait('mapping.batch.succeeded');
    await second.events.wait('mapping.checkpoint');
    expect(dataOf(first.invoker.batches)).toEqual(['1', '2', '3', '4', '5', '5', '6']);
    const view = await second.engine.mappings.get(uuid);
    expect(view.state).toBe('Enabled');
    expect(view.lastProcessingResult).toBe('OK');
    expect(view.shards[0]?.sequenceNumber).toBe(first.log.data.shards[0]?.records[5]?.sequenceNumber);
  });

  it('drains parents before children after a split and a merge, picking up new shards without restart', async () => {
    const h = await pullHarness('memory', { log: { shardCount: 1 } });
    const { uuid } = await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: h.log.arn,
      startingPosition: 'TRIM_HORIZON',
    });
    const [parent = ''] = h.log.shardIds();
    // The parent is blocked on a failing batch while its children fill up.
    h.invoker.script = (records) =>
      records[0]?.eventID.startsWith(parent) && h.invoker.requests.length < 3 ? fails() : ok();
    h.log.put({ partitionKey: 'k', shardId: parent, data: 'p1' });
    const [left = '', right = ''] = h.log.split(parent);
    for (const d of ['l1', 'l2']) h.log.put({ partitionKey: 'k', shardId: left, data: d });
    h.log.put({ partitionKey: 'k', shardId: right, data: 'r1' });
    const child = h.log.merge(left, right);
    h.log.put({ partitionKey: 'k', shardId: child, data: 'c1' });
    for (let n = 1; n <= 2; n++)
      h.clock.advance((await h.events.wait('mapping.batch.failed', () => true, n)).delayMs);
    await h.events.wait('mapping.shard.drained', (e) => e.shardId === left);
    await h.events.wait('mapping.shard.drained', (e) => e.shardId === right);
    await h.events.wait('mapping.checkpoint', (e) => e.shardId === child);
    const order = dataOf(h.invoker.batches);
    expect(order.filter((d) => d !== 'p1')).toHaveLength(4);
    expect(order.lastIndexOf('p1')).toBeLessThan(order.indexOf('l1'));
    expect(order.lastIndexOf('p1')).toBeLessThan(order.indexOf('r1'));
    expect(order.indexOf('l2')).toBeLessThan(order.indexOf('c1'));
    expect(order.indexOf('r1')).toBeLessThan(order.indexOf('c1'));
    const shards = (await h.engine.mappings.get(uuid)).shards;
    expect(shards.find((s) => s.shardId === parent)?.drained).toBe(true);
    expect(shards.find((s) => s.shardId === child)?.drained).toBe(false);
  });

  it('keeps per-key order with parallelizationFactor while batches of one shard run concurrently', async () => {
    const h = await pullHarness('memory', { log: { shardCount: 1 } });
    const releases: Array<() => void> = [];
    let inFlight = 0;
    let maxInFlight = 0;
    h.invoker.script = () =>
      new Promise((resolve) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        releases.push(() => {
          inFlight--;
          resolve(ok());
        });
      });
    const { uuid } = await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: h.log.arn,
      startingPosition: 'TRIM_HORIZON',
      batchSize: 5,
      parallelizationFactor: 4,
      enabled: false,
    });
    const written: string[] = [];
    for (let i = 0; i < 60; i++) {
      const key = `key-${i % 9}`;
      h.log.put({ partitionKey: key, data: `${key}/${i}` });
      written.push(`${key}/${i}`);
    }
    await h.engine.mappings.update(uuid, { enabled: true });
    const last = h.log.data.shards[0]?.records.at(-1)?.sequenceNumber;
    let finished = false;
    const done = h.events
      .wait('mapping.checkpoint', (e) => e.sequenceNumber === last)
      .then(() => {
        finished = true;
      });
    // Release invocations one at a time, oldest first; when none waits, wait for the next one.
    while (!finished) {
      if (releases.length === 0) {
        await Promise.race([
          done,
          h.events.wait('mapping.batch.invoked', () => true, h.invoker.requests.length + 1),
        ]);
      }
      releases.shift()?.();
    }
    await done;
    expect(maxInFlight).toBeGreaterThan(1);
    const delivered = dataOf(h.invoker.batches);
    expect([...delivered].sort()).toEqual([...written].sort());
    for (let k = 0; k < 9; k++) {
      const key = `key-${k}`;
      expect(delivered.filter((d) => d.startsWith(`${key}/`))).toEqual(
        written.filter((d) => d.startsWith(`${key}/`)),
      );
    }
  });

  it('marks the mapping Disabled with a PROBLEM reason when its source is deleted', async () => {
    const h = await pullHarness('memory');
    const { uuid } = await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: h.log.arn,
      startingPosition: 'LATEST',
    });
    h.log.delete();
    await h.events.wait('mapping.state', (e) => e.uuid === uuid && e.state === 'Disabled');
    const view = await h.engine.mappings.get(uuid);
    expect(view).toMatchObject({
      state: 'Disabled',
      lastProcessingResult: 'PROBLEM: Event source does not exist',
    });
    expect(view.stateTransitionReason).toMatch(/PROBLEM: event source .*stream\/test does not exist/);
  });

  it('reports iterator age per shard, from the engine clock and the last delivered record', async () => {
    const h = await pullHarness('memory');
    const { uuid } = await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: h.log.arn,
      startingPosition: 'TRIM_HORIZON',
      enabled: false,
    });
    h.log.put({ partitionKey: 'k', data: '1' });
    h.clock.advance(2500);
    h.log.put({ partitionKey: 'k', data: '2' });
    h.clock.advance(4000);
    await h.engine.mappings.update(uuid, { enabled: true });
    const invoked = await h.events.wait('mapping.batch.invoked');
    expect(invoked.iteratorAgeMs).toBe(4000);
    const checkpoint = await h.events.wait('mapping.checkpoint');
    expect(checkpoint.iteratorAgeMs).toBe(4000);
    expect((await h.engine.mappings.get(uuid)).shards[0]?.iteratorAgeMs).toBe(4000);
  });
});

describe('closing with a batch in flight', () => {
  it('neither counts nor gives up a batch whose invocation fails because the engine closes', async () => {
    const location = await tempDir();
    const first = await pullHarness('disk', { engine: { location } });
    let release: (() => void) | undefined;
    // What a batch whose container the close stopped answers: a function error.
    first.invoker.script = () =>
      new Promise((resolve) => {
        release = () => resolve(fails('Runtime exited with error: signal: killed'));
      });
    await first.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: first.log.arn,
      startingPosition: 'TRIM_HORIZON',
      maximumRetryAttempts: 0,
    });
    const r = first.log.put({ partitionKey: 'k', data: '1' });
    await first.events.wait('mapping.batch.invoked');
    const closing = first.engine.close();
    release?.();
    await closing;
    // The last attempt (0 retries allowed) would have given the record up and checkpointed it.
    expect(first.events.of('mapping.batch.givenUp')).toEqual([]);
    expect(first.events.of('mapping.checkpoint')).toEqual([]);

    const second = await reopen(first, location);
    await second.events.wait('mapping.checkpoint', (e) => e.sequenceNumber === r.sequenceNumber);
    expect(dataOf(first.invoker.batches)).toEqual(['1', '1']);
  });

  it('checkpoints a batch whose invocation finishes while the engine closes', async () => {
    const location = await tempDir();
    const first = await pullHarness('disk', { engine: { location } });
    let release: (() => void) | undefined;
    first.invoker.script = () =>
      new Promise((resolve) => {
        release = () => resolve(ok());
      });
    await first.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: first.log.arn,
      startingPosition: 'TRIM_HORIZON',
    });
    const r = first.log.put({ partitionKey: 'k', data: '1' });
    await first.events.wait('mapping.batch.invoked');
    const closing = first.engine.close();
    release?.();
    await closing;
    expect(first.events.of('mapping.checkpoint').map((e) => e.sequenceNumber)).toEqual([r.sequenceNumber]);

    const second = await reopen(first, location);
    const next = second.log.put({ partitionKey: 'k', data: '2' });
    await second.events.wait('mapping.checkpoint', (e) => e.sequenceNumber === next.sequenceNumber);
    expect(dataOf(first.invoker.batches)).toEqual(['1', '2']);
  });
});

describe('parallel slices', () => {
  it('lets other keys run ahead while one slice retries, and holds the shard checkpoint at the minimum', async () => {
    const h = await pullHarness('memory', { log: { shardCount: 1 } });
    const poison = Buffer.from('poison').toString('base64');
    let healthy = false;
    h.invoker.script = (records) =>
      !healthy && records.some((r) => r.kinesis?.data === poison) ? fails() : ok();
    const { uuid } = await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: h.log.arn,
      startingPosition: 'TRIM_HORIZON',
      batchSize: 2,
      parallelizationFactor: 10,
    });
    const stuck = h.log.put({ partitionKey: 'stuck', data: 'poison' });
    const failed = await h.events.wait('mapping.batch.failed');
    // Keys in other slices keep flowing while the poison batch waits for its retry.
    const free = ['a', 'b', 'c', 'd', 'e', 'f'].filter((k) => sliceOf(k, 10) !== sliceOf('stuck', 10));
    const others = free.map((k) => h.log.put({ partitionKey: k, data: k }));
    await h.events.wait(
      'mapping.batch.succeeded',
      (e) => e.lastSequenceNumber === others.at(-1)?.sequenceNumber,
    );
    const view = await h.engine.mappings.get(uuid);
    // Nothing is checkpointed past the failing record.
    expect(view.shards[0]?.sequenceNumber).toBeUndefined();
    healthy = true;
    h.clock.advance(failed.delayMs);
    const last = others.at(-1)?.sequenceNumber;
    await h.events.wait('mapping.checkpoint', (e) => e.sequenceNumber === last);
    const delivered = dataOf(h.invoker.batches);
    expect(delivered.filter((d) => d === 'poison')).toHaveLength(2);
    for (const k of free) expect(delivered.indexOf(k)).toBeLessThan(delivered.lastIndexOf('poison'));
    expect(free.length).toBeGreaterThan(2);
    expect(BigInt((await h.engine.mappings.get(uuid)).shards[0]?.sequenceNumber ?? '0')).toBeGreaterThan(
      BigInt(stuck.sequenceNumber),
    );
  });
});
