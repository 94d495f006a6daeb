/**
 * Push throughput. The figure: putObject (1 KiB) into a bucket whose notification
 * invokes a trivial real function (worker threads), sustained events per second end to end (from
 * the first put to the last successful invocation), beside piscina running a trivial task on the
 * same number of threads in the same run. Also: the queue alone (enqueue, dispatch, settle) to an
 * in-process no-op invoker, beside the raw LevelDB work such an event needs at least (one put
 * batch and one delete batch) with the same number of events in flight.
 *
 * Fairness: every side gets the same untimed warm-up (WARM_EVENTS, on its fresh pool or engine,
 * submitted as the timed round is) and the same submission pattern (IN_FLIGHT at a time), and
 * the sides alternate run by run. piscina runs its first ~2,000 tasks well below its sustained
 * rate: a warm-up of a few tasks on one side only flattered the ratio (0.59x measured that way,
 * 0.24-0.40x with equal warm-ups).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { setUpPush } from '../src/bench/scenarios/push.js';
import { buildEngine } from '../src/engine.js';
import type { FunctionInvoker } from '../src/functions/invoker.js';
import {
  createEngine,
  type Engine,
  type EngineOptions,
  EXECUTION_LOGS_POLICY,
  LAMBDA_TRUST_POLICY,
} from '../src/index.js';
import { internalsOf } from '../src/internal.js';
import { delOp, putOp, Storage } from '../src/storage/storage.js';
import { type Benchmark, interleaved, rate } from './harness.js';

/** Events per measured round, and per untimed warm-up round before it (the same on every side). */
const EVENTS = 20_000;
const WARM_EVENTS = 4_000;
/** Events in flight on every side: puts, enqueues, piscina tasks, raw batches. */
const IN_FLIGHT = 100;
const QUEUE_EVENTS = 3_000;
const PAYLOAD = { data: 'x'.repeat(1024) };
/** Threads on both sides of the end-to-end figure: the function's containers, piscina's pool. */
const THREADS = 2;
const RUNS = 5;
const BODY = Buffer.alloc(1024, 'x');
const ROLE = 'arn:aws:iam::000000000000:role/bench';
const TRIVIAL = 'export const handler = async () => null;\nexport default () => null;\n';

const noop: FunctionInvoker = {
  invoke: async ({ requestId }) => ({
    requestId,
    statusCode: 200,
    payload: null,
    executedVersion: '$LATEST',
    durationMs: 0,
  }),
};

async function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'lambdalite-bench-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs `task(i)` for i < count with at most `window` running at once. */
async function windowed(count: number, window: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: window }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

/**
 * Rounds of `count` submissions, IN_FLIGHT at a time, each resolved once as many events
 * succeeded. Only the completions are watched, as a user counting them would: the engine then
 * builds no log lines or other events nobody reads.
 */
function rounds(engine: Engine, submit: (prefix: string, i: number) => Promise<unknown>) {
  let done = 0;
  let target = 0;
  let finish = (): void => undefined;
  const sub = engine.eventsOf$('async.succeeded').subscribe(() => {
    if (++done === target) finish();
  });
  return {
    async round(prefix: string, count: number): Promise<void> {
      done = 0;
      target = count;
      const all = new Promise<void>((resolve) => {
        finish = resolve;
      });
      await windowed(count, IN_FLIGHT, async (i) => {
        await submit(prefix, i);
      });
      await all;
    },
    stop: () => sub.unsubscribe(),
  };
}

async function queueRate(): Promise<number> {
  return withDir(async (location) => {
    const engine = await buildEngine({ location }, { invoker: noop });
    const queue = rounds(engine, () => internalsOf(engine).queue.enqueue('noop', PAYLOAD));
    await queue.round('warm', WARM_EVENTS);
    const value = await rate(QUEUE_EVENTS, () => queue.round('timed', QUEUE_EVENTS));
    queue.stop();
    await engine.close();
    return value;
  });
}

async function levelRate(): Promise<number> {
  return withDir(async (location) => {
    const storage = await Storage.open(location);
    const queue = storage.sublevel<unknown>('q');
    const round = (count: number): Promise<void> =>
      windowed(count, IN_FLIGHT, async () => {
        const key = `noop\u0000${randomUUID()}`;
        await storage.batch([putOp(queue, key, { key, payload: PAYLOAD })]);
        await storage.batch([delOp(queue, key)]);
      });
    await round(WARM_EVENTS);
    const value = await rate(QUEUE_EVENTS, () => round(QUEUE_EVENTS));
    await storage.close();
    return value;
  });
}

/** What bench/observe.ts varies: engine options, and a role allowing logs (so lines are stored). */
export interface EndToEndSetup {
  options?: EngineOptions;
  logsRole?: boolean;
}

/** An execution role named 'bench' that may write logs; its ARN. */
export async function createLogsRole(engine: Engine): Promise<string> {
  const { arn } = await engine.iam.createRole({
    name: 'bench',
    assumeRolePolicy: LAMBDA_TRUST_POLICY,
    policies: { logs: EXECUTION_LOGS_POLICY },
  });
  return arn;
}

/** putObject -> notification -> real function, events/s from the first put to the last success. */
export async function endToEndRate(setup: EndToEndSetup = {}): Promise<number> {
  return withDir(async (location) => {
    await writeFile(join(location, 'index.mjs'), TRIVIAL);
    const engine = await createEngine({
      ...setup.options,
      location: join(location, 'data'),
      asyncInvocation: { maxConcurrencyPerFunction: THREADS },
    });
    const role = setup.logsRole ? await createLogsRole(engine) : ROLE;
    await engine.functions.create({
      name: 'trivial',
      handler: 'index.handler',
      code: { directory: location },
      role,
    });
    // The same wiring as `lambdalite bench --scenario push`: bucket 'bench' notifying the function.
    await setUpPush(engine, 'trivial');
    const puts = rounds(engine, (prefix, i) => engine.buckets.putObject('bench', `${prefix}-${i}`, BODY));
    // Warm-up, not measured, the same as piscina's: starts the containers and lets V8 optimise
    // the path; the figure is the sustained rate.
    await puts.round('warm', WARM_EVENTS);
    const value = await rate(EVENTS, () => puts.round('object', EVENTS));
    puts.stop();
    await engine.close();
    return value;
  });
}

/** piscina running a trivial task on THREADS threads, warmed and submitted as lambdalite is. */
export async function piscinaRate(): Promise<number> {
  return withDir(async (dir) => {
    const filename = join(dir, 'task.mjs');
    await writeFile(filename, TRIVIAL);
    const pool = new Piscina({ filename, minThreads: THREADS, maxThreads: THREADS });
    const round = (count: number): Promise<void> =>
      windowed(count, IN_FLIGHT, async (i) => {
        await pool.run({ i });
      });
    await round(WARM_EVENTS);
    const value = await rate(EVENTS, () => round(EVENTS));
    await pool.destroy();
    return value;
  });
}

export const pushBenchmark: Benchmark = {
  name: 'push',
  async run() {
    // Each run warms its own fresh pool / engine, so no extra warm-up repetition is needed.
    const e2e = await interleaved(RUNS, { piscina: piscinaRate, lambdalite: () => endToEndRate() }, 0);
    console.log(
      `push runs (events/s): lambdalite ${e2e.lambdalite.samples.map(Math.round).join(', ')}; piscina ${e2e.piscina.samples.map(Math.round).join(', ')}`,
    );
    const queue = await interleaved(3, { level: levelRate, queue: queueRate }, 0);
    return [
      {
        name: `putObject 1 KiB -> notification -> trivial function (${THREADS} worker threads), end to end, ${IN_FLIGHT} puts in flight`,
        value: e2e.lambdalite.median,
        unit: 'events/s',
        baselineName: `piscina, trivial task, ${THREADS} threads, ${IN_FLIGHT} tasks in flight`,
        baselineValue: e2e.piscina.median,
        higherIsBetter: true,
        target: 0.8,
      },
      {
        name: `async events end to end (1 KiB, no-op invoker, ${IN_FLIGHT} enqueues in flight)`,
        value: queue.queue.median,
        unit: 'events/s',
        baselineName: 'classic-level: one put batch + one del batch per event',
        baselineValue: queue.level.median,
        higherIsBetter: true,
      },
    ];
  },
};
