import { filter, type Observable, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import type { EngineEvent, EngineEventOf, EngineEventType } from '../../../src/events.js';
import type { MetricDatum } from '../../../src/index.js';
import { MetricRecorder } from '../../../src/observe/metrics/recorder.js';
import { SeriesRegistry } from '../../../src/observe/metrics/series/registry.js';
import { LambdaMetricsFeed } from '../../../src/observe/metrics/sources/lambda-feed.js';

/** A scripted event source: tests push the events the engine would emit. */
class FakeEvents {
  readonly subject = new Subject<EngineEvent>();
  of$<K extends EngineEventType>(...types: K[]): Observable<EngineEventOf<K>> {
    return this.subject.pipe(filter((e): e is EngineEventOf<K> => (types as string[]).includes(e.type)));
  }
  emit(event: EngineEvent): void {
    this.subject.next(event);
  }
}

function setUp() {
  const clock = new ManualClock(0);
  const registry = new SeriesRegistry();
  const recorder = new MetricRecorder(clock, {
    dirty: (s) => {
      s.dirty = true;
    },
    roll: () => {},
  });
  const events = new FakeEvents();
  const feed = new LambdaMetricsFeed(recorder, registry, events);
  const data: MetricDatum[] = [];
  recorder.datapoints$.subscribe((d) => data.push(d));
  const names = () =>
    data.map((d) => `${d.metricName}${d.dimensions.map((x) => `:${x.value}`).join('')}=${d.value}`);
  return { events, feed, names };
}

describe('the AWS/Lambda feed', () => {
  it('counts failed dead-letter writes and refused destinations of both paths', () => {
    const { events, names } = setUp();
    events.emit({
      type: 'async.dead-letter-failed',
      time: 1,
      requestId: 'r1',
      functionName: 'f',
      message: 'disk full',
    });
    events.emit({
      type: 'async.failed',
      time: 2,
      requestId: 'r2',
      functionName: 'f',
      condition: 'RetriesExhausted',
      attempts: 3,
      destination: 'dead-letter',
      destinationError: 'no such stream',
    });
    events.emit({
      type: 'async.succeeded',
      time: 3,
      requestId: 'r3',
      functionName: 'f',
      attempts: 1,
      destination: 'arn',
      destinationError: 'refused',
    });
    events.emit({
      type: 'mapping.batch.givenUp',
      time: 4,
      uuid: 'u',
      functionName: 'g',
      shardId: 's',
      size: 1,
      firstSequenceNumber: '1',
      lastSequenceNumber: '1',
      condition: 'RetryAttemptsExhausted',
      destination: 'arn',
      destinationError: 'refused',
    });
    expect(names()).toEqual([
      'DeadLetterErrors:f=1',
      'AsyncEventsDropped:f=1',
      'DestinationDeliveryFailures:f=1',
      'DestinationDeliveryFailures:f=1',
      'DestinationDeliveryFailures:g=1',
    ]);
  });

  it('never counts a throttle as an invocation and stamps invocations with their start', () => {
    const { events, names } = setUp();
    events.emit({
      type: 'function.throttled',
      time: 5,
      functionName: 'f',
      requestId: 'r',
      reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
    });
    expect(names()).toEqual(['Throttles:f=1', 'Throttles=1']);
  });
});
