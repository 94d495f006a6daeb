/**
 * Shapes of `runBench` (`lambdalite bench`): what to run, and the figures it reports. A saved
 * result (`--json`) is the input of a later `--compare`, so the result is plain JSON data.
 */

export type BenchScenario = 'push' | 'pull' | 'invoke' | 'pipeline';

export const BENCH_SCENARIOS: readonly BenchScenario[] = Object.freeze([
  'push',
  'pull',
  'invoke',
  'pipeline',
]);

export interface BenchOptions {
  /**
   * - `invoke`: synchronous invokes, `concurrency` in flight;
   * - `push`: putObject into a bucket whose notification invokes the function (async, retried);
   * - `pull`: putRecords into a stream of `shards` shards, polled by a mapping of `batchSize`;
   * - `pipeline`: the pipeline file is applied, and traffic enters where the file wires `function`
   *   (a mapping's stream, a notifying bucket, else direct invokes).
   */
  scenario: BenchScenario;
  /**
   * A handler module as `path/file.export` (`./src/index.handler`), or a module file (export
   * `handler`). With `pipeline`: the name of one of the file's functions.
   */
  function: string;
  /** The pipeline file (`pipeline` scenario only). */
  pipeline?: string;
  /** Records (events, invokes) to send; default 10,000 unless `durationSec` is given. */
  records?: number;
  /** Send for this many seconds instead of a fixed count (then wait for what was sent). */
  durationSec?: number;
  /** Stream shards (`pull`); default 4. */
  shards?: number;
  /** Mapping batch size (`pull`); default 100. */
  batchSize?: number;
  /**
   * `invoke`: invokes in flight; `push`: the function's concurrent invocations; `pull`: the
   * mapping's parallelization factor (1-10). Default 2, 2 and 1.
   */
  concurrency?: number;
  /** The function's memory (MB); default 128. */
  memoryMb?: number;
  /** The function's timeout (s); default 30. */
  timeoutSec?: number;
  /** Payload: a size (`1KiB`, `512`, `2MiB`) or a file's bytes; default 1 KiB. */
  payload?: string;
  /**
   * Records sent and drained before the measured run, on both sides (the engine and the raw
   * baseline), so neither is measured while its containers start and V8 compiles its path.
   * Default: a tenth of `records`, at most 2,000 (500 for a `durationSec` run); 0 for none.
   */
  warmup?: number;
  /** Run the raw baseline too (default true). */
  baseline?: boolean;
}

/** Progress while the run sends and drains (about 4 times a second). */
export interface BenchProgress {
  /** Records whose function run ended (success or given up). */
  done: number;
  /** Records sent so far. */
  sent: number;
  /** Records to send, when known (a `records` run). */
  total: number | undefined;
  elapsedMs: number;
  /** Completions per second over the last second. */
  ratePerSec: number;
}

export interface LatencyFigures {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** One run's figures (lambdalite's, or the baseline's). */
export interface BenchFigures {
  /** What ran, e.g. 'lambdalite push' or 'raw worker round trips'. */
  name: string;
  records: number;
  durationMs: number;
  /** Records per second, first send to last completion. */
  throughput: number;
  /** End to end per record (send to the function run's end), ms. */
  latencyMs: LatencyFigures;
  /** The engine's IteratorAge metric of the function's mapping (pull): Maximum and p99, ms. */
  iteratorAgeMs?: { max: number; p99: number };
  /** Containers started, the warm-up's included. */
  coldStarts: number;
  /**
   * The engine's Errors metric over the measured run: function errors, timeouts and runtime
   * exits, counted per invocation (a batch or event retried three times counts three).
   */
  errors: number;
  /** Retries: function-error retries, throttles and service-error backoffs. */
  retries: number;
  /** The engine's Invocations metric over the measured run (the baseline's: absent). */
  invocations?: number;
  /** The engine's Throttles metric over the measured run. */
  throttles?: number;
  /** The engine's Duration metric: how long the function's code ran, ms. */
  functionDurationMs?: LatencyFigures;
  /** Sends the engine refused (a throttled putRecords entry, a refused invoke): never ran. */
  refused?: number;
  peakHeapMb: number;
  peakRssMb: number;
}

export interface BenchMachine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
}

export interface BenchResult {
  /** Format of this record; `--compare` refuses others. */
  format: 'lambdalite-bench/1';
  scenario: BenchScenario;
  startedAt: string;
  machine: BenchMachine;
  /** The settings as run (defaults filled in). */
  settings: Record<string, string | number>;
  run: BenchFigures;
  baseline?: BenchFigures;
}
