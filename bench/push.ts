/**
 * Push throughput. The figure: putObject (1 KiB) into a bucket whose notification
 * invokes a trivial real function (worker threads), sustained events per second end to end (from
 * the first put to the last successful invocation), beside piscina running a trivial task on the
 * same number of threads in the same run. Also: the queue alone (enqueue, dispatch, settle) to an
 * in-process no-op invoker, beside the raw LevelDB work such an event needs at least (one put
 * batch and one delete batch) with the same number of events in flight.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { buildEngine } from '../src/engine.js';
import type { FunctionInvoker } from '../src/functions/invoker.js';
import { createEngine } from '../src/index.js';
import { internalsOf } from '../src/internal.js';
import { delOp, putOp, Storage } from '../src/storage/storage.js';
import { type Benchmark, median, rate } from './harness.js';

const EVENTS = 3_000;
const WINDOW = 64;
const PAYLOAD = { data: 'x'.repeat(1024) };
/** Threads on both sides of the end-to-end figure: the function's containers, piscina's pool. */
const THREADS = 2;
const E2E_EVENTS = 2_000;
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

async function queueRate(): Promise<number> {
  return withDir(async (location) => {
    const engine = await buildEngine({ location }, { invoker: noop });
    let done = 0;
    let finish = (): void => undefined;
    const all = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const sub = engine.eventsOf$('async.succeeded').subscribe(() => {
      if (++done === EVENTS) finish();
    });
    const value = await rate(EVENTS, async () => {
      await windowed(EVENTS, WINDOW, async () => {
        await internalsOf(engine).queue.enqueue('noop', PAYLOAD);
      });
      await all;
    });
    sub.unsubscribe();
    await engine.close();
    return value;
  });
}

async function levelRate(): Promise<number> {
  return withDir(async (location) => {
    const storage = await Storage.open(location);
    const queue = storage.sublevel<unknown>('q');
    const value = await rate(EVENTS, () =>
      windowed(EVENTS, WINDOW, async () => {
        const key = `noop\u0000${randomUUID()}`;
        await storage.batch([putOp(queue, key, { key, payload: PAYLOAD })]);
        await storage.batch([delOp(queue, key)]);
      }),
    );
    await storage.close();
    return value;
  });
}

/** putObject -> notification -> real function, events/s from the first put to the last success. */
export async function endToEndRate(): Promise<number> {
  return withDir(async (location) => {
    await writeFile(join(location, 'index.mjs'), TRIVIAL);
    const engine = await createEngine({
      location: join(location, 'data'),
      asyncInvocation: { maxConcurrencyPerFunction: THREADS },
    });
    const fn = await engine.functions.create({
      name: 'trivial',
      handler: 'index.handler',
      code: { directory: location },
      role: ROLE,
    });
    await engine.buckets.create('bench');
    await engine.functions.addPermission('trivial', {
      statementId: 's3-bench',
      action: 'lambda:InvokeFunction',
      principal: 's3.amazonaws.com',
      sourceArn: 'arn:aws:s3:::bench',
      sourceAccount: engine.accountId,
    });
    await engine.buckets.putNotificationConfiguration('bench', {
      lambdaFunctionConfigurations: [{ functionArn: fn.functionArn, events: ['s3:ObjectCreated:*'] }],
    });
    let done = 0;
    let finish = (): void => undefined;
    // Only the completions are watched, as a user counting them would: the engine then builds no
    // log lines or other events nobody reads.
    const sub = engine.eventsOf$('async.succeeded').subscribe(() => {
      if (++done === E2E_EVENTS) finish();
    });
    /** One round: E2E_EVENTS puts, resolved when every event was delivered. */
    const round = async (prefix: string): Promise<void> => {
      done = 0;
      const all = new Promise<void>((resolve) => {
        finish = resolve;
      });
      await windowed(E2E_EVENTS, WINDOW, async (i) => {
        await engine.buckets.putObject('bench', `${prefix}-${i}`, BODY);
      });
      await all;
    };
    // Warm-up, not measured: starts the containers and lets V8 optimise the engine's path, as
    // piscina's tiny path is after its own warm-up; the figure is the sustained rate.
    await round('warm');
    const value = await rate(E2E_EVENTS, () => round('object'));
    sub.unsubscribe();
    await engine.close();
    return value;
  });
}

/** piscina running a trivial task on THREADS threads, all tasks submitted at once. */
export async function piscinaRate(): Promise<number> {
  return withDir(async (dir) => {
    const filename = join(dir, 'task.mjs');
    await writeFile(filename, TRIVIAL);
    const pool = new Piscina({ filename, minThreads: THREADS, maxThreads: THREADS });
    await Promise.all(Array.from({ length: THREADS * 4 }, () => pool.run({})));
    const value = await rate(E2E_EVENTS, async () => {
      await Promise.all(Array.from({ length: E2E_EVENTS }, (_, i) => pool.run({ i })));
    });
    await pool.destroy();
    return value;
  });
}

export const pushBenchmark: Benchmark = {
  name: 'push',
  async run() {
    const e2e: number[] = [];
    const pool: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      pool.push(await piscinaRate());
      e2e.push(await endToEndRate());
    }
    const mid = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    const baseline = await median(3, levelRate);
    const value = await median(3, queueRate);
    return [
      {
        name: `putObject 1 KiB -> notification -> trivial function (${THREADS} worker threads), end to end`,
        value: mid(e2e),
        unit: 'events/s',
        baselineName: `piscina, trivial task, ${THREADS} threads`,
        baselineValue: mid(pool),
        higherIsBetter: true,
      },
      {
        name: `async events end to end (1 KiB, no-op invoker, ${WINDOW} enqueues in flight)`,
        value,
        unit: 'events/s',
        baselineName: 'classic-level: one put batch + one del batch per event',
        baselineValue: baseline,
        higherIsBetter: true,
      },
    ];
  },
};
