/**
 * Cost of monitoring (issue 15): warm invoke, push and pull end to end with metrics recorded and
 * log lines stored (the function's role allows the logs actions) against the same runs with no
 * observer (`logs: { persist: false }`, `metrics: { enabled: false }`, the same role). The issue
 * allows at most 5% overhead on each.
 *
 * Both sides do the same work in the same pattern: warm invoke keeps one engine per side alive,
 * each warmed by the same sequential calls, then measured in alternating rounds; push and pull
 * reuse their benchmarks' end-to-end runs (a fresh engine per repetition with its own warm-up),
 * alternating the sides. `OBSERVE_RUNS` sets the repetitions (default 5).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine, type EngineOptions } from '../src/index.js';
import { type Benchmark, type Figure, interleaved } from './harness.js';
import { endToEnd } from './pull.js';
import { createLogsRole, type EndToEndSetup, endToEndRate } from './push.js';

const RUNS = Number(process.env.OBSERVE_RUNS ?? 5);
const SEQUENTIAL = 1500;
const WARM_CALLS = 3000;
const TARGET = 0.95;

const ON: EndToEndSetup = { logsRole: true };
const OFF: EndToEndSetup = {
  logsRole: true,
  options: { logs: { persist: false }, metrics: { enabled: false } },
};

/** An engine with a trivial function running as a role that may write logs. */
async function invokeSide(
  dir: string,
  options: EngineOptions = {},
): Promise<{ engine: Engine; round: () => Promise<number> }> {
  const engine = await createEngine(options);
  const role = await createLogsRole(engine);
  await engine.functions.create({
    name: 'trivial',
    handler: 'index.handler',
    code: { directory: dir },
    role,
  });
  const payload = { key: 'value' };
  const calls = async (count: number): Promise<number> => {
    const start = performance.now();
    for (let i = 0; i < count; i++) await engine.functions.invoke('trivial', payload);
    return count / ((performance.now() - start) / 1000);
  };
  await calls(WARM_CALLS);
  return { engine, round: () => calls(SEQUENTIAL) };
}

async function warmInvoke(): Promise<Record<'observed' | 'bare', { median: number; samples: number[] }>> {
  const dir = await mkdtemp(join(tmpdir(), 'lambdalite-bench-observe-'));
  await writeFile(join(dir, 'index.mjs'), 'export const handler = async (event) => event;\n');
  // Memory engines: the log lines of the observed side then cost what the store does, not disk.
  const observed = await invokeSide(dir, ON.options);
  const bare = await invokeSide(dir, OFF.options);
  try {
    return await interleaved(RUNS, { observed: observed.round, bare: bare.round });
  } finally {
    await observed.engine.close();
    await bare.engine.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function line(
  name: string,
  unit: string,
  result: Record<'observed' | 'bare', { median: number; samples: number[] }>,
): Figure {
  console.log(
    `observe ${name} (${unit}): observed ${result.observed.samples.map(Math.round).join(', ')}; bare ${result.bare.samples.map(Math.round).join(', ')}; ratio of medians ${(result.observed.median / result.bare.median).toFixed(3)}`,
  );
  return {
    name: `${name}, metrics recorded + logs stored`,
    value: result.observed.median,
    unit,
    baselineName: 'same, no observer (logs not stored, metrics off)',
    baselineValue: result.bare.median,
    higherIsBetter: true,
    target: TARGET,
  };
}

export const observeBenchmark: Benchmark = {
  name: 'observe',
  async run(): Promise<Figure[]> {
    const invoke = await warmInvoke();
    const figures = [line('warm invoke, sequential', 'invokes/s', invoke)];
    // Fresh engines with their own warm-up per repetition: no extra untimed repetition.
    const push = await interleaved(
      RUNS,
      { observed: () => endToEndRate(ON), bare: () => endToEndRate(OFF) },
      0,
    );
    figures.push(line('push: putObject -> notification -> function, end to end', 'events/s', push));
    const pull = await interleaved(
      RUNS,
      { observed: async () => (await endToEnd(ON)).rate, bare: async () => (await endToEnd(OFF)).rate },
      0,
    );
    figures.push(line('pull: 4-shard stream -> mapping -> function, end to end', 'records/s', pull));
    return figures;
  },
};
