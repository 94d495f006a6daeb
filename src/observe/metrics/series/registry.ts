/** The series seen since the engine opened, by identity. */
import type { MetricDimension } from '../types.js';
import { canonicalDimensions, seriesId, seriesKey } from './identity.js';
import { Series } from './series.js';

export class SeriesRegistry {
  readonly #byKey = new Map<string, Series>();

  /** The series of this identity, created on first use. `dimensions` need not be sorted. */
  get(namespace: string, metricName: string, dimensions: readonly MetricDimension[] | undefined): Series {
    const canonical = canonicalDimensions(dimensions);
    const key = seriesKey(namespace, metricName, canonical);
    let series = this.#byKey.get(key);
    if (series === undefined) {
      series = new Series(seriesId(key), key, namespace, metricName, canonical);
      this.#byKey.set(key, series);
    }
    return series;
  }

  /** The series of this identity if it exists, without creating it. */
  peek(namespace: string, metricName: string, dimensions: readonly MetricDimension[]): Series | undefined {
    return this.#byKey.get(seriesKey(namespace, metricName, canonicalDimensions(dimensions)));
  }

  all(): IterableIterator<Series> {
    return this.#byKey.values();
  }
}
