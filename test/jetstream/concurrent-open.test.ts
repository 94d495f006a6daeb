/**
 * Engines opening together on a fresh prefix: every one creates the same buckets and streams at
 * the same moment, which a replicated 2.9 cluster can answer with request timeouts or "already in
 * use"; the backend retries those creations (bounded), so all three open and work on one set.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { jetstream } from '../../src/backends/jetstream/index.js';
import { createEngine, type Engine } from '../../src/index.js';
import { type Cluster, startCluster } from './cluster.js';

vi.setConfig({ testTimeout: 180_000 });
let cluster: Cluster;
const engines: Engine[] = [];

beforeAll(async () => {
  cluster = await startCluster();
}, 60_000);
afterAll(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close().catch(() => undefined)));
  await cluster?.stop();
}, 60_000);

describe('engines opening at once', () => {
  it('opens three engines started together on a fresh prefix, each serving the same stream', async () => {
    const prefix = `o${randomUUID().slice(0, 8)}`;
    const opening = [0, 1, 2].map(() =>
      createEngine({ backend: jetstream({ servers: cluster.servers, prefix, leaseMs: 1_500 }) }),
    );
    const results = await Promise.allSettled(opening);
    for (const r of results) if (r.status === 'fulfilled') engines.push(r.value);
    expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'open'))).toEqual([
      'open',
      'open',
      'open',
    ]);
    // Lazily made assets too: each engine's first append creates the stream's JetStream stream.
    const [first] = engines as [Engine, ...Engine[]];
    await first.streams.create('together', { shardCount: 1 });
    const puts = await Promise.all(
      engines.map((engine, i) =>
        engine.streams.putRecord('together', { partitionKey: `p${i}`, data: `e${i}` }),
      ),
    );
    const iterator = await first.streams.getShardIterator('together', 'shardId-000000000000', {
      type: 'TRIM_HORIZON',
    });
    const { records } = await first.streams.getRecords(iterator);
    expect(records.map((r) => r.sequenceNumber).sort()).toEqual(puts.map((p) => p.sequenceNumber).sort());
  });
});
