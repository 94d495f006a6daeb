/**
 * Reads the lines functions print (handed over by the runtime, see PrintedLineListener) and
 * records the metrics of those that are Embedded Metric Format documents. Only lines that reach
 * the function's log group come here: a role that may not write logs gives no metrics, as in AWS.
 * A direct call rather than a `function.log` subscription: a subscriber would make the runtime
 * build an event for every line, START / END / REPORT included, for no other reader.
 */
import type { MetricRecorder } from '../recorder.js';
import type { SeriesRegistry } from '../series/registry.js';
import { extractEmf, mayBeEmf } from './emf.js';

export class EmfFeed {
  constructor(
    private readonly recorder: MetricRecorder,
    private readonly registry: SeriesRegistry,
  ) {}

  /** One printed line: its metrics when it is an EMF document. */
  readonly line = (message: string): void => {
    if (mayBeEmf(message)) this.record(message);
  };

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
}
