/**
 * Cost of monitoring (issue 15): warm invoke, push and pull end to end with metrics recorded and
 * log lines stored (the function's role allows the logs actions) against the same runs with no
 * observer (`logs: { persist: false }`, `metrics: { enabled: false }`, the same role). The issue
 * allows at most 5% overhead on each.
 *
 * Both sides do the same work in the same pattern: warm invoke keeps one engine per side alive,
 * each warmed by the same sequential calls, then measured in alternating rounds; push and pull
 * reuse their benchmarks' end-to-end runs (a fresh engine per repetition with its own warm-up),
 * alternating the sides. `OBSERVE_RUNS` sets the repetitions (default 5; warm invoke makes three
 * times as many rounds of 1,000 calls). Beside each rate it
 * prints the CPU time per operation of all the process's threads (`process.cpuUsage()` over the
 * timed span), which a loaded machine moves far less than the rates.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine, type EngineOptions } from '../src/index.js';
import { type Benchmark, type Figure, interleaved, middle } from './harness.js';
import { endToEnd } from './pull.js';
import { createLogsRole, type EndToEndSetup, endToEndRun } from './push.js';

const RUNS = Number(process.env.OBSERVE_RUNS ?? 5);
/** Warm invoke's rounds are short (~50 ms): three times as many as the end-to-end repetitions. */
const INVOKE_ROUNDS = 3 * RUNS;
const SEQUENTIAL = 1000;
const WARM_CALLS = 3000;
const TARGET = 0.95;

type Side = 'observed' | 'bare';
/** CPU microseconds per operation of each repetition, per side. */
type CpuSamples = Record<Side, number[]>;

const ON: EndToEndSetup = { logsRole: true };
const OFF: EndToEndSetup = {
  logsRole: true,
  options: { logs: { persist: false }, metrics: { enabled: false } },
};

/** An engine with a trivial function running as a role that may write logs. */
async function invokeSide(
  dir: string,
  options: EngineOptions = {},
  cpu: number[],
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
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    for (let i = 0; i < count; i++) await engine.functions.invoke('trivial', payload);
    const seconds = (performance.now() - start) / 1000;
    const used = process.cpuUsage(cpuBefore);
    cpu.push((used.user + used.system) / count);
    return count / seconds;
  };
  await calls(WARM_CALLS);
  cpu.length = 0;
  return { engine, round: () => calls(SEQUENTIAL) };
}

async function warmInvoke(cpu: CpuSamples): Promise<Record<Side, { median: number; samples: number[] }>> {
  const dir = await mkdtemp(join(tmpdir(), 'lambdalite-bench-observe-'));
  await writeFile(join(dir, 'index.mjs'), 'export const handler = async (event) => event;\n');
  // Memory engines: the log lines of the observed side then cost what the store does, not disk.
  const observed = await invokeSide(dir, ON.options, cpu.observed);
  const bare = await invokeSide(dir, OFF.options, cpu.bare);
  try {
    const result = await interleaved(INVOKE_ROUNDS, { observed: observed.round, bare: bare.round });
    // The untimed round of `interleaved` is not a repetition.
    cpu.observed.splice(0, cpu.observed.length - INVOKE_ROUNDS);
    cpu.bare.splice(0, cpu.bare.length - INVOKE_ROUNDS);
    return result;
  } finally {
    await observed.engine.close();
    await bare.engine.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function line(
  name: string,
  unit: string,
  result: Record<Side, { median: number; samples: number[] }>,
  cpu: CpuSamples,
): Figure {
  console.log(
    `observe ${name} (${unit}): observed ${result.observed.samples.map(Math.round).join(', ')}; bare ${result.bare.samples.map(Math.round).join(', ')}; ratio of medians ${(result.observed.median / result.bare.median).toFixed(3)}`,
  );
  const us = (values: number[]): string => values.map((v) => v.toFixed(1)).join(', ');
  console.log(
    `observe ${name}, CPU µs per operation (all threads): observed ${us(cpu.observed)}; bare ${us(cpu.bare)}; bare / observed of medians ${(middle(cpu.bare) / middle(cpu.observed)).toFixed(3)}`,
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
    const invokeCpu: CpuSamples = { observed: [], bare: [] };
    const invoke = await warmInvoke(invokeCpu);
    const figures = [line('warm invoke, sequential', 'invokes/s', invoke, invokeCpu)];
    // Fresh engines with their own warm-up per repetition: no extra untimed repetition.
    const pushCpu: CpuSamples = { observed: [], bare: [] };
    const pushRun = async (side: Side): Promise<number> => {
      const run = await endToEndRun(side === 'observed' ? ON : OFF);
      pushCpu[side].push(run.cpuUsPerOp);
      return run.rate;
    };
    const push = await interleaved(
      RUNS,
      { observed: () => pushRun('observed'), bare: () => pushRun('bare') },
      0,
    );
    figures.push(line('push: putObject -> notification -> function, end to end', 'events/s', push, pushCpu));
    const pullCpu: CpuSamples = { observed: [], bare: [] };
    const pullRun = async (side: Side): Promise<number> => {
      const run = await endToEnd(side === 'observed' ? ON : OFF);
      pullCpu[side].push(run.cpuUsPerRecord);
      return run.rate;
    };
    const pull = await interleaved(
      RUNS,
      { observed: () => pullRun('observed'), bare: () => pullRun('bare') },
      0,
    );
    figures.push(line('pull: 4-shard stream -> mapping -> function, end to end', 'records/s', pull, pullCpu));
    return figures;
  },
};
