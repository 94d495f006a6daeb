/**
 * The hot path: every value of every metric goes through {@link MetricRecorder.record}, which
 * only updates aggregates in memory (the series' open minute, its watchers) and, when someone
 * subscribes to `datapoints$`, builds the raw datum. Persisting is the flusher's job: the first
 * value recorded once the engine clock entered a new minute tells it to write the closed ones.
 */
import { type Observable, Subject } from 'rxjs';
import type { Clock } from '../../clock.js';
import { MINUTE_MS, minuteOf } from './series/identity.js';
import type { Series } from './series/series.js';
import type { MetricDatum, StatisticSet } from './types.js';
import type { MetricUnit } from './units.js';

/** Told when a series gets its first open minute, and when the clock entered a new minute. */
export interface DirtySeriesSink {
  dirty(series: Series): void;
  roll(minute: number): void;
}

export class MetricRecorder {
  readonly #datapoints = new Subject<MetricDatum>();
  readonly datapoints$: Observable<MetricDatum> = this.#datapoints.asObservable();
  /** Start of the minute after the one the last roll saw: values stamped before it skip the check. */
  #nextMinute = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly clock: Clock,
    private readonly sink: DirtySeriesSink,
  ) {}

  /** Whether someone subscribes to `datapoints$`. */
  get observed(): boolean {
    return this.#datapoints.observed;
  }

  /** Records `value` (`count` times) at `timestamp`, an engine-clock time. */
  record(series: Series, value: number, unit: MetricUnit, timestamp: number, count = 1): void {
    this.add(series, this.minuteOf(timestamp), value, unit, timestamp, count);
  }

  /**
   * The minute of `timestamp`, after telling the flusher when the clock entered a new one: with
   * {@link MetricRecorder.add}, several values of one moment (an invocation's metrics) find
   * their minute once.
   */
  minuteOf(timestamp: number): number {
    if (timestamp >= this.#nextMinute) this.#roll();
    return minuteOf(timestamp);
  }

  /** {@link MetricRecorder.record} with `minute` = `minuteOf(timestamp)` already found. */
  add(series: Series, minute: number, value: number, unit: MetricUnit, timestamp: number, count = 1): void {
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
    if (timestamp >= this.#nextMinute) this.#roll();
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

  /** Asks for the closed minutes to be persisted once the clock is past the last roll's minute. */
  #roll(): void {
    const now = this.clock.now();
    if (now < this.#nextMinute) return;
    const minute = minuteOf(now);
    this.#nextMinute = minute + MINUTE_MS;
    this.sink.roll(minute);
  }

  complete(): void {
    this.#datapoints.complete();
  }
}
