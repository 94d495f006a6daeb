/**
 * Stream metadata shared between engine processes on one JetStream cluster: a stream created on
 * one engine is described, listed, written and read on another; a create race has one winner;
 * a delete on one disables the mappings every engine runs on it; a reshard and a retention
 * change made on one apply on the others, whose mappings follow the parent before its children.
 * Engines run in the test process, each with its own in-memory LevelDB, so what one knows of
 * another's streams came through the cluster. Waits are on engine events, each with a bound.
 */
import { randomUUID } from 'node:crypto';
import { zipSync } from 'fflate';
import { describe, expect, it, vi } from 'vitest';
import type { Engine, EngineEvent } from '../../src/index.js';
import { nextEvent } from '../helpers/engines.js';
import { ensureStreamReaderRole } from '../helpers/iam.js';
import { fileCluster, openSharedEngine } from './shared-engines.js';

vi.setConfig({ testTimeout: 120_000 });
const LEASE_MS = 1_500;
const { cluster, opened } = fileCluster();

/** An engine on `prefix`; `poll: false` takes no mapping shard (a producer). */
async function one(prefix: string, poll = true): Promise<Engine> {
  const { engine } = await openSharedEngine({
    servers: cluster().servers,
    prefix,
    leaseMs: LEASE_MS,
    pollMappings: poll,
  });
  opened.push(engine);
  return engine;
}

function freshPrefix(): string {
  return `t${randomUUID().slice(0, 8)}`;
}

/** A function counting its records, allowed to read streams, on `engine`. */
async function counter(engine: Engine): Promise<void> {
  const role = await ensureStreamReaderRole(engine, 'reader');
  await engine.functions.create({
    name: 'counter',
    handler: 'index.handler',
    code: {
      zipFile: zipSync({
        'index.mjs': new TextEncoder().encode(
          'export const handler = async (event) => event.Records.length;',
        ),
      }),
    },
    role,
  });
}

describe('streams shared through the cluster', () => {
  it('describes, lists, writes and reads on one engine a stream created on another', async () => {
    const prefix = freshPrefix();
    const a = await one(prefix);
    const b = await one(prefix);
    const created = await a.streams.create('clicks', { shardCount: 3, retentionHours: 48 });
    // No wait: B asks the cluster for a stream it does not know yet.
    expect(await b.streams.describe('clicks')).toEqual(created);
    expect((await b.streams.list()).map((s) => s.streamArn)).toEqual([created.streamArn]);

    const put = await b.streams.putRecord('clicks', { partitionKey: 'k', data: 'from b' });
    const iterator = await a.streams.getShardIterator('clicks', put.shardId, {
      type: 'AT_SEQUENCE_NUMBER',
      sequenceNumber: put.sequenceNumber,
    });
    const { records } = await a.streams.getRecords(iterator);
    expect(records.map((r) => [r.sequenceNumber, r.data.toString()])).toEqual([
      [put.sequenceNumber, 'from b'],
    ]);
  });

  it('answers a create race on two engines with one stream and one ResourceInUseException', async () => {
    const prefix = freshPrefix();
    const a = await one(prefix);
    const b = await one(prefix);
    const results = await Promise.allSettled([
      a.streams.create('race', { shardCount: 2 }),
      b.streams.create('race', { shardCount: 4 }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]?.reason).toMatchObject({ code: 'ResourceInUseException' });
    expect(lost[0]?.reason.message).toContain('Stream race under account');
    // Both engines now serve the winner's stream (its shard count, its records).
    const onA = await a.streams.describe('race');
    expect(await b.streams.describe('race')).toEqual(onA);
    expect([2, 4]).toContain(onA.shards.length);
    await expect(b.streams.create('race')).rejects.toMatchObject({ code: 'ResourceInUseException' });
  });

  it('takes a retention change made on another engine', async () => {
    const prefix = freshPrefix();
    const a = await one(prefix);
    const b = await one(prefix);
    await a.streams.create('kept');
    expect((await b.streams.describe('kept')).retentionPeriodHours).toBe(24);
    await a.streams.increaseRetentionPeriod('kept', 72);
    expect((await b.streams.describe('kept')).retentionPeriodHours).toBe(72);
    // B decides on the stored period: an increase to less than 72 hours is refused there.
    await expect(b.streams.increaseRetentionPeriod('kept', 48)).rejects.toMatchObject({
      code: 'InvalidArgumentException',
    });
    await b.streams.decreaseRetentionPeriod('kept', 48);
    expect((await a.streams.describe('kept')).retentionPeriodHours).toBe(48);
  });

  it('disables on every engine, with the PROBLEM reason, a mapping whose stream another engine deleted', async () => {
    const prefix = freshPrefix();
    const a = await one(prefix, false);
    const b = await one(prefix);
    const { streamArn } = await a.streams.create('doomed', { shardCount: 1 });
    await counter(a);
    const started = nextEvent(b, 'mapping.shard.started', () => true, 60_000);
    const { uuid } = await a.mappings.create({
      functionName: 'counter',
      eventSourceArn: streamArn,
      startingPosition: 'TRIM_HORIZON',
    });
    await started;

    const reason = `PROBLEM: event source ${streamArn} does not exist`;
    const disabledOnB = nextEvent(
      b,
      'mapping.state',
      (e) => e.uuid === uuid && e.state === 'Disabled' && e.reason === reason,
      60_000,
    );
    const disabledOnA = nextEvent(
      a,
      'mapping.state',
      (e) => e.uuid === uuid && e.state === 'Disabled',
      60_000,
    );
    await a.streams.delete('doomed');
    await Promise.all([disabledOnA, disabledOnB]);
    for (const engine of [a, b]) {
      expect(await engine.mappings.get(uuid)).toMatchObject({
        state: 'Disabled',
        stateTransitionReason: reason,
      });
    }
    await expect(b.streams.describe('doomed')).rejects.toMatchObject({ code: 'ResourceNotFoundException' });
    expect(await b.streams.list()).toEqual([]);
    await expect(b.streams.delete('doomed')).rejects.toMatchObject({ code: 'ResourceNotFoundException' });
  });

  it("follows on one engine's mapping a split made on another, the parent's records before its children's", async () => {
    const prefix = freshPrefix();
    const a = await one(prefix, false);
    const b = await one(prefix);
    const { streamArn } = await a.streams.create('split', { shardCount: 1 });
    await counter(a);
    const checkpoints: Array<{ shardId: string; sequenceNumber: string }> = [];
    const sub = b.events$.subscribe((e: EngineEvent) => {
      if (e.type === 'mapping.checkpoint')
        checkpoints.push({ shardId: e.shardId, sequenceNumber: e.sequenceNumber });
    });
    try {
      const started = nextEvent(b, 'mapping.shard.started', () => true, 60_000);
      await a.mappings.create({
        functionName: 'counter',
        eventSourceArn: streamArn,
        startingPosition: 'TRIM_HORIZON',
        batchSize: 5,
      });
      await started;
      const last = new Map<string, string>();
      const write = async (round: string): Promise<void> => {
        const { records } = await a.streams.putRecords(
          'split',
          Array.from({ length: 20 }, (_, i) => ({ data: `${round}.${i}`, partitionKey: `key-${i}` })),
        );
        for (const r of records) if ('shardId' in r) last.set(r.shardId, r.sequenceNumber);
      };
      await write('parent');
      const parentId = 'shardId-000000000000';
      const parentLast = last.get(parentId);
      await a.streams.splitShard('split', parentId, (2n ** 127n).toString());
      // B serves the new shard set at once (describe reads the cluster).
      const onB = await b.streams.describe('split');
      expect(onB.shards.map((s) => [s.shardId, s.parentShardId])).toEqual([
        [parentId, undefined],
        ['shardId-000000000001', parentId],
        ['shardId-000000000002', parentId],
      ]);
      expect(onB.shards[0]?.sequenceNumberRange.endingSequenceNumber).toBe(parentLast);
      expect(onB.openShardCount).toBe(2);

      const reached = (shardId: string, sequence: string): boolean =>
        checkpoints.some((c) => c.shardId === shardId && BigInt(c.sequenceNumber) >= BigInt(sequence));
      const allDelivered = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(`checkpoints ${JSON.stringify(checkpoints)} short of ${JSON.stringify([...last])}`),
            ),
          60_000,
        );
        const check = b.events$.subscribe(() => {
          if (last.size === 3 && [...last].every(([shard, seq]) => reached(shard, seq))) {
            clearTimeout(timer);
            check.unsubscribe();
            resolve();
          }
        });
      });
      await write('children');
      expect(last.size).toBe(3);
      await allDelivered;
      // Lineage: no child was checkpointed before the parent's last record.
      const parentDone = checkpoints.findIndex(
        (c) => c.shardId === parentId && c.sequenceNumber === parentLast,
      );
      const firstChild = checkpoints.findIndex((c) => c.shardId !== parentId);
      expect(parentDone).toBeGreaterThanOrEqual(0);
      expect(firstChild).toBeGreaterThan(parentDone);
    } finally {
      sub.unsubscribe();
    }
  });
});

describe('tables shared through the cluster', () => {
  it("describes on one engine a table created on another, whose writes there feed the table's one stream", async () => {
    const prefix = freshPrefix();
    const a = await one(prefix);
    const b = await one(prefix);
    const created = await a.tables.create('users', { partitionKey: 'id', streamViewType: 'NEW_IMAGE' });
    const { arn: _arn, streamArn, ...description } = created;
    expect(await b.tables.describe('users')).toEqual(description);
    expect(await b.tables.list()).toEqual(['users']);
    expect((await b.streams.describe(streamArn as string)).streamArn).toBe(streamArn);

    // A change made on each engine lands on the one stream, readable from either.
    await a.tables.putItem('users', { id: 'from-a' });
    await b.tables.putItem('users', { id: 'from-b' });
    const iterator = await a.streams.getShardIterator(streamArn as string, 'shardId-000000000000', {
      type: 'TRIM_HORIZON',
    });
    const { records } = await a.streams.getRecords(iterator);
    expect(records.map((r) => r.change?.dynamodb.Keys)).toEqual([
      { id: { S: 'from-a' } },
      { id: { S: 'from-b' } },
    ]);
  });

  it('answers a table create race with one table and one ResourceInUseException, and deletes it everywhere', async () => {
    const prefix = freshPrefix();
    const a = await one(prefix);
    const b = await one(prefix);
    const results = await Promise.allSettled([
      a.tables.create('race', { partitionKey: 'id', streamViewType: 'KEYS_ONLY' }),
      b.tables.create('race', { partitionKey: 'id', streamViewType: 'KEYS_ONLY' }),
    ]);
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(lost.map((r) => r.reason.code)).toEqual(['ResourceInUseException']);
    const onA = await a.tables.describe('race');
    expect(await b.tables.describe('race')).toEqual(onA);
    // The loser's stream went with its lost create: only the winner's stream is left.
    expect(await a.streams.describe(onA.latestStreamArn as string)).toMatchObject({ streamStatus: 'ACTIVE' });

    await b.tables.delete('race');
    await expect(a.tables.describe('race')).rejects.toMatchObject({ code: 'ResourceNotFoundException' });
    expect(await a.tables.list()).toEqual([]);
    await expect(a.streams.describe(onA.latestStreamArn as string)).rejects.toMatchObject({
      code: 'ResourceNotFoundException',
    });
    await expect(a.tables.delete('race')).rejects.toMatchObject({ code: 'ResourceNotFoundException' });
  });
});
