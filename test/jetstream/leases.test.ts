import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLeaseBucket, ShardLeases } from '../../src/backends/jetstream/leases.js';
import { type Cluster, startCluster } from './cluster.js';

const KEYS = [
  'm1.shardId-000000000000',
  'm1.shardId-000000000001',
  'm1.shardId-000000000002',
  'm1.shardId-000000000003',
];
const TTL_MS = 1_500;
/** The processes' renew interval: a few per TTL, as the backend runs it. */
const RENEW_MS = 300;

let cluster: Cluster;
let nc: NatsConnection;
beforeAll(async () => {
  cluster = await startCluster();
  nc = await connect({ servers: cluster.servers });
});
afterAll(async () => {
  await nc?.close();
  await cluster?.stop();
});

/** Runs `process.rebalance` at its renew interval until `done`, or fails after `boundMs`. */
async function renewUntil(process: ShardLeases, done: () => boolean, boundMs = 10_000): Promise<void> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    await process.rebalance(KEYS);
    if (done()) return;
    if (Date.now() > deadline) throw new Error(`not balanced within ${boundMs} ms: ${process.held()}`);
    await new Promise((resolve) => setTimeout(resolve, RENEW_MS));
  }
}

describe('shard leases in a KV bucket', () => {
  it('splits shards by count, refuses a held lease, and hands a dead owner’s shards over after the TTL', async () => {
    const kv = await openLeaseBucket(nc, { prefix: 'leasetest', ttlMs: TTL_MS, replicas: 3 });
    const lostByB: string[] = [];
    const a = new ShardLeases(kv, { owner: 'a' });
    const b = new ShardLeases(kv, { owner: 'b', events: { lost: (key) => lostByB.push(key) } });

    await a.rebalance(KEYS);
    expect(a.held()).toEqual(KEYS);
    // B sees two owners, but every lease is held: create refuses them all.
    await b.rebalance(KEYS);
    expect(b.held()).toEqual([]);
    // A gives up what is above its share; B takes it.
    await a.rebalance(KEYS);
    await b.rebalance(KEYS);
    expect(a.held()).toHaveLength(2);
    expect(b.held()).toHaveLength(2);
    expect([...a.held(), ...b.held()].sort()).toEqual(KEYS);

    // B stops renewing (as a SIGKILLed process would). Right after, its leases are still its own.
    const bHeld = b.held();
    const stoppedAt = Date.now();
    await a.rebalance(KEYS);
    expect(a.held()).toHaveLength(2);
    await renewUntil(a, () => a.held().length === KEYS.length);
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(TTL_MS - RENEW_MS);

    // B comes back: its renewals are refused (A wrote those keys since), so it stops at once.
    await b.rebalance(KEYS);
    expect(lostByB.sort()).toEqual(bHeld);
    expect(a.held()).toEqual(KEYS);
    await a.close();
    await b.close();
  });
});
