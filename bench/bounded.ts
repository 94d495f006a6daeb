/**
 * Bounded resources (`npm run bench bounded`, issue 18): memory and disk sampled while the engine
 * works through a long load, to show they level off instead of growing with the work done.
 * - pull: 1 million records (putRecords 500 x 100 B of random base64, which LevelDB cannot
 *   compress) -> a 4-shard stream on disk -> mapping (batch 500) -> a no-op worker function ->
 *   checkpoint;
 * - push: 100 thousand Event invokes (50 in flight) of a no-op function through the durable
 *   queue;
 * - week: a simulated week on a ManualClock in one-hour steps, logs and metrics on (retention
 *   1 day): a function that prints invoked 10 times a step, 120 records a step put to a stream
 *   (24 h retention) and delivered by a mapping to the same function (the idle container is
 *   reaped between steps, so each step starts cold).
 * Each sample is the heap after a full GC, the RSS and the data directory's size on disk. Each
 * figure is a measure's peak over the second half of the run beside its peak over the first.
 * `--long` runs 10x the records and events and four weeks, `--quick` a tenth and two days;
 * `--pull`, `--push`, `--week` pick phases. Run from dist/ after `npm run build`.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  createEngine,
  type Engine,
  EXECUTION_LOGS_POLICY,
  isLambdaliteError,
  LAMBDA_TRUST_POLICY,
  ManualClock,
  streamReadPolicy,
} from '../src/index.js';
import type { Benchmark, Figure } from './harness.js';

const LONG = process.argv.includes('--long');
/** `--quick`: a tenth of the work and two simulated days, to try the benchmark itself. */
const QUICK = process.argv.includes('--quick');
const SCALE = LONG ? 10 : QUICK ? 0.1 : 1;
const PULL_RECORDS = 1_000_000 * SCALE;
const PUSH_EVENTS = 100_000 * SCALE;
const DAYS = LONG ? 28 : QUICK ? 2 : 7;
/** `--pull`, `--push`, `--week` run only those phases; none given runs all three. */
const CHOSEN = ['pull', 'push', 'week'].filter((p) => process.argv.includes(`--${p}`));
const PHASES = new Set(CHOSEN.length === 0 ? ['pull', 'push', 'week'] : CHOSEN);
const PER_PUT = 500;
const SHARDS = 4;
const PAYLOAD = 'x'.repeat(100);
const MB = 2 ** 20;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

interface Sample {
  /** Work done when sampled: records delivered, events completed, or simulated hours. */
  at: number;
  heapMb: number;
  rssMb: number;
  diskMb: number;
  /** Anything else counted at the sample (timers waiting, stored log bytes). */
  extra?: string;
}

async function diskBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    try {
      total += (await stat(join(entry.parentPath, entry.name))).size;
    } catch {
      // A LevelDB file removed by compaction between the listing and the stat.
    }
  }
  return total;
}

async function sample(at: number, dir: string, extra?: string): Promise<Sample> {
  gc();
  const m = process.memoryUsage();
  return {
    at,
    heapMb: m.heapUsed / MB,
    rssMb: m.rss / MB,
    diskMb: (await diskBytes(dir)) / MB,
    ...(extra === undefined ? {} : { extra }),
  };
}

/** Bytes the engine's log groups hold (the platform's START/END/REPORT lines count too). */
async function logBytes(engine: Engine): Promise<number> {
  return (await engine.logs.describeLogGroups()).reduce((sum, g) => sum + g.storedBytes, 0);
}

const n = (value: number) => value.toLocaleString('en-US');

function show(title: string, unit: string, samples: readonly Sample[], seconds: number): void {
  const rows = samples.map(
    (s) =>
      `| ${s.at.toLocaleString('en-US')} | ${s.heapMb.toFixed(1)} | ${s.rssMb.toFixed(0)} | ${s.diskMb.toFixed(1)} | ${s.extra ?? ''} |`,
  );
  console.log(
    `\n${title} (${seconds.toFixed(0)} s)\n\n| ${unit} | heap MB (after GC) | RSS MB | disk MB | |\n|---|---|---|---|---|\n${rows.join('\n')}\n`,
  );
}

/**
 * Each measure's peak in the second half of the samples beside its peak in the first half: a
 * ratio near 1 is flat (a sawtooth of compactions included), near 2 grows with the work.
 */
function figures(label: string, samples: readonly Sample[]): Figure[] {
  const half = Math.floor(samples.length / 2);
  const peak = (list: readonly Sample[], pick: (s: Sample) => number) => Math.max(...list.map(pick));
  const measures: [string, (s: Sample) => number][] = [
    ['heap', (s) => s.heapMb],
    ['RSS', (s) => s.rssMb],
    ['disk', (s) => s.diskMb],
  ];
  return measures.map(([what, pick]) => ({
    name: `${label}: peak ${what}, second half`,
    value: peak(samples.slice(half), pick),
    unit: 'MB',
    baselineName: `peak ${what}, first half`,
    baselineValue: peak(samples.slice(0, half), pick),
    higherIsBetter: false,
  }));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function withDir<T>(prefix: string, fn: (dir: string, code: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), `lambdalite-bounded-${prefix}-`));
  try {
    const code = join(dir, 'code');
    await mkdir(code);
    await writeFile(
      join(code, 'index.mjs'),
      [
        'export const noop = async () => null;',
        'export const chatty = async (event) => {',
        "  for (let i = 0; i < 5; i++) console.log('line', i, JSON.stringify(event).length);",
        '  return null;',
        '};',
        '',
      ].join('\n'),
    );
    return await fn(dir, code);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Counts `mapping.batch.succeeded` records and resolves when a total is reached. */
function deliveries(engine: Engine): { readonly count: () => number; stop(): void } {
  let delivered = 0;
  const sub = engine.eventsOf$('mapping.batch.succeeded').subscribe((e) => {
    delivered += e.size;
  });
  return { count: () => delivered, stop: () => sub.unsubscribe() };
}

/** A role reading `streamArn` (and writing logs), a function and a mapping from the stream to it. */
async function streamToFunction(
  engine: Engine,
  setup: { name: string; handler: string; code: string; streamArn: string; batchSize: number },
): Promise<void> {
  const { arn: role } = await engine.iam.createRole({
    name: setup.name,
    assumeRolePolicy: LAMBDA_TRUST_POLICY,
    policies: { logs: EXECUTION_LOGS_POLICY, read: streamReadPolicy(setup.streamArn) },
  });
  await engine.functions.create({
    name: setup.name,
    handler: setup.handler,
    code: { directory: setup.code },
    role,
  });
  await engine.mappings.create({
    functionName: setup.name,
    eventSourceArn: setup.streamArn,
    startingPosition: 'TRIM_HORIZON',
    batchSize: setup.batchSize,
  });
}

async function pullPhase(): Promise<Sample[]> {
  return withDir('pull', async (dir, code) => {
    const location = join(dir, 'db');
    const engine = await createEngine({ location });
    try {
      const stream = await engine.streams.create('bounded', { shardCount: SHARDS });
      await streamToFunction(engine, {
        name: 'noop',
        handler: 'index.noop',
        code,
        streamArn: stream.streamArn,
        batchSize: PER_PUT,
      });
      const delivered = deliveries(engine);
      const samples: Sample[] = [];
      const every = PULL_RECORDS / 10;
      let nextSample = every;
      let written = 0;
      const sampler = async () => {
        while (delivered.count() >= nextSample) {
          const extra = `written ${n(written)}, log bytes ${n(await logBytes(engine))}`;
          samples.push(await sample(nextSample, location, extra));
          nextSample += every;
        }
      };
      for (let p = 0; written < PULL_RECORDS; p++) {
        let batch = Array.from({ length: Math.min(PER_PUT, PULL_RECORDS - written) }, (_, i) => ({
          partitionKey: `k${p}-${i}`,
          data: randomBytes(75).toString('base64'),
        }));
        // Past the write backlog the engine refuses records (retriable): send those again.
        while (batch.length > 0) {
          const result = await engine.streams.putRecords('bounded', batch);
          const refused = batch.filter((_, i) => {
            const entry = result.records[i];
            return entry === undefined || 'errorCode' in entry;
          });
          written += batch.length - refused.length;
          batch = refused;
          if (refused.length > 0) await sleep(5);
        }
        if (p % 20 === 0) await sampler();
      }
      while (delivered.count() < PULL_RECORDS) {
        await sleep(100);
        await sampler();
      }
      await sampler();
      delivered.stop();
      return samples;
    } finally {
      await engine.close();
    }
  });
}

async function pushPhase(): Promise<Sample[]> {
  return withDir('push', async (dir, code) => {
    const location = join(dir, 'db');
    const engine = await createEngine({ location });
    try {
      const { arn: role } = await engine.iam.createRole({
        name: 'bounded',
        assumeRolePolicy: LAMBDA_TRUST_POLICY,
        policies: { logs: EXECUTION_LOGS_POLICY },
      });
      await engine.functions.create({ name: 'noop', handler: 'index.noop', code: { directory: code }, role });
      let done = 0;
      const sub = engine.eventsOf$('async.succeeded').subscribe(() => {
        done++;
      });
      const samples: Sample[] = [];
      const every = PUSH_EVENTS / 10;
      let nextSample = every;
      const sampler = async () => {
        while (done >= nextSample) {
          samples.push(await sample(nextSample, location, `log bytes ${n(await logBytes(engine))}`));
          nextSample += every;
        }
      };
      let sent = 0;
      const sender = async () => {
        while (sent < PUSH_EVENTS) {
          const index = sent++;
          for (;;) {
            try {
              await engine.functions.invoke('noop', { index }, { invocationType: 'Event' });
              break;
            } catch (err) {
              // TooManyRequestsException past the write backlog: retriable.
              if (!isLambdaliteError(err) || err.code !== 'TooManyRequestsException') throw err;
              await sleep(5);
            }
          }
          if (index % 1000 === 0) await sampler();
        }
      };
      await Promise.all(Array.from({ length: 50 }, sender));
      while (done < PUSH_EVENTS) {
        await sleep(100);
        await sampler();
      }
      await sampler();
      sub.unsubscribe();
      return samples;
    } finally {
      await engine.close();
    }
  });
}

const STEP_MS = 60 * 60_000;
const HOUR_MS = 3_600_000;
const INVOKES_PER_STEP = 10;
const RECORDS_PER_STEP = 120;

async function weekPhase(): Promise<Sample[]> {
  return withDir('week', async (dir, code) => {
    const location = join(dir, 'db');
    const clock = new ManualClock(Date.UTC(2026, 0, 5));
    const engine = await createEngine({
      location,
      clock,
      logs: { retentionDays: 1 },
      metrics: { retentionDays: 1 },
    });
    try {
      const stream = await engine.streams.create('week', { shardCount: 2 });
      await streamToFunction(engine, {
        name: 'chatty',
        handler: 'index.chatty',
        code,
        streamArn: stream.streamArn,
        batchSize: 100,
      });
      const delivered = deliveries(engine);
      const samples: Sample[] = [];
      const steps = (DAYS * 24 * HOUR_MS) / STEP_MS;
      let put = 0;
      let invokeMs = 0;
      let tickMs = 0;
      let allTicks = 0;
      for (let step = 1; step <= steps; step++) {
        const t0 = performance.now();
        for (let i = 0; i < INVOKES_PER_STEP; i++) await engine.functions.invoke('chatty', { step, i });
        const t1 = performance.now();
        invokeMs += t1 - t0;
        await engine.streams.putRecords(
          'week',
          Array.from({ length: RECORDS_PER_STEP }, (_, i) => ({ partitionKey: `p${i}`, data: PAYLOAD })),
        );
        put += RECORDS_PER_STEP;
        // The pollers wait on the engine clock: time moves a second at a time until the step's
        // records are delivered (bounded), then jumps to the step's end.
        let ticks = 0;
        for (; ticks < 200 && delivered.count() < put; ticks++) {
          clock.advance(1000);
          await sleep(1);
        }
        clock.advance(STEP_MS - 1000 * ticks);
        await sleep(1);
        allTicks += ticks;
        tickMs += performance.now() - t1;
        const hours = (step * STEP_MS) / HOUR_MS;
        if (hours % 12 === 0) {
          const extra = `timers ${clock.pendingTimers}, log bytes ${n(await logBytes(engine))}, behind ${put - delivered.count()}`;
          samples.push(await sample(hours, location, extra));
        }
      }
      delivered.stop();
      console.log(
        `week: invokes ${invokeMs.toFixed(0)} ms, puts and clock ${tickMs.toFixed(0)} ms (${allTicks} one-second ticks)`,
      );
      return samples;
    } finally {
      await engine.close();
    }
  });
}

export const boundedBenchmark: Benchmark = {
  name: 'bounded',
  async run(): Promise<Figure[]> {
    const timed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
      const start = performance.now();
      const value = await fn();
      return [value, (performance.now() - start) / 1000];
    };
    const out: Figure[] = [];
    if (PHASES.has('pull')) {
      const [pull, seconds] = await timed(pullPhase);
      show(`pull: ${n(PULL_RECORDS)} records`, 'records delivered', pull, seconds);
      out.push(...figures(`pull ${n(PULL_RECORDS)} records`, pull));
    }
    if (PHASES.has('push')) {
      const [push, seconds] = await timed(pushPhase);
      show(`push: ${n(PUSH_EVENTS)} Event invokes`, 'events completed', push, seconds);
      out.push(...figures(`push ${n(PUSH_EVENTS)} events`, push));
    }
    if (PHASES.has('week')) {
      const [week, seconds] = await timed(weekPhase);
      show(`week: ${DAYS} simulated days`, 'simulated hours', week, seconds);
      // The first day fills the retention windows; after it, flat means no half outgrows the other.
      out.push(
        ...figures(
          `${DAYS} simulated days (after day 1)`,
          week.filter((s) => s.at > 24),
        ),
      );
    }
    return out;
  },
};
