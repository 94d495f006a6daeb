import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { filter } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type Engine, ManualClock, type MetricDatum, type MetricDimension } from '../../../src/index.js';
import { collect, nextEvent, openEngine } from '../../helpers/engines.js';
import { expectCode } from '../../helpers/errors.js';
import { createFixture } from '../../helpers/functions.js';
import { checkpointed, e2e, pullFunction } from '../../helpers/pull-e2e.js';

const T0 = Date.UTC(2026, 0, 1);
const fn = (name: string): MetricDimension[] => [{ name: 'FunctionName', value: name }];

/** Sum and Maximum of an AWS/Lambda metric over the first `minutes` minutes from T0. */
async function total(engine: Engine, metricName: string, dimensions: MetricDimension[] = [], minutes = 60) {
  const { datapoints } = await engine.metrics.getStatistics({
    metricName,
    dimensions,
    startTime: T0,
    endTime: T0 + minutes * 60_000,
    periodMs: minutes * 60_000,
    statistics: ['Sum', 'Maximum', 'SampleCount'],
  });
  const [point] = datapoints;
  return {
    sum: point?.sum ?? 0,
    maximum: point?.maximum,
    samples: point?.sampleCount ?? 0,
    unit: point?.unit,
  };
}

describe('AWS/Lambda metrics', () => {
  it('counts a burst of hundreds of concurrent Event invocations exactly, per function and engine-wide', async () => {
    const clock = new ManualClock(T0);
    const engine = await openEngine('memory', { clock, asyncInvocation: { maxConcurrencyPerFunction: 4 } });
    await createFixture(engine, 'burst', 'gate.handler');
    const done = collect(engine.eventsOf$('async.succeeded'), 200, () => true, 60_000);
    await Promise.all(Array.from({ length: 200 }, (_, n) => engine.functions.invokeAsync('burst', { n })));
    await done;
    expect(await total(engine, 'Invocations', fn('burst'))).toMatchObject({ sum: 200, unit: 'Count' });
    expect(await total(engine, 'Invocations')).toMatchObject({ sum: 200 });
    expect(await total(engine, 'AsyncEventsReceived', fn('burst'))).toMatchObject({ sum: 200 });
    expect(await total(engine, 'Errors', fn('burst'))).toMatchObject({ sum: 0, samples: 0 });
    expect(await total(engine, 'Throttles')).toMatchObject({ samples: 0 });
    const duration = await total(engine, 'Duration', fn('burst'));
    expect(duration).toMatchObject({ samples: 200, unit: 'Milliseconds' });
    const concurrency = await total(engine, 'ConcurrentExecutions', fn('burst'));
    expect(concurrency.maximum).toBeGreaterThanOrEqual(1);
    expect(concurrency.maximum).toBeLessThanOrEqual(4);
  }, 60_000);

  it('counts throttles in Throttles only and function errors, timeouts and runtime exits in Errors', async () => {
    const clock = new ManualClock(T0);
    const engine = await openEngine('memory', { clock });
    await createFixture(engine, 'ok', 'gate.handler');
    await createFixture(engine, 'throws', 'faults.throws');
    await createFixture(engine, 'exits', 'faults.exits');
    await createFixture(engine, 'hangs', 'faults.hangs', { timeoutSec: 1 });
    await createFixture(engine, 'closed', 'gate.handler', { reservedConcurrency: 0 });

    await engine.functions.invoke('ok', { n: 1 });
    await engine.functions.invoke('ok', { n: 2 });
    expect((await engine.functions.invoke('throws', {})).functionError).toBe('Unhandled');
    expect((await engine.functions.invoke('exits', {})).functionError).toBe('Unhandled');
    const started = nextEvent(engine, 'function.invocation.started', (e) => e.functionName === 'hangs');
    const hanging = engine.functions.invoke('hangs', {});
    await started;
    clock.advance(1000);
    expect((await hanging).functionError).toBe('Unhandled');
    for (let i = 0; i < 3; i++)
      await expectCode(engine.functions.invoke('closed', {}), 'TooManyRequestsException');

    expect(await total(engine, 'Invocations')).toMatchObject({ sum: 5 });
    expect(await total(engine, 'Errors')).toMatchObject({ sum: 3 });
    expect(await total(engine, 'Throttles')).toMatchObject({ sum: 3 });
    expect(await total(engine, 'Errors', fn('hangs'))).toMatchObject({ sum: 1 });
    expect(await total(engine, 'Errors', fn('ok'))).toMatchObject({ samples: 0 });
    expect(await total(engine, 'Throttles', fn('closed'))).toMatchObject({ sum: 3 });
    expect(await total(engine, 'Invocations', fn('closed'))).toMatchObject({ samples: 0 });
    expect(await total(engine, 'Errors', fn('closed'))).toMatchObject({ samples: 0 });
    // The timed-out run lasted its timeout.
    expect((await total(engine, 'Duration', fn('hangs'))).maximum).toBeGreaterThanOrEqual(1000);
  });

  it('follows an Event invocation through its retries to the dead-letter store', async () => {
    const clock = new ManualClock(T0);
    const engine = await openEngine('memory', { clock });
    await createFixture(engine, 'failing', 'faults.throws');
    const failed = nextEvent(engine, 'async.failed', () => true, 20_000);
    await engine.functions.invokeAsync('failing', {});
    let waited = 0;
    for (let retry = 0; retry < 2; retry++) {
      const scheduled = await nextEvent(engine, 'async.retry-scheduled', () => true, 20_000);
      waited += scheduled.delayMs;
      clock.advance(scheduled.delayMs);
    }
    expect(await failed).toMatchObject({ destination: 'dead-letter', attempts: 3 });
    const one = fn('failing');
    expect(await total(engine, 'AsyncEventsReceived', one)).toMatchObject({ sum: 1 });
    expect(await total(engine, 'Invocations', one)).toMatchObject({ sum: 3 });
    expect(await total(engine, 'Errors', one)).toMatchObject({ sum: 3 });
    expect(await total(engine, 'AsyncEventsDropped', one)).toMatchObject({ sum: 1 });
    expect(await total(engine, 'AsyncEventAge', one)).toMatchObject({
      samples: 3,
      maximum: waited,
      unit: 'Milliseconds',
    });
    expect(await total(engine, 'DeadLetterErrors', one)).toMatchObject({ samples: 0 });
    expect(await total(engine, 'DestinationDeliveryFailures', one)).toMatchObject({ samples: 0 });
  }, 30_000);

  it('shows IteratorAge rising while a shard is blocked by a failing function and falling once it recovers', async () => {
    const h = await e2e();
    const stream = await h.engine.streams.create('orders', { shardCount: 1 });
    const flag = join(h.dir, 'flag');
    await pullFunction(h, 'consumer', 'poisonUntilFlag', { FLAG: flag });
    const { uuid } = await h.engine.mappings.create({
      functionName: 'consumer',
      eventSourceArn: stream.streamArn,
      startingPosition: 'TRIM_HORIZON',
      batchSize: 1,
    });
    const dims = [...fn('consumer'), { name: 'EventSourceMappingUUID', value: uuid }];
    const ages: number[] = [];
    const sub = h.engine.metrics.datapoints$
      .pipe(filter((d: MetricDatum) => d.metricName === 'IteratorAge' && d.dimensions.length === 2))
      .subscribe((d) => {
        expect(d.dimensions).toEqual([dims[1], dims[0]]);
        ages.push(d.value);
      });
    await h.engine.streams.putRecord('orders', { partitionKey: 'k', data: 'poison' });
    for (let i = 1; i <= 3; i++) {
      const failed = await h.events.wait('mapping.batch.failed', () => true, i);
      h.clock.advance(failed.delayMs);
    }
    const last = await h.events.wait('mapping.batch.failed', () => true, 4);
    writeFileSync(flag, '');
    const recovered = h.events.wait('mapping.batch.succeeded', () => true, 1, 20_000);
    h.clock.advance(last.delayMs);
    await recovered;
    const fresh = await h.engine.streams.putRecord('orders', { partitionKey: 'k', data: 'fresh' });
    await checkpointed(h, uuid, fresh.shardId, fresh.sequenceNumber);
    sub.unsubscribe();
    const blocked = ages.slice(0, 5);
    expect(blocked[0]).toBe(0);
    for (let i = 1; i < blocked.length; i++) expect(blocked[i]).toBeGreaterThan(blocked[i - 1] ?? 0);
    expect(ages.at(-1)).toBe(0);
    const stats = await total(h.engine, 'IteratorAge', dims);
    expect(stats.maximum).toBe(Math.max(...ages));
    expect(stats.unit).toBe('Milliseconds');
  }, 30_000);
});
