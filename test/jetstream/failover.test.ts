/**
 * The stream leader node SIGKILLed while an engine writes: every record the engine acknowledged
 * (a sequence number in putRecords' answer) is read back afterwards, each once. Writes that failed
 * during the election answer InternalFailure (not acknowledged), as Kinesis does.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream } from '../../src/backends/jetstream/index.js';
import { createEngine, type Engine } from '../../src/index.js';
import { type Cluster, shardStreamLeader, startCluster } from './cluster.js';

let cluster: Cluster;
let engine: Engine | undefined;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(async () => {
  await engine?.close();
  await cluster?.stop();
});

describe('a NATS node killed under load', () => {
  it('loses no acknowledged record when the stream leader dies mid-write', async () => {
    const prefix = `f${randomUUID().slice(0, 8)}`;
    engine = await createEngine({ backend: jetstream({ servers: cluster.servers, prefix }) });
    const e = engine;
    await e.streams.create('load', { shardCount: 2 });
    await e.streams.putRecord('load', { partitionKey: 'first', data: 'x' });
    const acknowledged = new Map<string, string[]>();
    let acked = 0;
    let failed = 0;
    let stop = false;
    let progress: () => void = () => undefined;
    const writers = [0, 1, 2, 3].map(async (w) => {
      for (let round = 0; !stop; round++) {
        const records = Array.from({ length: 25 }, (_, i) => ({
          partitionKey: `w${w}-${i}`,
          data: `${w}:${round}:${i}`,
        }));
        const result = await e.streams.putRecords('load', records).catch(() => undefined);
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
    await more(500, 30_000);
    cluster.kill(await shardStreamLeader(cluster, prefix));
    // Writes go on through a new leader (the election stalls them a few seconds).
    await more(500, 60_000);
    stop = true;
    await Promise.all(writers);

    let read = 0;
    for (const [shardId, seqs] of acknowledged) {
      const stored: string[] = [];
      let iterator: string | null = await e.streams.getShardIterator('load', shardId, {
        type: 'TRIM_HORIZON',
      });
      while (iterator) {
        const page = await e.streams.getRecords(iterator, { limit: 10_000 });
        stored.push(...page.records.map((r) => r.sequenceNumber));
        if (page.records.length === 0 && page.millisBehindLatest === 0) break;
        iterator = page.nextShardIterator;
      }
      expect(new Set(stored).size).toBe(stored.length);
      const have = new Set(stored);
      expect(seqs.filter((s) => !have.has(s))).toEqual([]);
      read += seqs.length;
    }
    expect(read).toBe(acked);
    console.log(`leader killed: ${acked} acknowledged, all read back; ${failed} refused during the election`);
  }, 150_000);
});
