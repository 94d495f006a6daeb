/**
 * The statistics of a set of values: sample count, sum, minimum, maximum and a histogram for
 * percentiles. Aggregates merge, so one-minute rollups combine into any longer period.
 */
import type { MetricUnit } from '../units.js';
import {
  decodeHistogram,
  encodeHistogram,
  type Histogram,
  MAX_HISTOGRAM_VALUE,
  newHistogram,
  recordScaled,
  valueAtPercentile,
} from './histogram.js';

/** An aggregate as persisted in the rollup (short keys: one per series and minute). */
export interface StoredAggregate {
  /** sample count */
  n: number;
  s: number;
  lo: number;
  hi: number;
  u: MetricUnit;
  /** Compressed histogram; absent while every value was the same (then percentiles = lo). */
  h?: string;
  /** Set when percentiles are unavailable (negative values, statistic sets, huge values). */
  np?: 1;
}

export class Aggregate {
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  unit: MetricUnit = 'None';
  /**
   * CloudWatch gives no percentiles for a period holding negative values or statistic sets;
   * false once such data joined.
   */
  percentiles = true;
  /** Allocated once, kept across `reset()` so a reused aggregate does not allocate again. */
  #histogram: Histogram | undefined;
  /**
   * Whether `#histogram` holds this aggregate's values. It is filled only once two different
   * values arrived: counters (all ones) never need one, which keeps histogram work off the hot
   * path for Invocations, Errors and Throttles.
   */
  #live = false;
  /** A stored histogram not decoded yet (only percentiles need it). */
  #encoded: string | undefined;

  get empty(): boolean {
    return this.count === 0;
  }

  add(value: number, unit: MetricUnit, count = 1): void {
    this.unit = unit;
    if (this.count === 0) {
      this.count = count;
      this.sum = value * count;
      this.min = value;
      this.max = value;
      if (value < 0 || value > MAX_HISTOGRAM_VALUE) this.percentiles = false;
      return;
    }
    const representable = value >= 0 && value <= MAX_HISTOGRAM_VALUE;
    if (this.percentiles && representable && !this.#live && (value !== this.min || value !== this.max)) {
      this.#materialise();
    }
    this.count += count;
    this.sum += value * count;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (!representable) this.percentiles = false;
    if (this.percentiles && this.#live && this.#histogram) recordScaled(this.#histogram, value, count);
  }

  /** Adds a pre-aggregated set (PutMetricData StatisticValues): no percentiles from then on. */
  addSet(sampleCount: number, sum: number, min: number, max: number, unit: MetricUnit): void {
    this.unit = unit;
    this.count += sampleCount;
    this.sum += sum;
    if (min < this.min) this.min = min;
    if (max > this.max) this.max = max;
    this.percentiles = false;
  }

  merge(other: Aggregate): void {
    if (other.count === 0) return;
    const otherUniform = !other.#live && other.#encoded === undefined && other.min === other.max;
    const uniform =
      otherUniform &&
      (this.count === 0 ||
        (!this.#live && this.#encoded === undefined && this.min === this.max && this.min === other.min));
    const percentiles = (this.count === 0 || this.percentiles) && other.percentiles;
    if (percentiles && !uniform) {
      const own = this.count === 0 ? this.#emptyHistogram() : this.#materialise();
      own.add(other.#histogramView());
    }
    this.count += other.count;
    this.sum += other.sum;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    this.unit = other.unit;
    this.percentiles = percentiles;
  }

  /** The value below which `percentile` % of the values fall; undefined when unavailable. */
  percentile(percentile: number): number | undefined {
    if (this.count === 0 || !this.percentiles) return undefined;
    if (!this.#live && this.#encoded === undefined) return this.min;
    const value = valueAtPercentile(this.#materialise(), percentile);
    return Math.min(this.max, Math.max(this.min, value));
  }

  reset(): void {
    this.count = 0;
    this.sum = 0;
    this.min = Number.POSITIVE_INFINITY;
    this.max = Number.NEGATIVE_INFINITY;
    this.percentiles = true;
    this.#encoded = undefined;
    if (this.#live) this.#histogram?.reset();
    this.#live = false;
  }

  toStored(): StoredAggregate {
    const stored: StoredAggregate = { n: this.count, s: this.sum, lo: this.min, hi: this.max, u: this.unit };
    if (!this.percentiles) stored.np = 1;
    else if (this.#live && this.#histogram) stored.h = encodeHistogram(this.#histogram);
    else if (this.#encoded !== undefined) stored.h = this.#encoded;
    return stored;
  }

  static fromStored(stored: StoredAggregate): Aggregate {
    const aggregate = new Aggregate();
    aggregate.count = stored.n;
    aggregate.sum = stored.s;
    aggregate.min = stored.lo;
    aggregate.max = stored.hi;
    aggregate.unit = stored.u;
    aggregate.percentiles = stored.np !== 1;
    aggregate.#encoded = stored.h;
    return aggregate;
  }

  /** An empty histogram made live (for an aggregate with no values yet). */
  #emptyHistogram(): Histogram {
    const histogram = this.#histogram ?? newHistogram();
    if (this.#live) histogram.reset();
    this.#histogram = histogram;
    this.#live = true;
    return histogram;
  }

  /**
   * The histogram holding this aggregate's values, built on demand: decoded from storage, or
   * filled with the single value seen so far.
   */
  #materialise(): Histogram {
    if (this.#live && this.#histogram) return this.#histogram;
    if (this.#encoded !== undefined) {
      this.#histogram = decodeHistogram(this.#encoded);
      this.#encoded = undefined;
      this.#live = true;
      return this.#histogram;
    }
    const histogram = this.#emptyHistogram();
    if (this.count > 0) recordScaled(histogram, this.min, this.count);
    return histogram;
  }

  /** A histogram of this aggregate's values to merge elsewhere (a scratch one when uniform). */
  #histogramView(): Histogram {
    if (this.#live && this.#histogram) return this.#histogram;
    if (this.#encoded !== undefined) return this.#materialise();
    const scratch = newHistogram();
    recordScaled(scratch, this.min, this.count);
    return scratch;
  }
}
