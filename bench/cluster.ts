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
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstream } from '../src/backends/jetstream/index.js';
import { createEngine, type Engine, LAMBDA_TRUST_POLICY } from '../src/index.js';
import { startCluster } from '../test/jetstream/cluster.js';
import type { BenchChildMessage, BenchParentMessage } from './cluster-process.js';
import { type Benchmark, type Figure, middle, rate } from './harness.js';
import { endToEnd } from './pull.js';

const CHILD = fileURLToPath(new URL('./cluster-process.js', import.meta.url));
const SHARDS = 4;
const PUTS = 20;
const PER_PUT = 500;
const TOTAL = PUTS * PER_PUT;
const RUNS = 3;
const payload = 'x'.repeat(100);

/** Push: Event invokes queued by the first engine process, 64 in flight, after a warm-up. */
const PUSH_EVENTS = 3_000;
const PUSH_WARM = 300;

interface Group {
  writer: Engine | undefined;
  children: ChildProcess[];
  delivered: number;
  onDelivered: () => void;
  pushed: number;
  onPushed: () => void;
}

/**
 * `processes` engine processes on one prefix; for pull, beside a writer engine in this process.
 * A push group has none: every engine on the prefix competes for the queue, and the writer has
 * no function to deliver to.
 */
async function startGroup(
  servers: string[],
  processes: number,
  kind: 'pull' | 'push' = 'pull',
): Promise<Group> {
  const prefix = `b${randomUUID().slice(0, 8)}`;
  const writer =
    kind === 'pull'
      ? await createEngine({ backend: jetstream({ servers, prefix, leaseMs: 3_000 }) })
      : undefined;
  await writer?.streams.create('bench', { shardCount: SHARDS });
  const group: Group = {
    writer,
    children: [],
    delivered: 0,
    onDelivered: () => undefined,
    pushed: 0,
    onPushed: () => undefined,
  };
  // One after another: processes opening at once on a fresh prefix create the same shared
  // buckets together, which the 2.9 server can answer with request timeouts.
  for (let i = 0; i < processes; i++) {
    const child = fork(CHILD, [], {
      env: { ...process.env, NATS_SERVERS: servers.join(','), PREFIX: prefix, SHARDS: String(SHARDS) },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      // CLUSTER_PROFILE_DIR=<dir>: a CPU profile of every engine process (what limits the rate).
      execArgv: process.env.CLUSTER_PROFILE_DIR
        ? ['--cpu-prof', '--cpu-prof-dir', process.env.CLUSTER_PROFILE_DIR]
        : [],
    });
    group.children.push(child);
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`engine process exited with ${code}`)));
      child.on('message', (m: BenchChildMessage) => {
        if (m.type === 'ready') resolve();
        else if (m.type === 'pushed') {
          group.pushed += m.count;
          group.onPushed();
        } else {
          group.delivered += m.count;
          group.onDelivered();
        }
      });
    });
  }
  if (writer === undefined) {
    // Push warm-up: starts the function's containers in every process that takes events.
    await pushed(group, PUSH_WARM);
    return group;
  }
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
      await group.writer?.streams.putRecords('bench', records);
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
  await group.writer?.close();
}

/** Asks the first engine process to queue `count` events; resolves once all succeeded somewhere. */
function pushed(group: Group, count: number): Promise<void> {
  const target = group.pushed + count;
  const done = new Promise<void>((resolve) => {
    group.onPushed = () => {
      if (group.pushed >= target) resolve();
    };
  });
  group.children[0]?.send({ type: 'push', count } satisfies BenchParentMessage);
  return done;
}

/**
 * The embedded baseline of push: one engine (LevelDB), the same trivial function and role, the
 * same Event invokes (64 in flight) and warm-up, from the first invoke to the last success.
 */
async function embeddedPush(): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'lambdalite-bench-push-'));
  try {
    await writeFile(join(dir, 'index.mjs'), 'export const handler = async () => {};\n');
    const engine = await createEngine({ location: join(dir, 'data') });
    try {
      const { arn: role } = await engine.iam.createRole({
        name: 'bench',
        assumeRolePolicy: LAMBDA_TRUST_POLICY,
      });
      await engine.functions.create({
        name: 'pushed',
        handler: 'index.handler',
        code: { directory: dir },
        role,
      });
      let succeeded = 0;
      let onSucceeded = (): void => undefined;
      engine.eventsOf$('async.succeeded').subscribe(() => {
        succeeded++;
        onSucceeded();
      });
      const round = async (count: number): Promise<void> => {
        const target = succeeded + count;
        const done = new Promise<void>((resolve) => {
          onSucceeded = () => {
            if (succeeded >= target) resolve();
          };
        });
        let next = 0;
        const lane = async (): Promise<void> => {
          while (next < count) {
            next++;
            await engine.functions.invokeAsync('pushed', { i: next });
          }
        };
        await Promise.all(Array.from({ length: 64 }, lane));
        await done;
      };
      await round(PUSH_WARM);
      return await rate(PUSH_EVENTS, () => round(PUSH_EVENTS));
    } finally {
      await engine.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
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
      // CLUSTER_PULL=0 / CLUSTER_PUSH=0 leave out the pull / push figures.
      for (let run = 0; run < (process.env.CLUSTER_PULL === '0' ? 0 : runs); run++) {
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
      // Push: the same counts, interleaved with its embedded baseline run by run.
      const pushEmbedded: number[] = [];
      const pushBy = new Map<number, number[]>(counts.map((n) => [n, []]));
      if (process.env.CLUSTER_PUSH !== '0') {
        for (let run = 0; run < runs; run++) {
          pushEmbedded.push(await embeddedPush());
          for (const [processes, samples] of pushBy) {
            const group = await startGroup(cluster.servers, processes, 'push');
            try {
              samples.push(await rate(PUSH_EVENTS, () => pushed(group, PUSH_EVENTS)));
            } finally {
              await stopGroup(group);
            }
          }
        }
      }
      console.log(
        JSON.stringify({
          pullEmbedded: embedded,
          pull: [...byProcesses],
          pushEmbedded,
          push: [...pushBy],
        }),
      );
      const pushFigures =
        pushEmbedded.length === 0
          ? []
          : [...pushBy].map(([processes, samples]) => ({
              name: `push on JetStream (3 nodes, 3 replicas), ${processes} engine process${processes > 1 ? 'es' : ''}: invokeAsync from the first, 64 in flight -> a function that does nothing, ${PUSH_EVENTS} events`,
              value: middle(samples),
              unit: 'events/s',
              baselineName: 'the same Event invokes embedded (LevelDB, one process)',
              baselineValue: middle(pushEmbedded),
              higherIsBetter: true,
            }));
      if (embedded.length === 0) return pushFigures;
      const baseline = middle(embedded);
      return [
        ...pushFigures,
        ...[...byProcesses].map(([processes, samples]) => ({
          name: `pull on JetStream (3 nodes, 3 replicas), ${processes} engine process${processes > 1 ? 'es' : ''}: ${SHARDS} shards, putRecords ${PER_PUT} x 100 B, batch 100, ${TOTAL} records`,
          value: middle(samples),
          unit: 'records/s',
          baselineName: 'the same pipeline embedded (LevelDB, one process, 50,000 records)',
          baselineValue: baseline,
          higherIsBetter: true,
        })),
      ];
    } finally {
      await cluster.stop();
    }
  },
};
