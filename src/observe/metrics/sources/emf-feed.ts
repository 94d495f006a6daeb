/**
 * Reads the lines functions print (`function.log` events of kind 'user') and records the
 * metrics of those that are Embedded Metric Format documents. Lines of a function whose role
 * may not write logs never become events, so, as in AWS, they give no metrics either.
 */
import type { Subscription } from 'rxjs';
import type { MetricRecorder } from '../recorder.js';
import type { SeriesRegistry } from '../series/registry.js';
import { extractEmf, mayBeEmf } from './emf.js';
import type { LambdaEventSource } from './lambda-feed.js';

export class EmfFeed {
  readonly #subscription: Subscription;

  constructor(
    private readonly recorder: MetricRecorder,
    private readonly registry: SeriesRegistry,
    source: LambdaEventSource,
  ) {
    this.#subscription = source.of$('function.log').subscribe((event) => {
      if (event.kind === 'user' && mayBeEmf(event.message)) this.record(event.message);
    });
  }

  /** Records the metrics of one line; false when it is not a valid EMF document. */
  record(line: string): boolean {
    const metrics = extractEmf(line);
    if (metrics === undefined) return false;
    for (const metric of metrics) {
      const series = this.registry.get(metric.namespace, metric.metricName, metric.dimensions);
      for (const value of metric.values) this.recorder.record(series, value, metric.unit, metric.timestamp);
    }
    return true;
  }

  close(): void {
    this.#subscription.unsubscribe();
  }
}
