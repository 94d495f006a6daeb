/**
 * The AWS/Lambda metrics, fed from the events the engine already emits (reference §7.2):
 *
 * - Invocations, Errors, Duration, ConcurrentExecutions from each completed invocation, told by
 *   the runtime through {@link LambdaMetricsFeed.completed} (the facts of the
 *   `function.invocation.completed` event, with no event built: a function error, a timeout
 *   and a runtime exit all fail an invocation; a throttle never completes one), stamped with
 *   the invocation's start;
 * - Throttles from `function.throttled`;
 * - AsyncEventsReceived, AsyncEventAge, AsyncEventsDropped, DeadLetterErrors and
 *   DestinationDeliveryFailures from the push queue's `async.*` events;
 * - IteratorAge from the pollers' `mapping.batch.invoked`; DestinationDeliveryFailures also from
 *   `mapping.batch.givenUp`.
 *
 * A completed invocation's values are recorded after the I/O phase that completed it (a warm
 * invocation's caller has sent its next call by then, so the recording runs while the container
 * works on it), unless someone watches live (`datapoints$`, `watch`: recorded at once, as they
 * would see them). Everything that reads the aggregates settles the waiting ones first
 * ({@link LambdaMetricsFeed.settle}); they keep their own time stamps, so nothing read differs.
 *
 * Every metric has the FunctionName dimension; Invocations, Errors, Throttles, Duration and
 * ConcurrentExecutions also an engine-wide series without dimensions; IteratorAge also one per
 * mapping (FunctionName, EventSourceMappingUUID). Series are looked up once per function and
 * kept in arrays, so recording a value is a few field updates.
 */
import type { Observable, Subscription } from 'rxjs';
import type { EngineEventOf, EngineEventType } from '../../../events.js';
import type { MetricRecorder } from '../recorder.js';
import { LAMBDA_NAMESPACE } from '../series/identity.js';
import type { SeriesRegistry } from '../series/registry.js';
import type { Series } from '../series/series.js';
import type { MetricUnit } from '../units.js';

/** The metrics and their units, in the order of {@link M}. */
const METRICS = [
  ['Invocations', 'Count'],
  ['Errors', 'Count'],
  ['Throttles', 'Count'],
  ['Duration', 'Milliseconds'],
  ['ConcurrentExecutions', 'Count'],
  ['IteratorAge', 'Milliseconds'],
  ['AsyncEventsReceived', 'Count'],
  ['AsyncEventAge', 'Milliseconds'],
  ['AsyncEventsDropped', 'Count'],
  ['DeadLetterErrors', 'Count'],
  ['DestinationDeliveryFailures', 'Count'],
] as const satisfies ReadonlyArray<readonly [string, MetricUnit]>;

export type LambdaMetricName = (typeof METRICS)[number][0];

enum M {
  Invocations,
  Errors,
  Throttles,
  Duration,
  ConcurrentExecutions,
  IteratorAge,
  AsyncEventsReceived,
  AsyncEventAge,
  AsyncEventsDropped,
  DeadLetterErrors,
  DestinationDeliveryFailures,
}

const FED_BY = [
  'function.throttled',
  'async.enqueued',
  'async.attempt',
  'async.failed',
  'async.succeeded',
  'async.dead-letter-failed',
  'mapping.batch.invoked',
  'mapping.batch.givenUp',
] as const satisfies readonly EngineEventType[];

type FedBy = (typeof FED_BY)[number];

/** Where the feed reads engine events (the engine's EventHub). */
export interface LambdaEventSource {
  of$<K extends EngineEventType>(...types: K[]): Observable<EngineEventOf<K>>;
}

/** The series of one function (or the engine-wide ones), indexed by {@link M}. */
class SeriesSet {
  readonly slots: Array<Series | undefined> = [];
  constructor(readonly functionName: string | undefined) {}
}

export class LambdaMetricsFeed {
  readonly #global = new SeriesSet(undefined);
  readonly #byFunction = new Map<string, SeriesSet>();
  /** IteratorAge per mapping, by `uuid` NUL-joined with the function name. */
  readonly #byMapping = new Map<string, Series>();
  readonly #subscription: Subscription;
  /** Completed invocations not recorded yet: their function names, and five numbers each. */
  readonly #waitingNames: string[] = [];
  readonly #waiting: number[] = [];
  #settleScheduled = false;

  /**
   * `live`: whether someone watches values as they are recorded (they are then recorded at once);
   * `waiting`: told when values start waiting (the flusher arms its end-of-minute flush).
   */
  constructor(
    private readonly recorder: MetricRecorder,
    private readonly registry: SeriesRegistry,
    source: LambdaEventSource,
    private readonly live: () => boolean = () => true,
    private readonly waiting: () => void = () => {},
  ) {
    this.#subscription = source.of$(...FED_BY).subscribe((event) => this.#on(event));
  }

  close(): void {
    this.settle();
    this.#subscription.unsubscribe();
  }

  /** A completed invocation (the runtime's {@link InvocationListener}). */
  readonly completed = (
    functionName: string,
    startTime: number,
    durationMs: number,
    failed: boolean,
    concurrentExecutions: number,
    accountConcurrentExecutions: number,
  ): void => {
    this.#waitingNames.push(functionName);
    this.#waiting.push(
      startTime,
      durationMs,
      failed ? 1 : 0,
      concurrentExecutions,
      accountConcurrentExecutions,
    );
    // Watched live: recorded now, after any still waiting (their order kept).
    if (this.live()) this.settle();
    else if (!this.#settleScheduled) {
      this.#settleScheduled = true;
      setImmediate(this.settle);
      this.waiting();
    }
  };

  /** Records the completed invocations still waiting, in the order they completed. */
  readonly settle = (): void => {
    this.#settleScheduled = false;
    const names = this.#waitingNames;
    if (names.length === 0) return;
    const values = this.#waiting;
    for (let i = 0; i < names.length; i++) {
      const at = 5 * i;
      this.#completed(
        names[i] as string,
        values[at] as number,
        values[at + 1] as number,
        values[at + 2] === 1,
        values[at + 3] as number,
        values[at + 4] as number,
      );
    }
    names.length = 0;
    values.length = 0;
  };

  #completed(
    functionName: string,
    startTime: number,
    durationMs: number,
    failed: boolean,
    concurrentExecutions: number,
    accountConcurrentExecutions: number,
  ): void {
    const fn = this.#functionSeries(functionName);
    const global = this.#global;
    const recorder = this.recorder;
    // One minute lookup for the invocation's values, in the order single records would make.
    const minute = recorder.minuteOf(startTime);
    recorder.add(this.#series(fn, M.Invocations), minute, 1, 'Count', startTime);
    recorder.add(this.#series(global, M.Invocations), minute, 1, 'Count', startTime);
    if (failed) {
      recorder.add(this.#series(fn, M.Errors), minute, 1, 'Count', startTime);
      recorder.add(this.#series(global, M.Errors), minute, 1, 'Count', startTime);
    }
    recorder.add(this.#series(fn, M.Duration), minute, durationMs, 'Milliseconds', startTime);
    recorder.add(this.#series(global, M.Duration), minute, durationMs, 'Milliseconds', startTime);
    recorder.add(this.#series(fn, M.ConcurrentExecutions), minute, concurrentExecutions, 'Count', startTime);
    recorder.add(
      this.#series(global, M.ConcurrentExecutions),
      minute,
      accountConcurrentExecutions,
      'Count',
      startTime,
    );
  }

  #on(event: EngineEventOf<FedBy>): void {
    // Values keep the order they were made in (a new minute rolls the flusher once).
    if (this.#waitingNames.length > 0) this.settle();
    switch (event.type) {
      case 'function.throttled':
        this.#both(this.#functionSeries(event.functionName), M.Throttles, 1, event.time);
        return;
      case 'async.enqueued':
        this.#one(event.functionName, M.AsyncEventsReceived, 1, event.time);
        return;
      case 'async.attempt':
        // Only attempts that invoked the function have an age (not a missing function or a denial).
        if (event.outcome === 'success' || event.outcome === 'function-error') {
          this.#one(event.functionName, M.AsyncEventAge, event.eventAgeMs, event.time);
        }
        return;
      case 'async.failed':
        this.#one(event.functionName, M.AsyncEventsDropped, 1, event.time);
        if (event.destinationError !== undefined)
          this.#one(event.functionName, M.DestinationDeliveryFailures, 1, event.time);
        return;
      case 'async.succeeded':
        if (event.destinationError !== undefined)
          this.#one(event.functionName, M.DestinationDeliveryFailures, 1, event.time);
        return;
      case 'async.dead-letter-failed':
        this.#one(event.functionName, M.DeadLetterErrors, 1, event.time);
        return;
      case 'mapping.batch.invoked':
        this.#one(event.functionName, M.IteratorAge, event.iteratorAgeMs, event.time);
        this.#record(
          this.#mappingSeries(event.functionName, event.uuid),
          event.iteratorAgeMs,
          M.IteratorAge,
          event.time,
        );
        return;
      case 'mapping.batch.givenUp':
        if (event.destinationError !== undefined)
          this.#one(event.functionName, M.DestinationDeliveryFailures, 1, event.time);
        return;
    }
  }

  /** The function's series and the engine-wide one. */
  #both(fn: SeriesSet, metric: M, value: number, at: number): void {
    this.#record(this.#series(fn, metric), value, metric, at);
    this.#record(this.#series(this.#global, metric), value, metric, at);
  }

  #one(functionName: string, metric: M, value: number, at: number): void {
    this.#record(this.#series(this.#functionSeries(functionName), metric), value, metric, at);
  }

  #record(series: Series, value: number, metric: M, at: number): void {
    this.recorder.record(series, value, unitOf(metric), at);
  }

  #functionSeries(functionName: string): SeriesSet {
    let set = this.#byFunction.get(functionName);
    if (set === undefined) {
      set = new SeriesSet(functionName);
      this.#byFunction.set(functionName, set);
    }
    return set;
  }

  #series(set: SeriesSet, metric: M): Series {
    let series = set.slots[metric];
    if (series === undefined) {
      const { functionName } = set;
      series = this.registry.get(
        LAMBDA_NAMESPACE,
        nameOf(metric),
        functionName === undefined ? [] : [{ name: 'FunctionName', value: functionName }],
      );
      set.slots[metric] = series;
    }
    return series;
  }

  #mappingSeries(functionName: string, uuid: string): Series {
    const key = `${uuid}\0${functionName}`;
    let series = this.#byMapping.get(key);
    if (series === undefined) {
      series = this.registry.get(LAMBDA_NAMESPACE, 'IteratorAge', [
        { name: 'FunctionName', value: functionName },
        { name: 'EventSourceMappingUUID', value: uuid },
      ]);
      this.#byMapping.set(key, series);
    }
    return series;
  }
}

function nameOf(metric: M): LambdaMetricName {
  return (METRICS[metric] as (typeof METRICS)[number])[0];
}

function unitOf(metric: M): MetricUnit {
  return (METRICS[metric] as (typeof METRICS)[number])[1];
}
