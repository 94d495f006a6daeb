/**
 * The raw baselines a run is printed beside, measured in the same process right after it: how
 * close the engine's path is to what the machine does with no engine at all.
 * - `round-trips`: the payload posted to bare echo worker threads and back (one per container
 *   the function may use), as many in flight as the run had;
 * - `leveldb`: the records written to a fresh classic-level database in batches of the same size
 *   and read back with `nextv`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ClassicLevel } from 'classic-level';
import { drive, Latencies, PeakMemory } from './measure.js';
import type { BenchFigures } from './types.js';

const ECHO = `const { parentPort } = require('node:worker_threads');
parentPort.on('message', (m) => parentPort.postMessage(m));`;

function figures(
  name: string,
  records: number,
  ms: number,
  latencies: Latencies,
  memory: PeakMemory,
): BenchFigures {
  return {
    name,
    records,
    durationMs: ms,
    throughput: ms > 0 ? (records * 1000) / ms : 0,
    latencyMs: latencies.figures(),
    coldStarts: 0,
    errors: 0,
    retries: 0,
    ...memory.figures(),
  };
}

export async function rawRoundTrips(
  records: number,
  plan: { workers: number; inFlight: number; payload: Buffer; warmup: number },
): Promise<BenchFigures> {
  const workers = Array.from({ length: plan.workers }, () => new Worker(ECHO, { eval: true }));
  const pending = new Map<number, () => void>();
  for (const worker of workers) worker.on('message', (m: { id: number }) => pending.get(m.id)?.());
  const text = plan.payload.toString('utf8');
  const latencies = new Latencies();
  const memory = new PeakMemory();
  const sampler = setInterval(() => memory.sample(), 100);
  try {
    // Spawned and warmed with as many round trips as the engine's warm-up, as its containers are.
    await Promise.all(workers.map((_, i) => trip(i, i)));
    const rounds = (count: number, first: number, time: boolean) =>
      drive({
        firstIndex: first,
        records: count,
        durationMs: undefined,
        inFlight: plan.inFlight,
        perCall: 1,
        onSent: () => undefined,
        send: async (index) => {
          const t = performance.now();
          await trip(index + workers.length, index % workers.length);
          if (time) latencies.record(performance.now() - t);
        },
      });
    await rounds(plan.warmup, 0, false);
    memory.reset();
    const started = performance.now();
    await rounds(records, plan.warmup, true);
    return figures(
      `raw worker round trips (${plan.workers} threads)`,
      records,
      performance.now() - started,
      latencies,
      memory,
    );
  } finally {
    clearInterval(sampler);
    await Promise.all(workers.map((w) => w.terminate()));
  }

  function trip(id: number, lane: number): Promise<void> {
    return new Promise((resolve) => {
      pending.set(id, () => {
        pending.delete(id);
        resolve();
      });
      // The payload crosses both ways, like an event and its result.
      workers[lane]!.postMessage({ id, text });
    });
  }
}

export async function rawLevelDb(
  records: number,
  plan: { perBatch: number; payload: Buffer; warmup: number },
): Promise<BenchFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'lambdalite-bench-raw-'));
  const db = new ClassicLevel<string, Buffer>(dir, { keyEncoding: 'utf8', valueEncoding: 'buffer' });
  await db.open();
  const latencies = new Latencies();
  const memory = new PeakMemory();
  const sampler = setInterval(() => memory.sample(), 100);
  /** Writes `count` records under `prefix` in batches, reads them back; each timed from its batch's start. */
  const pass = async (prefix: string, count: number, time: boolean): Promise<number> => {
    const batchStarts: number[] = [];
    for (let first = 0; first < count; first += plan.perBatch) {
      const size = Math.min(plan.perBatch, count - first);
      batchStarts.push(performance.now());
      await db.batch(
        Array.from({ length: size }, (_, i) => ({
          type: 'put' as const,
          key: prefix + String(first + i).padStart(12, '0'),
          value: plan.payload,
        })),
      );
    }
    const it = db.iterator({ gt: prefix, lt: `${prefix}~` });
    let read = 0;
    for (;;) {
      const entries = await it.nextv(1000);
      if (entries.length === 0) break;
      const now = performance.now();
      if (time)
        for (let i = 0; i < entries.length; i++)
          latencies.record(now - (batchStarts[Math.floor((read + i) / plan.perBatch)] ?? now));
      read += entries.length;
      memory.sample();
    }
    await it.close();
    return read;
  };
  try {
    await pass('w', plan.warmup, false);
    memory.reset();
    const started = performance.now();
    const read = await pass('t', records, true);
    return figures(
      `raw LevelDB batch writes (${plan.perBatch}) + nextv reads`,
      read,
      performance.now() - started,
      latencies,
      memory,
    );
  } finally {
    clearInterval(sampler);
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}
