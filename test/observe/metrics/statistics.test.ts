import { describe, expect, it } from 'vitest';
import { createEngine, ManualClock, type MetricWatchPoint } from '../../../src/index.js';
import { nextEvent, onCleanup, openEngine, tempDir } from '../../helpers/engines.js';
import { expectCode, expectCodeSync } from '../../helpers/errors.js';

const T0 = Date.UTC(2026, 0, 1);

describe('putMetricData and getStatistics', () => {
  it('answers counts, sums, averages, extremes and percentiles per period across minute boundaries', async () => {
    const clock = new ManualClock(T0);
    const engine = await openEngine('memory', { clock });
    // Minute 0: 1..100; minute 1: 1000 (x2); minute 2: nothing; minute 3: 5.
    await engine.metrics.putMetricData('App', [
      { metricName: 'Latency', unit: 'Milliseconds', values: Array.from({ length: 100 }, (_, i) => i + 1) },
    ]);
    clock.advance(60_000);
    await engine.metrics.putMetricData('App', [{ metricName: 'Latency', unit: 'Milliseconds', value: 1000 }]);
    await engine.metrics.putMetricData('App', [
      { metricName: 'Latency', unit: 'Milliseconds', value: 1000, timestamp: T0 + 119_999 },
    ]);
    clock.advance(120_000);
    await engine.metrics.putMetricData('App', [{ metricName: 'Latency', unit: 'Milliseconds', value: 5 }]);

    const perMinute = await engine.metrics.getStatistics({
      namespace: 'App',
      metricName: 'Latency',
      startTime: T0,
      endTime: T0 + 240_000,
      periodMs: 60_000,
      extendedStatistics: ['p50', 'p99', 'p100'],
      statistics: ['SampleCount', 'Sum', 'Average', 'Minimum', 'Maximum'],
    });
    expect(perMinute.label).toBe('Latency');
    expect(perMinute.datapoints.map((d) => d.timestamp)).toEqual([T0, T0 + 60_000, T0 + 180_000]);
    const [first, second, fourth] = perMinute.datapoints;
    expect(first).toMatchObject({
      sampleCount: 100,
      sum: 5050,
      average: 50.5,
      minimum: 1,
      maximum: 100,
      unit: 'Milliseconds',
    });
    expect(first?.extendedStatistics?.p50).toBeCloseTo(50, -0.5);
    expect(first?.extendedStatistics?.p99).toBeCloseTo(99, -0.5);
    expect(first?.extendedStatistics?.p100).toBe(100);
    expect(second).toMatchObject({
      sampleCount: 2,
      sum: 2000,
      average: 1000,
      extendedStatistics: { p50: 1000, p99: 1000 },
    });
    expect(fourth).toMatchObject({ sampleCount: 1, sum: 5 });

    const twoMinutes = await engine.metrics.getStatistics({
      namespace: 'App',
      metricName: 'Latency',
      startTime: T0,
      endTime: T0 + 240_000,
      periodMs: 120_000,
      statistics: ['SampleCount', 'Maximum'],
      extendedStatistics: ['p99'],
    });
    expect(twoMinutes.datapoints).toHaveLength(2);
    expect(twoMinutes.datapoints[0]).toMatchObject({ timestamp: T0, sampleCount: 102, maximum: 1000 });
    expect(twoMinutes.datapoints[0]?.extendedStatistics?.p99).toBe(1000);
    expect(twoMinutes.datapoints[1]).toMatchObject({ timestamp: T0 + 120_000, sampleCount: 1, maximum: 5 });
  });
});

describe('watch', () => {
  it('emits one statistic per closed period of the engine clock and nothing for a period without data', async () => {
    const clock = new ManualClock(T0);
    const engine = await openEngine('memory', { clock });
    const sums: MetricWatchPoint[] = [];
    const p99s: MetricWatchPoint[] = [];
    const sub = engine.metrics
      .watch({ namespace: 'App', metricName: 'Orders', stat: 'Sum', periodMs: 1000 })
      .subscribe((p) => sums.push(p));
    const sub99 = engine.metrics
      .watch({ namespace: 'App', metricName: 'Orders', stat: 'p99', periodMs: 1000 })
      .subscribe((p) => p99s.push(p));
    const put = (value: number) => engine.metrics.putMetricData('App', [{ metricName: 'Orders', value }]);
    await put(2);
    clock.advance(500);
    await put(3);
    clock.advance(600); // 1 100 ms: the first period closed
    await put(10);
    clock.advance(2000); // second period closed, third had nothing
    await put(1);
    expect(sums).toEqual([
      { timestamp: T0, value: 5 },
      { timestamp: T0 + 1000, value: 10 },
    ]);
    expect(p99s).toEqual([
      { timestamp: T0, value: 3 },
      { timestamp: T0 + 1000, value: 10 },
    ]);
    clock.advance(1000);
    expect(sums.at(-1)).toEqual({ timestamp: T0 + 3000, value: 1 });
    sub.unsubscribe();
    sub99.unsubscribe();
    expect(clock.pendingTimers).toBe(0); // watch timers end with their subscription; metrics hold none
  });

  it('completes watch subscriptions when the engine closes', async () => {
    const engine = await openEngine('memory');
    let completed = false;
    engine.metrics
      .watch({ metricName: 'Duration', stat: 'Maximum' })
      .subscribe({ complete: () => (completed = true) });
    await engine.close();
    expect(completed).toBe(true);
  });

  it('refuses an unknown statistic or a period under a second', async () => {
    const engine = await openEngine('memory');
    expectCodeSync(
      () => engine.metrics.watch({ metricName: 'Duration', stat: 'Median' as 'Sum' }),
      'InvalidParameterValue',
      /Median/,
    );
    expectCodeSync(
      () => engine.metrics.watch({ metricName: 'Duration', stat: 'p101' as 'Sum' }),
      'InvalidParameterValue',
      /p101/,
    );
    expectCodeSync(
      () => engine.metrics.watch({ metricName: 'Duration', stat: 'Sum', periodMs: 999 }),
      'InvalidParameterValue',
      /999/,
    );
  });
});

describe('validation', () => {
  it('refuses bad metric data like CloudWatch and records nothing of the call', async () => {
    const clock = new ManualClock(T0);
    const engine = await openEngine('memory', { clock });
    await expectCode(
      engine.metrics.putMetricData('AWS/Lambda', [{ metricName: 'X', value: 1 }]),
      'InvalidParameterValue',
      /AWS\/Lambda/,
    );
    await expectCode(engine.metrics.putMetricData('App', []), 'InvalidParameterValue', /metricData/);
    await expectCode(
      engine.metrics.putMetricData('App', [
        { metricName: 'Good', value: 1 },
        { metricName: 'Bad', value: 1, values: [1] },
      ]),
      'InvalidParameterCombination',
      /metricData\[1\]/,
    );
    await expectCode(
      engine.metrics.putMetricData('App', [{ metricName: 'X', value: Number.NaN }]),
      'InvalidParameterValue',
      /value/,
    );
    await expectCode(
      engine.metrics.putMetricData('App', [{ metricName: 'X', value: 1, unit: 'Parsecs' as 'Count' }]),
      'InvalidParameterValue',
      /Parsecs/,
    );
    await expectCode(
      engine.metrics.putMetricData('App', [{ metricName: 'X', value: 1, timestamp: T0 - 15 * 86_400_000 }]),
      'InvalidParameterValue',
      /two weeks/,
    );
    await expectCode(
      engine.metrics.putMetricData('App', [
        {
          metricName: 'X',
          value: 1,
          dimensions: [
            { name: 'A', value: '1' },
            { name: 'A', value: '2' },
          ],
        },
      ]),
      'InvalidParameterValue',
      /twice/,
    );
    await expectCode(
      engine.metrics.putMetricData('App', [{ metricName: 'X', values: [1, 2], counts: [1] }]),
      'InvalidParameterCombination',
      /counts/,
    );
    expect((await engine.metrics.list({ namespace: 'App' })).metrics).toEqual([]);

    const base = { metricName: 'X', namespace: 'App', startTime: T0, endTime: T0 + 60_000 };
    await expectCode(
      engine.metrics.getStatistics({ ...base, periodMs: 30_000 }),
      'InvalidParameterValue',
      /60000/,
    );
    await expectCode(
      engine.metrics.getStatistics({ ...base, endTime: T0 + 1441 * 60_000, periodMs: 60_000 }),
      'InvalidParameterCombination',
      /1440/,
    );
    await expectCode(
      engine.metrics.getStatistics({ ...base, periodMs: 60_000, extendedStatistics: ['p999'] }),
      'InvalidParameterValue',
      /p999/,
    );
    await expectCode(
      engine.metrics.getStatistics({ ...base, periodMs: 60_000, statistics: [] }),
      'MissingParameter',
    );
  });

  it('validates the retention option', async () => {
    await expectCode(createEngine({ metrics: { retentionDays: 0 } }), 'InvalidArgument', /retentionDays/);
  });
});

describe('list', () => {
  it('lists metrics by namespace, name and dimension filters', async () => {
    const engine = await openEngine('memory');
    await engine.metrics.putMetricData('Shop', [
      { metricName: 'Orders', value: 1, dimensions: [{ name: 'Region', value: 'eu' }] },
      {
        metricName: 'Orders',
        value: 1,
        dimensions: [
          { name: 'Region', value: 'us' },
          { name: 'Tier', value: 'gold' },
        ],
      },
      { metricName: 'Refunds', value: 1 },
    ]);
    const names = async (input: Parameters<typeof engine.metrics.list>[0]) =>
      (await engine.metrics.list(input)).metrics.map(
        (m) => `${m.metricName}${m.dimensions.map((d) => `:${d.name}=${d.value}`).join('')}`,
      );
    expect(await names({ namespace: 'Shop' })).toEqual([
      'Orders:Region=eu',
      'Orders:Region=us:Tier=gold',
      'Refunds',
    ]);
    expect(await names({ namespace: 'Shop', dimensions: [{ name: 'Tier' }] })).toEqual([
      'Orders:Region=us:Tier=gold',
    ]);
    expect(await names({ dimensions: [{ name: 'Region', value: 'eu' }] })).toEqual(['Orders:Region=eu']);
    expect(await names({ metricName: 'Refunds' })).toEqual(['Refunds']);
  });
});

describe('history', () => {
  it('keeps the rollup across close and reopen, percentiles included', async () => {
    const location = await tempDir();
    const clock = new ManualClock(T0);
    const first = await createEngine({ location, clock });
    await first.metrics.putMetricData('App', [
      { metricName: 'Size', unit: 'Bytes', values: [10, 20, 30, 40] },
    ]);
    clock.advance(60_000);
    await first.metrics.putMetricData('App', [{ metricName: 'Size', unit: 'Bytes', values: [100] }]);
    await first.close();

    const second = await createEngine({ location, clock: new ManualClock(T0 + 120_000) });
    onCleanup(() => second.close());
    const stats = await second.metrics.getStatistics({
      namespace: 'App',
      metricName: 'Size',
      startTime: T0,
      endTime: T0 + 120_000,
      periodMs: 60_000,
      statistics: ['SampleCount', 'Sum'],
      extendedStatistics: ['p50'],
    });
    expect(stats.datapoints).toEqual([
      {
        timestamp: T0,
        sampleCount: 4,
        sum: 100,
        unit: 'Bytes',
        extendedStatistics: { p50: expect.closeTo(20, 0) },
      },
      { timestamp: T0 + 60_000, sampleCount: 1, sum: 100, unit: 'Bytes', extendedStatistics: { p50: 100 } },
    ]);
    expect((await second.metrics.list({ namespace: 'App' })).metrics).toEqual([
      { namespace: 'App', metricName: 'Size', dimensions: [] },
    ]);
  });

  it('drops minutes older than the retention on the engine clock', async () => {
    const location = await tempDir();
    const clock = new ManualClock(T0);
    const engine = await createEngine({ location, clock, metrics: { retentionDays: 1 } });
    await engine.metrics.putMetricData('App', [{ metricName: 'Old', value: 1 }]);
    clock.advance(12 * 3600_000);
    // The first value of a later minute has the earlier minutes written.
    const flushed = nextEvent(engine, 'metrics.flushed');
    await engine.metrics.putMetricData('App', [{ metricName: 'Young', value: 1 }]);
    expect(await flushed).toMatchObject({ firstMinute: T0, lastMinute: T0 });
    const query = (metricName: string) =>
      engine.metrics.getStatistics({
        namespace: 'App',
        metricName,
        startTime: T0,
        endTime: clock.now() + 86_400_000,
        periodMs: 3600_000,
        statistics: ['Sum'],
      });
    expect((await query('Old')).datapoints).toHaveLength(1);
    clock.advance(12 * 3600_000 + 60_000); // one day and two minutes after the old value
    // Expired minutes are gone from reads and from the list at once.
    expect((await query('Old')).datapoints).toEqual([]);
    expect((await query('Young')).datapoints).toHaveLength(1);
    const names = (await engine.metrics.list({ namespace: 'App' })).metrics.map((m) => m.metricName);
    expect(names).toEqual(['Young']);
    // Close writes the last minute and then sweeps (the old minute has expired). Reopened at a
    // time before it expired, reads would still show it had the sweep not deleted it.
    await engine.close();
    const reopened = await createEngine({
      location,
      clock: new ManualClock(T0 + 120_000),
      metrics: { retentionDays: 1 },
    });
    onCleanup(() => reopened.close());
    const old = await reopened.metrics.getStatistics({
      namespace: 'App',
      metricName: 'Old',
      startTime: T0,
      endTime: T0 + 120_000,
      periodMs: 60_000,
      statistics: ['Sum'],
    });
    expect(old.datapoints).toEqual([]);
  });
});
