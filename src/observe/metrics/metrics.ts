/**
 * `engine.metrics`: CloudWatch-style metrics of the engine. The facade validates and delegates;
 * the parts are the recorder (hot path, in memory), the feeds (AWS/Lambda metrics from engine
 * events, Embedded Metric Format from log lines), the minute flusher and retention sweeper over
 * the rollup store, and the read operations.
 *
 * @example
 * engine.metrics
 *   .watch({ metricName: 'Duration', dimensions: [{ name: 'FunctionName', value: 'resize' }], stat: 'p99' })
 *   .pipe(filter((point) => point.value > 500))
 *   .subscribe((point) => alert(`p99 ${point.value} ms in the minute from ${new Date(point.timestamp)}`));
 */
import { defer, Observable, type Subscriber } from 'rxjs';
import type { Clock } from '../../clock.js';
import type { Lifecycle } from '../../context.js';
import type { EventHub } from '../../events.js';
import type { InvocationListener, PrintedLineListener } from '../../runtime/log-sink.js';
import type { Storage } from '../../storage/storage.js';
import type { SharedFeed } from '../shared-feed.js';
import { prometheusText } from './exposition/prometheus.js';
import { getStatistics } from './operations/get-statistics.js';
import { listMetrics } from './operations/list-metrics.js';
import { putMetricData } from './operations/put-metric-data.js';
import { checkDimensions, checkName, checkObject, invalid } from './operations/validate.js';
import type { MetricsOptions } from './options.js';
import { MetricRecorder } from './recorder.js';
import { MinuteFlusher } from './rollup/flusher.js';
import { RetentionSweeper } from './rollup/retention.js';
import { applyShared } from './rollup/shared.js';
import { RollupStore } from './rollup/store.js';
import { LAMBDA_NAMESPACE } from './series/identity.js';
import { SeriesRegistry } from './series/registry.js';
import { EmfFeed } from './sources/emf-feed.js';
import { LambdaMetricsFeed } from './sources/lambda-feed.js';
import { parseStatistic } from './stats/statistic.js';
import type {
  GetMetricStatisticsInput,
  GetMetricStatisticsResult,
  ListMetricsInput,
  ListMetricsResult,
  MetricDataInput,
  MetricDatum,
  MetricWatchPoint,
  WatchMetricInput,
} from './types.js';
import { PeriodWatcher } from './watch/period-watcher.js';

const DAY_MS = 24 * 3600_000;
const DEFAULT_PERIOD_MS = 60_000;
const MIN_PERIOD_MS = 1000;

/** What the metrics part is built with. */
export interface MetricsDeps {
  storage: Storage;
  clock: Clock;
  /** Engine events: the feeds read them, the flusher reports on them. */
  events: EventHub;
  lifecycle: Lifecycle;
  options: Readonly<MetricsOptions>;
  /**
   * A clustered backend's feed: flushed minutes are published to it and the other processes'
   * are copied from it, so the read operations answer for every process. Absent: this one only.
   */
  feed?: SharedFeed;
}

export class Metrics {
  readonly #clock: Clock;
  readonly #lifecycle: Lifecycle;
  readonly #registry = new SeriesRegistry();
  readonly #store: RollupStore;
  readonly #retention: RetentionSweeper;
  readonly #flusher: MinuteFlusher;
  readonly #recorder: MetricRecorder;
  /** Absent when `metrics.enabled` is false: nothing then observes engine events for metrics. */
  readonly #lambda: LambdaMetricsFeed | undefined;
  readonly #emf: EmfFeed | undefined;
  /** Subscribers of `watch`, completed on close. */
  readonly #watching = new Set<Subscriber<MetricWatchPoint>>();
  readonly #feed: SharedFeed | undefined;
  /** Stops copying the other processes' minutes (with a feed). */
  #unfollow: (() => Promise<void>) | undefined;

  private constructor(deps: MetricsDeps, store: RollupStore) {
    this.#clock = deps.clock;
    this.#lifecycle = deps.lifecycle;
    this.#store = store;
    this.#retention = new RetentionSweeper(deps.clock, store, deps.options.retentionDays * DAY_MS);
    this.#feed = deps.feed;
    this.#flusher = new MinuteFlusher(
      deps.storage,
      store,
      deps.events,
      this.#retention,
      deps.feed && { feed: deps.feed, clock: deps.clock },
      () => this.#lambda?.settle(),
    );
    this.#recorder = new MetricRecorder(deps.clock, this.#flusher);
    if (deps.options.enabled) {
      const recorder = this.#recorder;
      const watching = this.#watching;
      const flusher = this.#flusher;
      this.#lambda = new LambdaMetricsFeed(
        recorder,
        this.#registry,
        deps.events,
        () => recorder.observed || watching.size > 0,
        () => flusher.expect(),
      );
      this.#emf = new EmfFeed(this.#recorder, this.#registry);
    }
  }

  /** Loads the series index and starts feeding from engine events. */
  static async open(deps: MetricsDeps): Promise<Metrics> {
    const store = await RollupStore.open(deps.storage);
    const metrics = new Metrics(deps, store);
    void metrics.#retention.start();
    const retention = metrics.#retention;
    metrics.#unfollow = deps.feed?.follow((delivery) =>
      applyShared(deps.storage, store, retention, retention.cutoff(), delivery),
    );
    return metrics;
  }

  /** @internal where the runtime tells completed invocations; undefined when off. */
  get invocations(): InvocationListener | undefined {
    return this.#lambda;
  }

  /** @internal where the runtime hands the lines functions print (EMF); undefined when off. */
  get printedLines(): PrintedLineListener | undefined {
    return this.#emf?.line;
  }

  /** Every raw value as it is recorded (statistic sets of putMetricData excepted). */
  get datapoints$(): Observable<MetricDatum> {
    // Values of invocations completed before the subscription are not its to see: settled first.
    return defer(() => {
      this.#lambda?.settle();
      return this.#recorder.datapoints$;
    });
  }

  /**
   * One `{ timestamp, value }` per closed period of the engine clock (periods aligned to
   * multiples of `periodMs`, default 60 000, at least 1 000), for values arriving during it.
   * A period without values emits nothing.
   */
  watch(input: WatchMetricInput): Observable<MetricWatchPoint> {
    checkObject(input, 'input');
    const metricName = checkName(input.metricName, 'metricName') as string;
    const namespace = checkName(input.namespace ?? LAMBDA_NAMESPACE, 'namespace') as string;
    const dimensions = checkDimensions(input.dimensions, 'dimensions');
    const statistic = parseStatistic(input.stat, 'stat');
    const periodMs = input.periodMs ?? DEFAULT_PERIOD_MS;
    if (typeof periodMs !== 'number' || !Number.isInteger(periodMs) || periodMs < MIN_PERIOD_MS) {
      throw invalid(
        `periodMs must be a whole number of milliseconds, ${MIN_PERIOD_MS} or more, got ${JSON.stringify(periodMs)}`,
      );
    }
    return new Observable<MetricWatchPoint>((subscriber) => {
      // Values of invocations completed before the subscription belong to no period of it.
      this.#lambda?.settle();
      const series = this.#registry.get(namespace, metricName, dimensions);
      const watcher = new PeriodWatcher(this.#clock, periodMs, statistic, (point) => subscriber.next(point));
      series.watchers = [...series.watchers, watcher];
      this.#watching.add(subscriber);
      return () => {
        this.#watching.delete(subscriber);
        watcher.stop();
        series.watchers = series.watchers.filter((w) => w !== watcher);
      };
    });
  }

  /**
   * GetMetricStatistics over the persisted one-minute rollup and the minutes in memory; on a
   * clustered backend also over the closed minutes of the other engine processes.
   */
  getStatistics(input: GetMetricStatisticsInput): Promise<GetMetricStatisticsResult> {
    this.#lifecycle.assertOpen();
    const read = (): Promise<GetMetricStatisticsResult> => {
      this.#lambda?.settle();
      return getStatistics(
        { registry: this.#registry, store: this.#store, flusher: this.#flusher, retention: this.#retention },
        input,
      );
    };
    return this.#feed ? this.#feed.caughtUp().then(read) : read();
  }

  /** ListMetrics: metrics with data within the retention (of every process on a clustered backend). */
  async list(input: ListMetricsInput = {}): Promise<ListMetricsResult> {
    this.#lifecycle.assertOpen();
    await this.#feed?.caughtUp();
    this.#lambda?.settle();
    return listMetrics({ registry: this.#registry, store: this.#store, retention: this.#retention }, input);
  }

  /** PutMetricData: custom metrics in a namespace of the caller's (not `AWS/...`). */
  async putMetricData(namespace: string, data: readonly MetricDataInput[]): Promise<void> {
    this.#lifecycle.assertOpen();
    this.#lambda?.settle();
    putMetricData(this.#recorder, this.#registry, namespace, data);
  }

  /** The Prometheus text exposition of every series recorded since the engine opened. */
  prometheus(): string {
    this.#lambda?.settle();
    return prometheusText(this.#registry);
  }

  /** @internal close hook: persists every open minute, stops the timers and the feeds. */
  async close(): Promise<void> {
    this.#lambda?.close();
    await this.#flusher.close();
    await this.#unfollow?.();
    await this.#retention.close();
    this.#recorder.complete();
    for (const subscriber of [...this.#watching]) subscriber.complete();
  }
}
