/**
 * The stream leader node SIGKILLed while a producer engine writes and a mapping in a second
 * engine (same prefix, so the same JetStream stream) delivers: every record the producer
 * acknowledged reaches the function, in order per shard (a batch may be delivered again after a
 * lost lease, never skipped or reordered past).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream } from '../../src/backends/jetstream/index.js';
import { createEngine, type Engine } from '../../src/index.js';
import { createFixture } from '../helpers/functions.js';
import { ensureStreamReaderRole } from '../helpers/iam.js';
import { type Cluster, shardStreamLeader, startCluster } from './cluster.js';
import { writeUnderLoad } from './load.js';
import { Wakeups } from './wait.js';

let cluster: Cluster;
let dir: string;
const engines: Engine[] = [];
beforeAll(async () => {
  cluster = await startCluster();
  dir = await mkdtemp(join(tmpdir(), 'lambdalite-leader-kill-'));
}, 60_000);
afterAll(async () => {
  for (const engine of engines) await engine.close().catch(() => undefined);
  await cluster?.stop();
  await rm(dir, { recursive: true, force: true });
});

const order = (a: string, b: string): number => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);

describe('a NATS node killed under load, through the engine', () => {
  it('delivers every acknowledged record in order per shard when the stream leader dies mid-write', async () => {
    const prefix = `k${randomUUID().slice(0, 8)}`;
    const open = async (pollMappings: boolean): Promise<Engine> => {
      const engine = await createEngine({
        backend: jetstream({ servers: cluster.servers, prefix, leaseMs: 3000, pollMappings }),
      });
      engines.push(engine);
      return engine;
    };
    // Mappings are shared: the producer takes no shard, so the consumer delivers every one.
    const producer = await open(false);
    const consumer = await open(true);
    const { streamArn } = await producer.streams.create('load', { shardCount: 2 });
    const out = join(dir, 'delivered.txt');
    const role = await ensureStreamReaderRole(consumer, 'stream-reader');
    await createFixture(consumer, 'counter', 'pull.ids', { role, environment: { OUT: out } });

    // Highest checkpoint per shard, and a wait for targets on it.
    const checkpoints = new Map<string, string>();
    const wakeups = new Wakeups();
    const subscription = consumer.eventsOf$('mapping.checkpoint').subscribe((e) => {
      const before = checkpoints.get(e.shardId);
      if (before === undefined || order(e.sequenceNumber, before) > 0)
        checkpoints.set(e.shardId, e.sequenceNumber);
      wakeups.notify();
    });
    await consumer.mappings.create({
      functionName: 'counter',
      eventSourceArn: streamArn,
      startingPosition: 'TRIM_HORIZON',
      batchSize: 200,
    });

    const load = writeUnderLoad(producer, 'load', { writers: 3, perCall: 20 });
    await load.more(400, 60_000);
    cluster.kill(await shardStreamLeader(cluster, prefix));
    await load.more(400, 90_000);
    await load.stop();
    const { acknowledged, acked, failed } = load;

    // The mapping catches up: each shard's checkpoint reaches its last acknowledged record.
    const last = new Map(
      [...acknowledged].map(([shard, seqs]) => [shard, [...seqs].sort(order).at(-1) as string]),
    );
    const caughtUp = (): boolean =>
      [...last].every(([shard, seq]) => {
        const at = checkpoints.get(shard);
        return at !== undefined && order(at, seq) >= 0;
      });
    await wakeups.until('the mapping caught up', caughtUp, 120_000, () => JSON.stringify([...checkpoints]));
    subscription.unsubscribe();

    const delivered = new Map<string, string[]>();
    for (const id of readFileSync(out, 'utf8').split('\n')) {
      if (id === '') continue;
      const [shard, seq] = id.split(':') as [string, string];
      delivered.set(shard, [...(delivered.get(shard) ?? []), seq]);
    }
    let redelivered = 0;
    for (const [shard, seqs] of acknowledged) {
      const got = delivered.get(shard) ?? [];
      // Order per shard: each record first arrives after every earlier one (a repeat is a batch
      // delivered again, which may only go back to a checkpoint, never skip ahead).
      const firsts: string[] = [];
      const seen = new Set<string>();
      for (const seq of got) {
        if (seen.has(seq)) redelivered++;
        else {
          seen.add(seq);
          firsts.push(seq);
        }
      }
      expect([...firsts].sort(order)).toEqual(firsts);
      expect(seqs.filter((s) => !seen.has(s))).toEqual([]);
    }
    console.log(
      `leader killed under a mapping: ${acked} acknowledged, all delivered in order; ${failed} refused during the election, ${redelivered} delivered again`,
    );
  }, 300_000);
});
