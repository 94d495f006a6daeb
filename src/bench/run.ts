/**
 * `runBench`: one engine on a fresh data directory, the function under test set up as the
 * scenario needs, records sent and drained while progress is reported, then the raw baseline in
 * the same process. Every figure comes from the same run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import type { EngineOptions } from '../context.js';
import { createEngine, type Engine } from '../engine.js';
import { EXECUTION_LOGS_POLICY, LAMBDA_TRUST_POLICY } from '../iam/seed-policies.js';
import { rawLevelDb, rawRoundTrips } from './baseline.js';
import { FunctionMetrics } from './function-metrics.js';
import { drive, PeakMemory, RecentRate } from './measure.js';
import { type ResolvedBench, resolveBenchOptions } from './options.js';
import { invokeScenario } from './scenarios/invoke.js';
import { setUpPipeline } from './scenarios/pipeline.js';
import { PULL_PER_CALL, pullRole, pullScenario, setUpPull } from './scenarios/pull.js';
import { pushScenario, setUpPush } from './scenarios/push.js';
import type { ScenarioRun } from './scenarios/scenario.js';
import type { BenchFigures, BenchMachine, BenchOptions, BenchProgress, BenchResult } from './types.js';

export interface RunBenchHooks {
  /** Called about 4 times a second while records are sent and drained. */
  onProgress?: (progress: BenchProgress) => void;
  /** Called when the baseline starts (after the engine's run). */
  onBaseline?: () => void;
}

const PROGRESS_MS = 250;

/**
 * Benchmarks a function under Lambda's semantics.
 *
 * @example
 * const result = await runBench({ scenario: 'push', function: './handler.handler', records: 20_000 });
 * console.log(result.run.throughput, result.run.latencyMs.p99, result.baseline?.throughput);
 */
export async function runBench(options: BenchOptions, hooks: RunBenchHooks = {}): Promise<BenchResult> {
  const bench = await resolveBenchOptions(options);
  const startedAt = new Date().toISOString();
  const dir = await mkdtemp(join(tmpdir(), 'lambdalite-bench-'));
  let run: BenchFigures;
  let baselinePlan: () => Promise<BenchFigures>;
  try {
    const engineOptions: EngineOptions = { location: join(dir, 'data') };
    // The function's concurrency is the push queue's per-function limit (AWS: unreserved).
    if (bench.scenario === 'push')
      engineOptions.asyncInvocation = { maxConcurrencyPerFunction: bench.concurrency };
    const engine = await createEngine(engineOptions);
    try {
      const scenario = await setUp(engine, bench);
      try {
        run = await measure(engine, scenario, bench, hooks);
      } finally {
        scenario.stop();
      }
      const workers =
        bench.scenario === 'invoke' ? bench.concurrency : Math.min(bench.concurrency, scenario.inFlight);
      baselinePlan =
        scenario.baseline === 'leveldb'
          ? () =>
              rawLevelDb(run.records, {
                perBatch: PULL_PER_CALL,
                payload: bench.payload,
                warmup: bench.warmup,
              })
          : () =>
              rawRoundTrips(run.records, {
                workers,
                inFlight: scenario.inFlight,
                payload: bench.payload,
                warmup: bench.warmup,
              });
    } finally {
      await engine.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const result: BenchResult = {
    format: 'lambdalite-bench/1',
    scenario: bench.scenario,
    startedAt,
    machine: machine(),
    settings: settingsOf(bench, options),
    run,
  };
  if (bench.baseline && run.records > 0) {
    hooks.onBaseline?.();
    result.baseline = await baselinePlan();
  }
  return result;
}

async function setUp(engine: Engine, bench: ResolvedBench): Promise<ScenarioRun> {
  const name = bench.functionName;
  if (bench.scenario === 'pipeline') {
    const entry = await setUpPipeline(engine, bench.pipeline!, name);
    if (entry.kind === 'pull') return pullScenario(engine, name, entry.target, bench.payload);
    if (entry.kind === 'push') return pushScenario(engine, name, entry.target, bench.payload);
    return invokeScenario(engine, name, bench.payload, bench.concurrency);
  }
  const pull = bench.scenario === 'pull' ? await pullRole(engine) : undefined;
  const role =
    pull?.role ??
    (
      await engine.iam.createRole({
        name: 'bench',
        assumeRolePolicy: LAMBDA_TRUST_POLICY,
        policies: { logs: EXECUTION_LOGS_POLICY },
      })
    ).arn;
  await engine.functions.create({
    name,
    handler: bench.code!.handler,
    code: { directory: bench.code!.directory },
    memoryMb: bench.memoryMb,
    timeoutSec: bench.timeoutSec,
    role,
  });
  if (pull) {
    const target = await setUpPull(engine, name, pull.streamName, {
      shards: bench.shards,
      batchSize: bench.batchSize,
      parallelizationFactor: bench.concurrency,
    });
    return pullScenario(engine, name, target, bench.payload);
  }
  if (bench.scenario === 'push')
    return pushScenario(engine, name, await setUpPush(engine, name), bench.payload);
  return invokeScenario(engine, name, bench.payload, bench.concurrency);
}

async function measure(
  engine: Engine,
  scenario: ScenarioRun,
  bench: ResolvedBench,
  hooks: RunBenchHooks,
): Promise<BenchFigures> {
  const { tally } = scenario;
  const memory = new PeakMemory();
  const recent = new RecentRate();
  let started = performance.now();
  let sent = 0;
  const tick = (): void => {
    memory.sample();
    const now = performance.now();
    hooks.onProgress?.({
      done: tally.done,
      sent,
      total: bench.records,
      elapsedMs: now - started,
      ratePerSec: recent.add(now, tally.done),
    });
  };
  const ticker = setInterval(tick, PROGRESS_MS);
  // The engine's own metrics of the measured run (not the warm-up): what the console shows.
  let metrics: FunctionMetrics | undefined;
  try {
    if (bench.warmup > 0) {
      const warm = await drive({
        records: bench.warmup,
        durationMs: undefined,
        inFlight: scenario.inFlight,
        perCall: scenario.perCall,
        send: (first, count) => scenario.send(first, count),
        onSent: () => undefined,
      });
      await tally.until(warm);
      tally.reset();
      memory.reset();
    }
    metrics = new FunctionMetrics(engine, bench.functionName);
    started = performance.now();
    const total = await drive({
      firstIndex: bench.warmup,
      records: bench.records,
      durationMs: bench.durationMs,
      inFlight: scenario.inFlight,
      perCall: scenario.perCall,
      send: (first, count) => scenario.send(first, count),
      onSent: (count) => {
        sent += count;
      },
    });
    await tally.until(total);
    tick();
  } finally {
    clearInterval(ticker);
    metrics?.stop();
  }
  const durationMs = performance.now() - started;
  const measured = metrics?.figures();
  const figures: BenchFigures = {
    name: `lambdalite ${scenario.description}`,
    records: tally.done,
    durationMs,
    throughput: durationMs > 0 ? (tally.done * 1000) / durationMs : 0,
    latencyMs: tally.latencies.figures(),
    coldStarts: tally.coldStarts,
    errors: measured?.errors ?? 0,
    retries: tally.retries,
    invocations: measured?.invocations ?? 0,
    throttles: measured?.throttles ?? 0,
    ...memory.figures(),
  };
  if (measured) figures.functionDurationMs = measured.durationMs;
  if (measured?.iteratorAgeMs) figures.iteratorAgeMs = measured.iteratorAgeMs;
  if (tally.refused > 0) figures.refused = tally.refused;
  return figures;
}

function machine(): BenchMachine {
  const cpu = cpus();
  return {
    cpus: cpu.length,
    cpuModel: cpu[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
  };
}

function settingsOf(bench: ResolvedBench, options: BenchOptions): Record<string, string | number> {
  const settings: Record<string, string | number> = {
    function: options.function,
    concurrency: bench.concurrency,
    memoryMb: bench.memoryMb,
    payloadBytes: bench.payload.length,
    warmup: bench.warmup,
  };
  if (bench.pipeline !== undefined) settings['pipeline'] = bench.pipeline;
  if (bench.records !== undefined) settings['records'] = bench.records;
  if (bench.durationMs !== undefined) settings['durationSec'] = bench.durationMs / 1000;
  if (bench.scenario === 'pull') {
    settings['shards'] = bench.shards;
    settings['batchSize'] = bench.batchSize;
  }
  return settings;
}
