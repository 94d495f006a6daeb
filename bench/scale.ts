/**
 * Scale curves (`npm run bench scale`): how throughput and memory move as the work grows, each
 * point beside the curve's first point (ratio 1.0 = flat per-record cost). Points are small, so
 * the whole curve runs in a few minutes:
 * - shards 1 -> 64 (pull through `runBench`, 5,000 records);
 * - functions 1 -> 100, async invokes spread over them (2,000 events);
 * - objects 1 KiB -> 8 MiB (putObject + getObject, 16 MiB per point);
 * - records 10^4 -> 10^6 (pull through `runBench`, 4 shards).
 * `SCALE_CURVES=functions` (a comma list of shards, functions, objects, records) runs only those.
 * Memory is the peak heapUsed of the point (RSS also counts the worker threads' heaps).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PeakMemory } from '../src/bench/measure.js';
import { runBench } from '../src/bench/run.js';
import { createEngine, EXECUTION_LOGS_POLICY, LAMBDA_TRUST_POLICY } from '../src/index.js';
import type { Benchmark, Figure } from './harness.js';

interface Point {
  label: string;
  throughput: number;
  heapMb: number;
  rssMb: number;
  /** What else the point counted (containers started, cold starts), shown with its memory. */
  note?: string;
}

/** The curves to run: `SCALE_CURVES=functions` (or a comma list) runs only those; default all. */
const CURVES = ['shards', 'functions', 'objects', 'records'] as const;
type Curve = (typeof CURVES)[number];

function selectedCurves(): Set<Curve> {
  const wanted = process.env.SCALE_CURVES;
  if (wanted === undefined || wanted.trim() === '') return new Set(CURVES);
  const names = wanted.split(',').map((name) => name.trim());
  for (const name of names) {
    if (!(CURVES as readonly string[]).includes(name))
      throw new Error(`SCALE_CURVES must list some of ${CURVES.join(', ')}, got '${name}'`);
  }
  return new Set(names as Curve[]);
}

async function withHandler<T>(fn: (handler: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'lambdalite-scale-'));
  try {
    await writeFile(join(dir, 'index.mjs'), 'export const handler = async () => null;\n');
    return await fn(join(dir, 'index.handler'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function pullPoint(label: string, records: number, shards: number): Promise<Point> {
  return withHandler(async (handler) => {
    const r = await runBench({ scenario: 'pull', function: handler, records, shards, baseline: false });
    return { label, throughput: r.run.throughput, heapMb: r.run.peakHeapMb, rssMb: r.run.peakRssMb };
  });
}

export async function functionsPoint(count: number, events: number): Promise<Point> {
  return withHandler(async (handler) => {
    const dir = join(handler, '..');
    const engine = await createEngine();
    const memory = new PeakMemory();
    try {
      const { arn } = await engine.iam.createRole({
        name: 'scale',
        assumeRolePolicy: LAMBDA_TRUST_POLICY,
        policies: { logs: EXECUTION_LOGS_POLICY },
      });
      for (let i = 0; i < count; i++)
        await engine.functions.create({
          name: `f${i}`,
          handler: 'index.handler',
          code: { directory: dir },
          role: arn,
        });
      // Every function warm first (one container each): the curve is about spreading traffic,
      // not about how long a hundred cold starts take on this machine.
      for (let i = 0; i < count; i++) await engine.functions.invoke(`f${i}`, {});
      let done = 0;
      let finish = (): void => undefined;
      const all = new Promise<void>((resolve) => {
        finish = resolve;
      });
      const sub = engine.eventsOf$('async.succeeded').subscribe(() => {
        if (++done === events) finish();
      });
      // Cold starts during the run and what they took; retries (a function error costs a minute).
      const starts: number[] = [];
      let retries = 0;
      sub.add(engine.eventsOf$('function.container.started').subscribe((e) => starts.push(e.initDurationMs)));
      sub.add(engine.eventsOf$('async.retry-scheduled').subscribe(() => retries++));
      const sampler = setInterval(() => memory.sample(), 100);
      const started = performance.now();
      for (let i = 0; i < events; i++)
        await engine.functions.invoke(`f${i % count}`, { i }, { invocationType: 'Event' });
      await all;
      const seconds = (performance.now() - started) / 1000;
      clearInterval(sampler);
      sub.unsubscribe();
      const m = memory.figures();
      starts.sort((a, b) => a - b);
      const median = starts[Math.floor((starts.length - 1) / 2)];
      const cold = median === undefined ? '' : `, cold start median ${Math.round(median)} ms`;
      return {
        label: `${count} functions`,
        throughput: events / seconds,
        heapMb: m.peakHeapMb,
        rssMb: m.peakRssMb,
        note: `${starts.length} containers started${cold}, ${retries} retries`,
      };
    } finally {
      await engine.close();
    }
  });
}

export async function objectPoint(bytes: number, label: string): Promise<Point> {
  const dir = await mkdtemp(join(tmpdir(), 'lambdalite-scale-'));
  const engine = await createEngine({ location: dir });
  const memory = new PeakMemory();
  try {
    await engine.buckets.create('scale');
    const body = Buffer.alloc(bytes, 'x');
    const count = Math.max(2, Math.round((16 * 2 ** 20) / bytes));
    const sampler = setInterval(() => memory.sample(), 50);
    const started = performance.now();
    for (let i = 0; i < count; i++) await engine.buckets.putObject('scale', `k${i}`, body);
    for (let i = 0; i < count; i++) await engine.buckets.getObject('scale', `k${i}`);
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    const m = memory.figures();
    // Bytes per second (put and get each move the object once): flat when cost follows size.
    return { label, throughput: (2 * count * bytes) / seconds, heapMb: m.peakHeapMb, rssMb: m.peakRssMb };
  } finally {
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function curve(name: string, unit: string, points: Point[]): Figure[] {
  const first = points[0];
  if (!first) return [];
  return points.flatMap((p) => [
    {
      name: `${name}: ${p.label}, throughput`,
      value: p.throughput,
      unit,
      baselineName: `${first.label}`,
      baselineValue: first.throughput,
      higherIsBetter: true,
    },
    {
      name: `${name}: ${p.label}, peak heap (RSS ${Math.round(p.rssMb)} MB${p.note ? `; ${p.note}` : ''})`,
      value: p.heapMb,
      unit: 'MB',
      baselineName: `${first.label}`,
      baselineValue: first.heapMb,
      higherIsBetter: false,
    },
  ]);
}

export const scaleBenchmark: Benchmark = {
  name: 'scale',
  async run(): Promise<Figure[]> {
    const curves = selectedCurves();
    const shards: Point[] = [];
    if (curves.has('shards'))
      for (const n of [1, 4, 16, 64]) shards.push(await pullPoint(`${n} shards`, 5_000, n));
    const functions: Point[] = [];
    if (curves.has('functions')) for (const n of [1, 10, 100]) functions.push(await functionsPoint(n, 2_000));
    const objects: Point[] = [];
    if (curves.has('objects'))
      for (const [bytes, label] of [
        [1024, '1 KiB'],
        [64 * 1024, '64 KiB'],
        [1024 ** 2, '1 MiB'],
        [8 * 1024 ** 2, '8 MiB'],
      ] as const)
        objects.push(await objectPoint(bytes, label));
    const records: Point[] = [];
    if (curves.has('records'))
      for (const n of [10_000, 100_000, 1_000_000])
        records.push(await pullPoint(`${n.toLocaleString('en-US')} records`, n, 4));
    return [
      ...curve('pull by shard count', 'records/s', shards),
      ...curve('async invokes spread over functions', 'events/s', functions),
      ...curve('putObject + getObject by size', 'bytes/s', objects),
      ...curve('pull by record count', 'records/s', records),
    ];
  },
};
