/**
 * Pull dispatcher overhead (prepared before the merge): records in an in-memory fake shard log
 * (4 shards) -> mapping batchSize 100 -> a trivial invoker -> checkpoint in classic-level, beside
 * a raw classic-level batch write + nextv read of the same records in the same run. After the
 * merge the lead swaps in the real streams and a worker function (issue 6's bench).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { filter, firstValueFrom, take, toArray } from 'rxjs';
import type { FunctionInvoker } from '../src/functions/invoker.js';
import { createEngine, SystemClock } from '../src/index.js';
import { FakeShardLog } from '../test/helpers/fake-shard-source.js';
import { FakeFunctions, FakeSources } from '../test/helpers/scripted-invoker.js';
import { type Benchmark, type Figure, median, rate } from './harness.js';

const PUTS = 100;
const PER_PUT = 500;
const TOTAL = PUTS * PER_PUT;
const SHARDS = 4;
const payload = 'x'.repeat(100);

async function endToEnd(): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'lambdalite-bench-pull-'));
  const clock = new SystemClock();
  const engine = await createEngine({ location: dir, clock });
  try {
    const log = new FakeShardLog(clock, { shardCount: SHARDS });
    const functions = new FakeFunctions();
    functions.add('fn');
    const invoker: FunctionInvoker = {
      invoke: async (request) => ({
        requestId: request.requestId,
        statusCode: 200,
        payload: null,
        executedVersion: '$LATEST',
        durationMs: 0,
      }),
    };
    await engine.mappings.setFunctionDirectory(functions);
    await engine.mappings.setInvoker(invoker);
    await engine.mappings.setShardSources(new FakeSources(log));
    await engine.mappings.create({ functionName: 'fn', eventSourceArn: log.arn, startingPosition: 'LATEST' });
    let delivered = 0;
    const done = firstValueFrom(
      engine.events$.pipe(
        filter((e) => {
          if (e.type === 'mapping.batch.succeeded') delivered += e.size;
          return delivered >= TOTAL;
        }),
        take(1),
        toArray(),
      ),
    );
    return await rate(TOTAL, async () => {
      for (let p = 0; p < PUTS; p++) {
        for (let i = 0; i < PER_PUT; i++) log.put({ partitionKey: `k${p}-${i}`, data: payload });
        await new Promise((resolve) => setImmediate(resolve));
      }
      await done;
    });
  } finally {
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function rawLevel(): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'lambdalite-bench-raw-'));
  const db = new ClassicLevel<string, string>(dir, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
  await db.open();
  try {
    return await rate(TOTAL, async () => {
      let n = 0;
      for (let p = 0; p < PUTS; p++) {
        const ops = [];
        for (let i = 0; i < PER_PUT; i++) {
          ops.push({
            type: 'put' as const,
            key: `s${n % SHARDS}:${String(n).padStart(12, '0')}`,
            value: payload,
          });
          n++;
        }
        await db.batch(ops);
      }
      const it = db.iterator();
      let read = 0;
      for (;;) {
        const entries = await it.nextv(1000);
        if (entries.length === 0) break;
        read += entries.length;
      }
      await it.close();
      if (read !== TOTAL) throw new Error(`read ${read} of ${TOTAL}`);
    });
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export const pullBenchmark: Benchmark = {
  name: 'pull',
  async run(): Promise<Figure[]> {
    const baseline = await median(3, rawLevel);
    const value = await median(3, endToEnd);
    return [
      {
        name: `mapping dispatch, fake source, ${SHARDS} shards, batch 100, trivial invoker`,
        value,
        unit: 'records/s',
        baselineName: 'classic-level batch write + nextv read',
        baselineValue: baseline,
        higherIsBetter: true,
        target: 0.35,
      },
    ];
  },
};
