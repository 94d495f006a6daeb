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
import { writeUnderLoad } from './load.js';

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
    const load = writeUnderLoad(e, 'load', { writers: 4, perCall: 25 });
    await load.more(500, 30_000);
    cluster.kill(await shardStreamLeader(cluster, prefix));
    // Writes go on through a new leader (the election stalls them a few seconds).
    await load.more(500, 60_000);
    await load.stop();
    const { acknowledged, acked, failed } = load;

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
