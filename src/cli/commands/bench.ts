/**
 * `lambdalite bench`: benchmarks a function under Lambda's semantics (src/bench) with a live
 * progress bar (only on a terminal), a results table beside the raw baseline, `--json` for
 * scripts and `--compare` against a saved `--json` run (exit code 1 on a regression).
 */
import { readFile } from 'node:fs/promises';
import { Presets, SingleBar } from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';
import { compareResults, parseSavedResult } from '../../bench/compare.js';
import { formatComparison, formatResult } from '../../bench/format.js';
import type { RunBenchHooks } from '../../bench/run.js';
import {
  BENCH_SCENARIOS,
  type BenchOptions,
  type BenchResult,
  type BenchScenario,
} from '../../bench/types.js';

interface BenchFlags {
  scenario: BenchScenario;
  function: string;
  pipeline?: string;
  records?: number;
  duration?: number;
  shards?: number;
  batchSize?: number;
  concurrency?: number;
  memory?: number;
  timeout?: number;
  payload?: string;
  warmup?: number;
  baseline: boolean;
  json?: boolean;
  compare?: string;
  threshold: number;
}

function whole(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < 1)
      throw new InvalidArgumentError(`${name} must be a whole number >= 1, got ${value}`);
    return n;
  };
}

function percent(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError(`--threshold must be a percentage >= 0, got ${value}`);
  return n;
}

export function benchCommand(): Command {
  return new Command('bench')
    .description(
      "benchmark a function under Lambda's semantics, beside a raw baseline run in the same process",
    )
    .addOption(
      new Option('--scenario <name>', 'how records reach the function')
        .choices([...BENCH_SCENARIOS])
        .makeOptionMandatory(),
    )
    .requiredOption(
      '--function <handler>',
      'handler module as path/file.export (or a module file); with --pipeline, a function of the file',
    )
    .option('--pipeline <file>', 'pipeline file to apply (scenario pipeline)')
    .option('--records <n>', 'records to send (default 10000)', whole('--records'))
    .option('--duration <s>', 'send for this many seconds instead', whole('--duration'))
    .option('--shards <n>', 'stream shards (pull; default 4)', whole('--shards'))
    .option('--batch-size <n>', 'mapping batch size (pull; default 100)', whole('--batch-size'))
    .option(
      '--concurrency <n>',
      'invokes in flight (invoke), function concurrency (push), parallelization factor (pull)',
      whole('--concurrency'),
    )
    .option('--memory <mb>', 'function memory (default 128)', whole('--memory'))
    .option('--timeout <s>', 'function timeout (default 30)', whole('--timeout'))
    .option('--payload <file|size>', 'payload: a size (1KiB, 2MiB) or a file (default 1KiB)')
    .option(
      '--warmup <n>',
      'records sent before measuring, on both sides (default records/10, at most 2000)',
      (v) => (v === '0' ? 0 : whole('--warmup')(v)),
    )
    .option('--no-baseline', 'skip the raw baseline run')
    .option('--json', 'print the result as JSON (for scripts and --compare)')
    .option('--compare <file>', 'compare with a saved --json result; exit code 1 on a regression')
    .option('--threshold <pct>', 'regression threshold for --compare, percent', percent, 10)
    .action(async (flags: BenchFlags) => run(flags));
}

function optionsOf(flags: BenchFlags): BenchOptions {
  const options: BenchOptions = {
    scenario: flags.scenario,
    function: flags.function,
    baseline: flags.baseline,
  };
  if (flags.pipeline !== undefined) options.pipeline = flags.pipeline;
  if (flags.records !== undefined) options.records = flags.records;
  if (flags.duration !== undefined) options.durationSec = flags.duration;
  if (flags.shards !== undefined) options.shards = flags.shards;
  if (flags.batchSize !== undefined) options.batchSize = flags.batchSize;
  if (flags.concurrency !== undefined) options.concurrency = flags.concurrency;
  if (flags.memory !== undefined) options.memoryMb = flags.memory;
  if (flags.timeout !== undefined) options.timeoutSec = flags.timeout;
  if (flags.payload !== undefined) options.payload = flags.payload;
  if (flags.warmup !== undefined) options.warmup = flags.warmup;
  return options;
}

async function run(flags: BenchFlags): Promise<void> {
  // Read before the run, so a wrong file fails in a second rather than after the benchmark.
  const saved =
    flags.compare === undefined
      ? undefined
      : parseSavedResult(await readFile(flags.compare, 'utf8'), flags.compare);
  const hooks: RunBenchHooks = {};
  // A bar only on a terminal: redirected output and --json stay clean for scripts.
  const bar =
    process.stdout.isTTY === true && flags.json !== true
      ? new SingleBar(
          {
            stream: process.stdout,
            format: ' {bar} {done}/{sent} records | {rate}/s | {elapsed}s',
            hideCursor: true,
          },
          Presets.shades_classic,
        )
      : undefined;
  if (bar) {
    bar.start(flags.records ?? (flags.duration === undefined ? 10_000 : 1), 0, {
      done: 0,
      sent: 0,
      rate: 0,
      elapsed: 0,
    });
    hooks.onProgress = (p) => {
      if (p.total === undefined) bar.setTotal(Math.max(p.sent, 1));
      bar.update(p.done, {
        done: p.done,
        sent: p.sent,
        rate: Math.round(p.ratePerSec),
        elapsed: (p.elapsedMs / 1000).toFixed(1),
      });
    };
    hooks.onBaseline = () => {
      bar.stop();
      process.stdout.write('running the raw baseline...\n');
    };
  }
  let result: BenchResult;
  try {
    // Loaded when a bench runs: the engine is not needed to start the CLI or print help.
    const { runBench } = await import('../../bench/run.js');
    result = await runBench(optionsOf(flags), hooks);
  } finally {
    bar?.stop();
  }
  const comparison = saved === undefined ? undefined : compareResults(result, saved, flags.threshold);
  if (flags.json === true) {
    process.stdout.write(
      `${JSON.stringify(comparison === undefined ? result : { ...result, comparison }, null, 2)}\n`,
    );
  } else {
    process.stdout.write(`${formatResult(result)}\n`);
    if (comparison)
      process.stdout.write(`\ncompared with ${flags.compare}:\n${formatComparison(comparison)}\n`);
  }
  if (comparison?.regressed) process.exitCode = 1;
}
