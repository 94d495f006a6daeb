/**
 * Streams benchmark (issue 3):
 * - ingest: putRecords of 500 x 100 B records vs raw classic-level batches of the same keys
 *   and values (what the shard log stores), records per second;
 * - reads: a full shard read with getRecords (limit 10000) vs raw iterator.nextv(10000) over
 *   the same keys, records per second;
 * - memory: peak heapUsed while RECORDS records go in (putRecords) and come out (getRecords),
 *   against the 200 MB budget.
 * Each rate is the median of RUNS runs on fresh directories, after one untimed run of each side.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { createEngine, type Engine, type PutRecordInput } from '../src/index.js';
import { type Benchmark, type Figure, interleaved, rate } from './harness.js';

const RUNS = 5;
const BATCH = 500;
const BATCHES = 100; // 50,000 records per run
const HEAP_RECORDS = Number(process.env.STREAMS_BENCH_HEAP_RECORDS ?? 1_000_000);
const SHARD = 'shardId-000000000000';

function batchOf(n: number): PutRecordInput[] {
  return Array.from({ length: BATCH }, (_, i) => ({
    partitionKey: `pk-${(n * BATCH + i) % 1000}`,
    data: Buffer.alloc(100, i % 256),
  }));
}

async function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'lambdalite-bench-streams-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function engineWithStream(dir: string): Promise<Engine> {
  const engine = await createEngine({ location: join(dir, 'engine') });
  await engine.streams.create('bench');
  return engine;
}

/** Same keys (stream uid + 35-digit sequence number) and values (header + key + 100 B) as the log. */
function rawBatch(n: number): Array<{ type: 'put'; key: string; value: Buffer }> {
  const prefix = '!stream-records!01JBENCHBENCHBENCHBENCHBENC\x00400000000000001795629561707';
  return batchOf(n).map((r, i) => {
    const pk = Buffer.from(r.partitionKey);
    const value = Buffer.concat([Buffer.alloc(10), pk, r.data as Buffer]);
    return { type: 'put' as const, key: prefix + String(n * BATCH + i).padStart(8, '0'), value };
  });
}

async function ingestLambdalite(): Promise<number> {
  return withDir(async (dir) => {
    const engine = await engineWithStream(dir);
    const batches = Array.from({ length: BATCHES }, (_, n) => batchOf(n));
    const r = await rate(BATCH * BATCHES, async () => {
      for (const batch of batches) await engine.streams.putRecords('bench', batch);
    });
    await engine.close();
    return r;
  });
}

async function ingestRaw(): Promise<number> {
  return withDir(async (dir) => {
    const db = new ClassicLevel<string, Buffer>(join(dir, 'raw'), { valueEncoding: 'buffer' });
    await db.open();
    const batches = Array.from({ length: BATCHES }, (_, n) => rawBatch(n));
    const r = await rate(BATCH * BATCHES, async () => {
      for (const batch of batches) await db.batch(batch);
    });
    await db.close();
    return r;
  });
}

async function readLambdalite(): Promise<number> {
  return withDir(async (dir) => {
    const engine = await engineWithStream(dir);
    for (let n = 0; n < BATCHES; n++) await engine.streams.putRecords('bench', batchOf(n));
    let count = 0;
    const r = await rate(BATCH * BATCHES, async () => {
      let iterator: string | null = await engine.streams.getShardIterator('bench', SHARD, {
        type: 'TRIM_HORIZON',
      });
      while (iterator) {
        const page = await engine.streams.getRecords(iterator, { limit: 10_000 });
        count += page.records.length;
        if (page.records.length === 0) break;
        iterator = page.nextShardIterator;
      }
    });
    if (count !== BATCH * BATCHES) throw new Error(`read ${count} records`);
    await engine.close();
    return r;
  });
}

async function readRaw(): Promise<number> {
  return withDir(async (dir) => {
    const db = new ClassicLevel<string, Buffer>(join(dir, 'raw'), { valueEncoding: 'buffer' });
    await db.open();
    for (let n = 0; n < BATCHES; n++) await db.batch(rawBatch(n));
    let count = 0;
    const r = await rate(BATCH * BATCHES, async () => {
      const it = db.iterator({ gte: '!stream-records!', lt: '!stream-records"' });
      for (;;) {
        const entries = await it.nextv(10_000);
        if (entries.length === 0) break;
        count += entries.length;
      }
      await it.close();
    });
    if (count !== BATCH * BATCHES) throw new Error(`read ${count} records`);
    await db.close();
    return r;
  });
}

/** Peak heapUsed (MB) while `total` records go in and come out again. */
async function peakHeap(total: number): Promise<{ peakMb: number; seconds: number }> {
  return withDir(async (dir) => {
    const engine = await engineWithStream(dir);
    let peak = 0;
    const sample = (): void => {
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    };
    const timer = setInterval(sample, 20);
    const started = Date.now();
    for (let n = 0; n < total / BATCH; n++) {
      await engine.streams.putRecords('bench', batchOf(n));
      if (n % 20 === 0) sample();
    }
    let iterator: string | null = await engine.streams.getShardIterator('bench', SHARD, {
      type: 'TRIM_HORIZON',
    });
    let count = 0;
    while (iterator) {
      const page = await engine.streams.getRecords(iterator, { limit: 10_000 });
      sample();
      count += page.records.length;
      if (page.records.length === 0) break;
      iterator = page.nextShardIterator;
    }
    clearInterval(timer);
    await engine.close();
    if (count !== total) throw new Error(`read ${count} of ${total} records`);
    return { peakMb: peak / 2 ** 20, seconds: (Date.now() - started) / 1000 };
  });
}

export const streamsBenchmark: Benchmark = {
  name: 'streams',
  async run(): Promise<Figure[]> {
    // Runs alternate between lambdalite and its baseline so both see the same machine load; one
    // untimed repetition of each first, so neither side is measured while V8 compiles its path.
    const ingestRuns = await interleaved(RUNS, { lambdalite: ingestLambdalite, raw: ingestRaw });
    const readRuns = await interleaved(RUNS, { lambdalite: readLambdalite, raw: readRaw });
    const [ingest, ingestBase] = [ingestRuns.lambdalite.median, ingestRuns.raw.median];
    const [read, readBase] = [readRuns.lambdalite.median, readRuns.raw.median];
    const heap = await peakHeap(HEAP_RECORDS);
    console.log(`(memory run: ${HEAP_RECORDS} records in and out in ${heap.seconds.toFixed(1)} s)`);
    return [
      {
        name: 'putRecords 500 x 100 B',
        value: ingest,
        unit: 'records/s',
        baselineName: 'classic-level batch of the same keys/values',
        baselineValue: ingestBase,
        higherIsBetter: true,
        target: 0.6,
      },
      {
        name: 'getRecords full shard (limit 10000)',
        value: read,
        unit: 'records/s',
        baselineName: 'classic-level iterator.nextv(10000)',
        baselineValue: readBase,
        higherIsBetter: true,
        target: 0.6,
      },
      {
        name: `peak heapUsed, ${HEAP_RECORDS.toLocaleString('en-US')} records in and out`,
        value: heap.peakMb,
        unit: 'MB',
        baselineName: 'issue budget',
        baselineValue: 200,
        higherIsBetter: false,
        target: 1,
      },
    ];
  },
};
