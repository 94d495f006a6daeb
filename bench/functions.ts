/**
 * Functions benchmark: warm synchronous invoke of a trivial handler (sequential, and 16 in
 * flight), its latency percentiles, and cold start, each beside raw worker_threads figures
 * measured in the same run (postMessage round trips to an echo worker; spawning a worker until
 * its first reply). Beside the times, the CPU time of the process (all threads: main, workers,
 * GC helpers) each warm invoke and each cold start took, which a loaded machine moves much less
 * than the times.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { createEngine } from '../src/index.js';
import { type Benchmark, type Figure, middle } from './harness.js';

const ROLE = 'arn:aws:iam::000000000000:role/bench';
const RUNS = 7;
const SEQUENTIAL = 1500;
const PARALLEL = 16;
const PARALLEL_TOTAL = 3200;
const COLD = 15;
/** Warm-up calls per container / echo worker before measuring (see run). */
const WARM_PER_LANE = 2000;

const ECHO = `const { parentPort } = require('node:worker_threads');
parentPort.on('message', (m) => parentPort.postMessage(m));
parentPort.postMessage('ready');`;

function spawnEcho(): Promise<Worker> {
  const worker = new Worker(ECHO, { eval: true });
  return new Promise((resolve) => worker.once('message', () => resolve(worker)));
}

function roundTrip(worker: Worker, message: unknown): Promise<unknown> {
  return new Promise((resolve) => {
    worker.once('message', resolve);
    worker.postMessage(message);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** CPU time of the whole process so far (all threads), microseconds. */
function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/**
 * Runs `count` operations one after another; rate per second, per-operation latencies (ms) and
 * CPU time per operation (µs, all threads).
 */
async function sequential(count: number, op: () => Promise<unknown>): Promise<Sequential> {
  const latencies: number[] = [];
  const cpu = cpuMicros();
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await op();
    latencies.push(performance.now() - t);
  }
  const rate = count / ((performance.now() - start) / 1000);
  return { rate, latencies: latencies.sort((a, b) => a - b), cpuMicros: (cpuMicros() - cpu) / count };
}

/** Runs `total` operations keeping `lanes` in flight; each lane calls `op(lane)`. */
async function inFlight(
  lanes: number,
  total: number,
  op: (lane: number) => Promise<unknown>,
): Promise<number> {
  let remaining = total;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      while (remaining-- > 0) await op(lane);
    }),
  );
  return total / ((performance.now() - start) / 1000);
}

export const functionsBenchmark: Benchmark = {
  name: 'functions',
  async run(): Promise<Figure[]> {
    const dir = await mkdtemp(join(tmpdir(), 'lambdalite-bench-'));
    await writeFile(join(dir, 'index.mjs'), 'export const handler = async (event) => event;\n');
    const payload = { key: 'value' };
    const engine = await createEngine();
    const echoes = await Promise.all(Array.from({ length: PARALLEL }, spawnEcho));
    try {
      await engine.functions.create({
        name: 'trivial',
        handler: 'index.handler',
        code: { directory: dir },
        role: ROLE,
      });
      const invoke = (): Promise<unknown> => engine.functions.invoke('trivial', payload);
      const echo = echoes[0] as Worker;
      const rawTrip = (): Promise<unknown> => roundTrip(echo, payload);
      // Warm-up: 16 warm containers for the parallel runs, and JIT. V8 compiles per isolate,
      // and after each 16-in-flight run the sequential run continues on whichever container
      // finished last, while the raw baseline always uses echoes[0]: so every container and
      // every echo worker first serves WARM_PER_LANE calls, else the sequential figure measures
      // a half-compiled container (TurboFan jobs competing for the 2 cores) against a hot echo.
      await Promise.all(Array.from({ length: PARALLEL }, invoke));
      await inFlight(PARALLEL, PARALLEL * WARM_PER_LANE, invoke);
      await inFlight(PARALLEL, PARALLEL * WARM_PER_LANE, (l) => roundTrip(echoes[l] as Worker, payload));
      await sequential(300, invoke);
      await sequential(300, rawTrip);

      // Each run measures the baseline and lambdalite back to back, so drifting load on a shared
      // machine hits both alike; figures are medians over the runs.
      const raw: Sequential[] = [];
      const warm: Sequential[] = [];
      const rawParallel: number[] = [];
      const parallel: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        raw.push(await sequential(SEQUENTIAL, rawTrip));
        warm.push(await sequential(SEQUENTIAL, invoke));
        rawParallel.push(
          await inFlight(PARALLEL, PARALLEL_TOTAL, (l) => roundTrip(echoes[l] as Worker, payload)),
        );
        parallel.push(await inFlight(PARALLEL, PARALLEL_TOTAL, invoke));
      }
      const rawSpawn: number[] = [];
      const cold: number[] = [];
      const rawSpawnCpu: number[] = [];
      const coldCpu: number[] = [];
      for (let run = 0; run < COLD; run++) {
        let cpu = cpuMicros();
        let t = performance.now();
        const worker = await spawnEcho();
        await roundTrip(worker, payload);
        rawSpawn.push(performance.now() - t);
        rawSpawnCpu.push(cpuMicros() - cpu);
        await worker.terminate();
        // The next invoke is cold (the update resolves once the retired containers have stopped).
        await engine.functions.update('trivial', { description: `cold ${run}` });
        cpu = cpuMicros();
        t = performance.now();
        await invoke();
        cold.push(performance.now() - t);
        coldCpu.push(cpuMicros() - cpu);
      }
      const r = summarise(raw);
      const w = summarise(warm);
      return [
        figure('warm invoke, sequential', w.rate, 'invokes/s', 'postMessage round trip', r.rate, true, 0.85),
        figure(
          `warm invoke, ${PARALLEL} in flight`,
          middle(parallel),
          'invokes/s',
          `round trips, ${PARALLEL} workers`,
          middle(rawParallel),
          true,
        ),
        figure('warm invoke p50', w.p50, 'ms', 'round trip p50', r.p50, false),
        figure('warm invoke p99', w.p99, 'ms', 'round trip p99', r.p99, false),
        figure('warm invoke, CPU (all threads)', w.cpu, 'µs', 'round trip, CPU', r.cpu, false),
        figure(
          'cold start + first invoke',
          middle(cold),
          'ms',
          'raw Worker spawn + round trip',
          middle(rawSpawn),
          false,
          1.2,
        ),
        figure(
          'cold start + first invoke, CPU (all threads)',
          middle(coldCpu) / 1000,
          'ms',
          'raw spawn + round trip, CPU',
          middle(rawSpawnCpu) / 1000,
          false,
        ),
      ];
    } finally {
      await Promise.all(echoes.map((e) => e.terminate()));
      await engine.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
};

interface Sequential {
  rate: number;
  latencies: number[];
  cpuMicros: number;
}

/** Median rate, p50 / p99 and CPU per operation over the runs. */
function summarise(runs: Sequential[]): { rate: number; p50: number; p99: number; cpu: number } {
  return {
    rate: middle(runs.map((r) => r.rate)),
    p50: middle(runs.map((r) => percentile(r.latencies, 50))),
    p99: middle(runs.map((r) => percentile(r.latencies, 99))),
    cpu: middle(runs.map((r) => r.cpuMicros)),
  };
}
function figure(
  name: string,
  value: number,
  unit: string,
  baselineName: string,
  baselineValue: number,
  higherIsBetter: boolean,
  target?: number,
): Figure {
  return {
    name,
    value,
    unit,
    baselineName,
    baselineValue,
    higherIsBetter,
    ...(target === undefined ? {} : { target }),
  };
}
