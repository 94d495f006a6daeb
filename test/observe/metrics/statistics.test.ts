import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/index.js';
import { openEngine } from '../../helpers/engines.js';
import { expectCode } from '../../helpers/errors.js';

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
