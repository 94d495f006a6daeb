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
    let onCheckpoint: () => void = () => undefined;
    const subscription = consumer.eventsOf$('mapping.checkpoint').subscribe((e) => {
      const before = checkpoints.get(e.shardId);
      if (before === undefined || order(e.sequenceNumber, before) > 0)
        checkpoints.set(e.shardId, e.sequenceNumber);
      onCheckpoint();
    });
    await consumer.mappings.create({
      functionName: 'counter',
      eventSourceArn: streamArn,
      startingPosition: 'TRIM_HORIZON',
      batchSize: 200,
    });

    const acknowledged = new Map<string, string[]>();
    let acked = 0;
    let failed = 0;
    let stop = false;
    let progress: () => void = () => undefined;
    const writers = [0, 1, 2].map(async (w) => {
      for (let round = 0; !stop; round++) {
        const records = Array.from({ length: 20 }, (_, i) => ({
          partitionKey: `w${w}-${i}`,
          data: `${w}:${round}:${i}`,
        }));
        const result = await producer.streams.putRecords('load', records).catch(() => undefined);
        for (const r of result?.records ?? []) {
          if ('sequenceNumber' in r) {
            acknowledged.set(r.shardId, [...(acknowledged.get(r.shardId) ?? []), r.sequenceNumber]);
            acked++;
          } else failed++;
        }
        progress();
      }
    });
    /** Resolves once `n` more records were acknowledged; rejects after `ms`. */
    const more = (n: number, ms: number): Promise<void> => {
      const target = acked + n;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`fewer than ${n} writes acknowledged in ${ms} ms`)),
          ms,
        );
        progress = () => {
          if (acked < target) return;
          clearTimeout(timer);
          progress = () => undefined;
          resolve();
        };
      });
    };
    await more(400, 60_000);
    cluster.kill(await shardStreamLeader(cluster, prefix));
    await more(400, 90_000);
    stop = true;
    await Promise.all(writers);

    // The mapping catches up: each shard's checkpoint reaches its last acknowledged record.
    const last = new Map(
      [...acknowledged].map(([shard, seqs]) => [shard, [...seqs].sort(order).at(-1) as string]),
    );
    const caughtUp = (): boolean =>
      [...last].every(([shard, seq]) => {
        const at = checkpoints.get(shard);
        return at !== undefined && order(at, seq) >= 0;
      });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the mapping did not catch up in 120 s: ${JSON.stringify([...checkpoints])}`)),
        120_000,
      );
      onCheckpoint = () => {
        if (!caughtUp()) return;
        clearTimeout(timer);
        resolve();
      };
      onCheckpoint();
    });
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
