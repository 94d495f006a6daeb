/**
 * One metric series in memory: the aggregates of its minutes not yet persisted, lifetime totals
 * for Prometheus, and the watchers that follow it.
 */
import { Aggregate } from '../stats/aggregate.js';
import type { MetricDimension, MetricIdentity } from '../types.js';
import type { MetricUnit } from '../units.js';

/** Follows a series' values as they arrive (a `watch` subscription). */
export interface SeriesWatcher {
  add(value: number, unit: MetricUnit, count: number): void;
  addSet(sampleCount: number, sum: number, min: number, max: number, unit: MetricUnit): void;
}

/** An aggregate handed to a flush, until its batch is durable. */
export interface FlushingAggregate {
  readonly minute: number;
  readonly aggregate: Aggregate;
  readonly seq: number;
}

export class Series implements MetricIdentity {
  /** Minutes not handed to a flush yet, by minute start. */
  readonly open = new Map<number, Aggregate>();
  /** Minutes handed to a flush whose batch is not durable yet. */
  flushing: FlushingAggregate[] = [];
  /** In the flusher's list of series with open minutes. */
  dirty = false;
  /** Values recorded since the engine opened (Prometheus counters and summaries). */
  totalCount = 0;
  totalSum = 0;
  lastValue = 0;
  unit: MetricUnit = 'None';
  /** Latest minute start with a value recorded since open (list shows it while retained). */
  lastMinute = Number.NEGATIVE_INFINITY;
  /** The last minute that left `open`, kept for Prometheus' quantile window. */
  previous: { minute: number; aggregate: Aggregate } | undefined;
  watchers: SeriesWatcher[] = [];
  #currentMinute = Number.NaN;
  #current: Aggregate | undefined;

  constructor(
    readonly id: string,
    readonly key: string,
    readonly namespace: string,
    readonly metricName: string,
    readonly dimensions: readonly MetricDimension[],
  ) {}

  /** The aggregate of `minute`, created when missing (the same one while the minute stays open). */
  minute(minute: number): Aggregate {
    if (minute === this.#currentMinute && this.#current !== undefined) return this.#current;
    let aggregate = this.open.get(minute);
    if (aggregate === undefined) {
      aggregate = new Aggregate();
      this.open.set(minute, aggregate);
    }
    this.#currentMinute = minute;
    this.#current = aggregate;
    return aggregate;
  }

  /** Takes the open minutes before `before` (all when undefined) out of `open`. */
  take(before: number | undefined): Array<[number, Aggregate]> {
    const taken: Array<[number, Aggregate]> = [];
    for (const entry of this.open) {
      if (before === undefined || entry[0] < before) taken.push(entry);
    }
    for (const [minute, aggregate] of taken) {
      this.open.delete(minute);
      if (this.#current === aggregate) {
        this.#current = undefined;
        this.#currentMinute = Number.NaN;
      }
      if (this.previous === undefined || minute >= this.previous.minute)
        this.previous = { minute, aggregate };
    }
    return taken;
  }

  get hasData(): boolean {
    return this.totalCount > 0;
  }
}
