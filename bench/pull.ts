/**
 * Pull model end to end (issue 6): records in (putRecords 500 x 100 B) -> a real stream with 4
 * shards -> mapping batchSize 100 -> a trivial function in a worker thread -> checkpoint, on disk;
 * beside a raw classic-level batch write (500 per batch) + nextv read of the same records in the
 * same run. Also reports the lag (iterator age of the batches, engine clock) and, as a secondary
 * line, the dispatcher alone over an in-memory fake source with an in-process invoker.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { filter, firstValueFrom, take, toArray } from 'rxjs';
import { buildEngine } from '../src/engine.js';
import type { FunctionInvoker } from '../src/functions/invoker.js';
import {
  createEngine,
  EXECUTION_LOGS_POLICY,
  LAMBDA_TRUST_POLICY,
  SystemClock,
  streamReadPolicy,
} from '../src/index.js';
import { FakeShardLog } from '../test/helpers/fake-shard-source.js';
import { FakeFunctions, FakeSources } from '../test/helpers/scripted-invoker.js';
import { type Benchmark, type Figure, interleaved, rate } from './harness.js';
import type { EndToEndSetup } from './push.js';

const PUTS = 100;
const PER_PUT = 500;
const TOTAL = PUTS * PER_PUT;
const SHARDS = 4;
const payload = 'x'.repeat(100);

export interface EndToEnd {
  rate: number;
  /** Largest iterator age of a delivered batch, ms. */
  maxLagMs: number;
  /** Time the writes took, ms. */
  writeMs: number;
  /** Function invocations (batches) delivered. */
  batches: number;
}

/** End to end on a fresh engine; bench/observe.ts varies the setup (see push's EndToEndSetup). */
export async function endToEnd(setup: EndToEndSetup = {}): Promise<EndToEnd> {
  const dir = await mkdtemp(join(tmpdir(), 'lambdalite-bench-pull-'));
  const code = join(dir, 'code');
  const engine = await createEngine({ ...setup.options, location: join(dir, 'db') });
  try {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(code);
    await writeFile(join(code, 'index.mjs'), 'export const handler = async () => {};\n');
    const stream = await engine.streams.create('bench', { shardCount: SHARDS });
    // The execution role must be allowed to read the stream: IAM is enforced.
    const { arn: role } = await engine.iam.createRole({
      name: 'bench',
      assumeRolePolicy: LAMBDA_TRUST_POLICY,
      policies: {
        read: streamReadPolicy(stream.streamArn),
        ...(setup.logsRole ? { logs: EXECUTION_LOGS_POLICY } : {}),
      },
    });
    await engine.functions.create({
      name: 'noop',
      handler: 'index.handler',
      code: { directory: code },
      role,
    });
    await engine.mappings.create({
      functionName: 'noop',
      eventSourceArn: stream.streamArn,
      startingPosition: 'LATEST',
      batchSize: 100,
    });
    let delivered = 0;
    let batches = 0;
    let maxLagMs = 0;
    let target = SHARDS;
    let release: (() => void) | undefined;
    // Only the two types it reads, as a user would watch them: the engine builds no others.
    const sub = engine.eventsOf$('mapping.batch.invoked', 'mapping.batch.succeeded').subscribe((e) => {
      if (e.type === 'mapping.batch.invoked') maxLagMs = Math.max(maxLagMs, e.iteratorAgeMs);
      if (e.type === 'mapping.batch.succeeded') {
        delivered += e.size;
        batches++;
        if (delivered >= target) release?.();
      }
    });
    const until = (n: number) =>
      new Promise<void>((resolve) => {
        target = n;
        release = resolve;
        if (delivered >= n) resolve();
      });
    // Warm-up: one record per shard starts the worker and every poller.
    const warm = until(SHARDS);
    await engine.streams.putRecords(
      'bench',
      stream.shards.map((s) => ({
        partitionKey: 'w',
        explicitHashKey: s.hashKeyRange.startingHashKey,
        data: payload,
      })),
    );
    await warm;
    delivered = 0;
    batches = 0;
    maxLagMs = 0;
    let writeMs = 0;
    const value = await rate(TOTAL, async () => {
      const done = until(TOTAL);
      const started = performance.now();
      for (let p = 0; p < PUTS; p++) {
        const records = Array.from({ length: PER_PUT }, (_, i) => ({
          partitionKey: `k${p}-${i}`,
          data: payload,
        }));
        await engine.streams.putRecords('bench', records);
      }
      writeMs = performance.now() - started;
      await done;
    });
    sub.unsubscribe();
    return { rate: value, maxLagMs, writeMs, batches };
  } finally {
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function fakeSource(): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'lambdalite-bench-pull-'));
  const clock = new SystemClock();
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
  const engine = await buildEngine(
    { location: dir, clock },
    { shardSources: new FakeSources(log), mappingFunctions: functions, invoker },
  );
  try {
    // The fake function runs as `fn-role`, which must exist and may read the stream.
    await engine.iam.createRole({
      name: 'fn-role',
      assumeRolePolicy: LAMBDA_TRUST_POLICY,
      policies: { read: streamReadPolicy(log.arn) },
    });
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
    // Interleaved, so both sides see the same machine load (the machine is shared), after one
    // untimed pair: the engine's path and the raw one are both compiled before anything counts.
    const raws: number[] = [];
    const runs: EndToEnd[] = [];
    for (let i = -1; i < 3; i++) {
      const raw = await rawLevel();
      const run = await endToEnd();
      if (i < 0) continue;
      raws.push(raw);
      runs.push(run);
    }
    const baseline = raws.sort((a, b) => a - b)[1] ?? 0;
    const byRate = [...runs].sort((a, b) => a.rate - b.rate);
    const mid = byRate[1] ?? byRate[0];
    if (!mid) throw new Error('no run');
    const lag = [...runs].sort((a, b) => a.maxLagMs - b.maxLagMs)[1]?.maxLagMs ?? 0;
    const writeMs = [...runs].sort((a, b) => a.writeMs - b.writeMs)[1]?.writeMs ?? 0;
    console.log(
      `pull runs: ${runs.map((r) => `${Math.round(r.rate)} rec/s (${r.batches} batches)`).join(', ')}; raw ${raws.map(Math.round).join(', ')}`,
    );
    const fake = (await interleaved(3, { fake: fakeSource })).fake.median;
    return [
      {
        name: `stream (${SHARDS} shards, putRecords 500 x 100 B) -> mapping batch 100 -> worker function -> checkpoint`,
        value: mid.rate,
        unit: 'records/s',
        baselineName: 'classic-level batch write + nextv read',
        baselineValue: baseline,
        higherIsBetter: true,
        target: 0.7,
      },
      {
        name: 'lag: largest iterator age of a batch during the run',
        value: lag,
        unit: 'ms',
        baselineName: 'time to write the records',
        baselineValue: writeMs,
        higherIsBetter: false,
      },
      {
        name: `dispatcher alone: fake in-memory source, ${SHARDS} shards, batch 100, in-process invoker`,
        value: fake,
        unit: 'records/s',
        baselineName: 'classic-level batch write + nextv read',
        baselineValue: baseline,
        higherIsBetter: true,
      },
    ];
  },
};
