/**
 * Push queue throughput, before the real runtime exists: events per second through the durable
 * queue (enqueue 1 KiB, dispatch, settle) to an in-process no-op invoker, beside the raw LevelDB
 * work such an event needs at least (one put batch and one delete batch), measured in
 * the same run with the same number of events in flight. The end-to-end figure (putObject
 * -> real function vs piscina) comes after the merge.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FunctionInvoker } from '../src/functions/invoker.js';
import { createEngine } from '../src/index.js';
import { delOp, putOp, Storage } from '../src/storage/storage.js';
import { type Benchmark, median, rate } from './harness.js';

const EVENTS = 3_000;
const WINDOW = 64;
const PAYLOAD = { data: 'x'.repeat(1024) };

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
    const engine = await createEngine({ location });
    engine.asyncInvocations.attachInvoker(noop);
    let done = 0;
    let finish = (): void => undefined;
    const all = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const sub = engine.events$.subscribe((e) => {
      if (e.type === 'async.succeeded' && ++done === EVENTS) finish();
    });
    const value = await rate(EVENTS, async () => {
      await windowed(EVENTS, WINDOW, async () => {
        await engine.asyncInvocations.enqueue('noop', PAYLOAD);
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

export const pushBenchmark: Benchmark = {
  name: 'push',
  async run() {
    const baseline = await median(3, levelRate);
    const value = await median(3, queueRate);
    return [
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
