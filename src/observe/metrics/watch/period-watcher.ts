/**
 * One `watch` subscription: aggregates the values of one series that arrive during each period
 * of the engine clock (periods aligned to multiples of `periodMs`), and emits the statistic when
 * the period closes. A period without values emits nothing, as CloudWatch has no datapoint then.
 * A single timer, armed only while the current period holds values.
 */
import type { Clock, TimerHandle } from '../../../clock.js';
import type { SeriesWatcher } from '../series/series.js';
import { Aggregate } from '../stats/aggregate.js';
import { type Statistic, statisticValue } from '../stats/statistic.js';
import type { MetricWatchPoint } from '../types.js';
import type { MetricUnit } from '../units.js';

export class PeriodWatcher implements SeriesWatcher {
  /** Reused period after period. */
  readonly #aggregate = new Aggregate();
  #periodStart = Number.NaN;
  #timer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly periodMs: number,
    private readonly statistic: Statistic,
    private readonly emit: (point: MetricWatchPoint) => void,
  ) {}

  add(value: number, unit: MetricUnit, count: number): void {
    this.#enter();
    this.#aggregate.add(value, unit, count);
  }

  addSet(sampleCount: number, sum: number, min: number, max: number, unit: MetricUnit): void {
    this.#enter();
    this.#aggregate.addSet(sampleCount, sum, min, max, unit);
  }

  stop(): void {
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Makes the aggregate the one of the current period, closing an earlier one first. */
  #enter(): void {
    const now = this.clock.now();
    const start = now - (now % this.periodMs);
    if (start === this.#periodStart) return;
    // A timer that has not fired yet (a late system timer): that period is over all the same.
    if (!this.#aggregate.empty) this.#close();
    this.#periodStart = start;
    this.#timer = this.clock.setTimeout(
      () => {
        this.#timer = undefined;
        this.#close();
      },
      start + this.periodMs - now,
    );
  }

  #close(): void {
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    const timestamp = this.#periodStart;
    this.#periodStart = Number.NaN;
    if (this.#aggregate.empty) return;
    const value = statisticValue(this.#aggregate, this.statistic);
    this.#aggregate.reset();
    if (value !== undefined) this.emit({ timestamp, value });
  }
}
