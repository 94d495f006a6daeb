/**
 * The hot path: every value of every metric goes through {@link MetricRecorder.record}, which
 * only updates aggregates in memory (the series' open minute, its watchers) and, when someone
 * subscribes to `datapoints$`, builds the raw datum. Persisting is the flusher's job, once a
 * minute.
 */
import { type Observable, Subject } from 'rxjs';
import type { Clock } from '../../clock.js';
import { minuteOf } from './series/identity.js';
import type { Series } from './series/series.js';
import type { MetricDatum, StatisticSet } from './types.js';
import type { MetricUnit } from './units.js';

/** Told when a series gets its first open minute (the flusher keeps the list). */
export interface DirtySeriesSink {
  dirty(series: Series): void;
}

export class MetricRecorder {
  readonly #datapoints = new Subject<MetricDatum>();
  readonly datapoints$: Observable<MetricDatum> = this.#datapoints.asObservable();

  constructor(
    private readonly clock: Clock,
    private readonly sink: DirtySeriesSink,
  ) {}

  /** Records `value` (`count` times) at `timestamp`, an engine-clock time. */
  record(series: Series, value: number, unit: MetricUnit, timestamp: number, count = 1): void {
    const minute = minuteOf(timestamp);
    series.minute(minute).add(value, unit, count);
    if (minute > series.lastMinute) series.lastMinute = minute;
    series.totalCount += count;
    series.totalSum += value * count;
    series.lastValue = value;
    series.unit = unit;
    if (!series.dirty) this.sink.dirty(series);
    const watchers = series.watchers;
    for (let i = 0; i < watchers.length; i++) watchers[i]?.add(value, unit, count);
    if (this.#datapoints.observed) {
      for (let i = 0; i < count; i++) {
        this.#datapoints.next({
          namespace: series.namespace,
          metricName: series.metricName,
          dimensions: series.dimensions,
          value,
          unit,
          timestamp,
        });
      }
    }
  }

  /** Records a pre-aggregated set (PutMetricData StatisticValues). */
  recordSet(series: Series, set: StatisticSet, unit: MetricUnit, timestamp: number): void {
    const minute = minuteOf(timestamp);
    series.minute(minute).addSet(set.sampleCount, set.sum, set.minimum, set.maximum, unit);
    if (minute > series.lastMinute) series.lastMinute = minute;
    series.totalCount += set.sampleCount;
    series.totalSum += set.sum;
    series.lastValue = set.maximum;
    series.unit = unit;
    if (!series.dirty) this.sink.dirty(series);
    for (const watcher of series.watchers) {
      watcher.addSet(set.sampleCount, set.sum, set.minimum, set.maximum, unit);
    }
  }

  now(): number {
    return this.clock.now();
  }

  complete(): void {
    this.#datapoints.complete();
  }
}
