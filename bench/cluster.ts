/**
 * The JetStream backend end to end (issue 20): the pull pipeline of bench/pull.ts (putRecords
 * 500 x 100 B into a 4-shard stream -> mapping batch 100 -> a function that does nothing ->
 * checkpoint) with 1, 2 and 3 engine processes sharing the mapping on a 3-node cluster on this
 * machine, beside the embedded backend (one process, LevelDB) in the same run. The bench process
 * writes; the engine processes deliver. Every figure: records/s from the first write until every
 * record was delivered, median of RUNS.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { jetstream } from '../src/backends/jetstream/index.js';
import { createEngine, type Engine } from '../src/index.js';
import { startCluster } from '../test/jetstream/cluster.js';
import type { BenchChildMessage } from './cluster-process.js';
import { type Benchmark, type Figure, middle, rate } from './harness.js';
import { endToEnd } from './pull.js';

const CHILD = fileURLToPath(new URL('./cluster-process.js', import.meta.url));
const SHARDS = 4;
const PUTS = 20;
const PER_PUT = 500;
const TOTAL = PUTS * PER_PUT;
const RUNS = 3;
const payload = 'x'.repeat(100);

interface Group {
  writer: Engine;
  children: ChildProcess[];
  delivered: number;
  onDelivered: () => void;
}

async function startGroup(servers: string[], processes: number): Promise<Group> {
  const prefix = `b${randomUUID().slice(0, 8)}`;
  const writer = await createEngine({ backend: jetstream({ servers, prefix, leaseMs: 3_000 }) });
  await writer.streams.create('bench', { shardCount: SHARDS });
  const group: Group = { writer, children: [], delivered: 0, onDelivered: () => undefined };
  const ready: Array<Promise<void>> = [];
  for (let i = 0; i < processes; i++) {
    const child = fork(CHILD, [], {
      env: { ...process.env, NATS_SERVERS: servers.join(','), PREFIX: prefix, SHARDS: String(SHARDS) },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      // CLUSTER_PROFILE_DIR=<dir>: a CPU profile of every engine process (what limits the rate).
      execArgv: process.env.CLUSTER_PROFILE_DIR
        ? ['--cpu-prof', '--cpu-prof-dir', process.env.CLUSTER_PROFILE_DIR]
        : [],
    });
    ready.push(
      new Promise((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`engine process exited with ${code}`)));
        child.on('message', (m: BenchChildMessage) => {
          if (m.type === 'ready') resolve();
          else {
            group.delivered += m.count;
            group.onDelivered();
          }
        });
      }),
    );
    group.children.push(child);
  }
  await Promise.all(ready);
  // Warm-up: one record per shard goes through every process's poller and worker; it also
  // waits out the lease hand-overs of processes that joined after the first.
  await deliver(group, 4, async () => {
    await writer.streams.putRecords(
      'bench',
      Array.from({ length: 4 * SHARDS }, (_, i) => ({ partitionKey: `w${i}`, data: payload })),
    );
  });
  return group;
}

function deliver(group: Group, rounds: number, write: () => Promise<void>): Promise<void> {
  return (async () => {
    for (let r = 0; r < rounds; r++) {
      const target = group.delivered + 4 * SHARDS;
      const done = new Promise<void>((resolve) => {
        group.onDelivered = () => {
          if (group.delivered >= target) resolve();
        };
      });
      await write();
      await done;
    }
  })();
}

async function measure(group: Group): Promise<number> {
  const target = group.delivered + TOTAL;
  return rate(TOTAL, async () => {
    const done = new Promise<void>((resolve) => {
      group.onDelivered = () => {
        if (group.delivered >= target) resolve();
      };
    });
    for (let p = 0; p < PUTS; p++) {
      const records = Array.from({ length: PER_PUT }, (_, i) => ({
        partitionKey: `k${p}-${i}`,
        data: payload,
      }));
      await group.writer.streams.putRecords('bench', records);
    }
    await done;
  });
}

async function stopGroup(group: Group): Promise<void> {
  await Promise.all(
    group.children.map(
      (child) =>
        new Promise<void>((resolve) => {
          child.removeAllListeners('exit');
          child.once('exit', () => resolve());
          child.send('stop');
        }),
    ),
  );
  await group.writer.close();
}

export const clusterBenchmark: Benchmark = {
  name: 'cluster',
  async run(): Promise<Figure[]> {
    const cluster = await startCluster();
    try {
      const embedded: number[] = [];
      // CLUSTER_PROCESSES=1,3 measures only those counts.
      const counts = (process.env.CLUSTER_PROCESSES ?? '1,2,3').split(',').map(Number);
      const byProcesses = new Map<number, number[]>(counts.map((n) => [n, []]));
      const runs = Number(process.env.CLUSTER_RUNS ?? RUNS);
      for (let run = 0; run < runs; run++) {
        embedded.push((await endToEnd()).rate);
        for (const [processes, samples] of byProcesses) {
          const group = await startGroup(cluster.servers, processes);
          try {
            samples.push(await measure(group));
          } finally {
            await stopGroup(group);
          }
        }
      }
      const baseline = middle(embedded);
      return [...byProcesses].map(([processes, samples]) => ({
        name: `pull on JetStream (3 nodes, 3 replicas), ${processes} engine process${processes > 1 ? 'es' : ''}: ${SHARDS} shards, putRecords ${PER_PUT} x 100 B, batch 100, ${TOTAL} records`,
        value: middle(samples),
        unit: 'records/s',
        baselineName: 'the same pipeline embedded (LevelDB, one process, 50,000 records)',
        baselineValue: baseline,
        higherIsBetter: true,
      }));
    } finally {
      await cluster.stop();
    }
  },
};
