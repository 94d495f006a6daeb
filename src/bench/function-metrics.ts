/**
 * The engine's own `AWS/Lambda` metrics of the benchmarked function, read from
 * `engine.metrics.datapoints$` while the measured run lasts: the same values the console's graphs
 * and `getStatistics` aggregate, so a bench table and the console agree. Read from the raw
 * datapoints rather than `getStatistics` because its periods are whole minutes, and the warm-up
 * would fall in the same minute as a short run.
 */
import type { Subscription } from 'rxjs';
import type { Engine } from '../engine.js';
import { Latencies } from './measure.js';
import type { LatencyFigures } from './types.js';

export interface FunctionMetricFigures {
  /** Sum of `Invocations`: runs of the code, successes and function errors alike. */
  invocations: number;
  /** Sum of `Errors`: function errors, timeouts and runtime exits. */
  errors: number;
  /** Sum of `Throttles`: invocations refused for concurrency. */
  throttles: number;
  /** `Duration`: how long the code ran, ms. */
  durationMs: LatencyFigures;
  /** `IteratorAge` of the function's mappings (Maximum and p99), ms; pull only. */
  iteratorAgeMs?: { max: number; p99: number };
}

export class FunctionMetrics {
  #invocations = 0;
  #errors = 0;
  #throttles = 0;
  readonly #durations = new Latencies();
  readonly #iteratorAges = new Latencies();
  readonly #subscription: Subscription;

  /** Starts reading the function's datapoints; {@link stop} ends it. */
  constructor(engine: Engine, functionName: string) {
    this.#subscription = engine.metrics.datapoints$.subscribe((d) => {
      if (d.namespace !== 'AWS/Lambda') return;
      const fn = d.dimensions.find((x) => x.name === 'FunctionName');
      if (fn?.value !== functionName) return;
      if (d.dimensions.length > 1) {
        // FunctionName with EventSourceMappingUUID: the per-mapping IteratorAge series.
        if (d.metricName === 'IteratorAge') this.#iteratorAges.record(d.value);
        return;
      }
      switch (d.metricName) {
        case 'Invocations':
          this.#invocations += d.value;
          break;
        case 'Errors':
          this.#errors += d.value;
          break;
        case 'Throttles':
          this.#throttles += d.value;
          break;
        case 'Duration':
          this.#durations.record(d.value);
          break;
      }
    });
  }

  stop(): void {
    this.#subscription.unsubscribe();
  }

  figures(): FunctionMetricFigures {
    const figures: FunctionMetricFigures = {
      invocations: this.#invocations,
      errors: this.#errors,
      throttles: this.#throttles,
      durationMs: this.#durations.figures(),
    };
    if (this.#iteratorAges.count > 0) {
      const { max, p99 } = this.#iteratorAges.figures();
      figures.iteratorAgeMs = { max, p99 };
    }
    return figures;
  }
}
