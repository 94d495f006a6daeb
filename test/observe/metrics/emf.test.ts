import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/index.js';
import { extractEmf } from '../../../src/observe/metrics/sources/emf.js';
import { openEngine } from '../../helpers/engines.js';
import { createFixture } from '../../helpers/functions.js';

const T0 = Date.UTC(2026, 0, 1);

const doc = (over: Record<string, unknown> = {}, directive: Record<string, unknown> = {}) =>
  JSON.stringify({
    _aws: {
      Timestamp: T0,
      CloudWatchMetrics: [
        {
          Namespace: 'App',
          Dimensions: [['Service'], ['Service', 'Region']],
          Metrics: [{ Name: 'Latency', Unit: 'Milliseconds' }, { Name: 'Hits' }],
          ...directive,
        },
      ],
    },
    Service: 'api',
    Region: 'eu',
    Latency: [10, 20],
    Hits: 1,
    ...over,
  });

const service = { name: 'Service', value: 'api' };
const both = [service, { name: 'Region', value: 'eu' }];

describe('Embedded Metric Format extraction', () => {
  it('gives one metric per dimension set with the document values, units and timestamp', () => {
    const metrics = extractEmf(doc());
    const latency = {
      namespace: 'App',
      metricName: 'Latency',
      unit: 'Milliseconds',
      values: [10, 20],
      timestamp: T0,
    };
    const hits = { namespace: 'App', metricName: 'Hits', unit: 'None', values: [1], timestamp: T0 };
    expect(metrics).toEqual([
      { ...latency, dimensions: [service] },
      { ...latency, dimensions: both },
      { ...hits, dimensions: [service] },
      { ...hits, dimensions: both },
    ]);
  });

  it('reads an empty dimension set as a metric without dimensions', () => {
    expect(extractEmf(doc({}, { Dimensions: [[]] }))?.map((m) => m.dimensions)).toEqual([[], []]);
  });

  it('drops every metric of a document that breaks the format', () => {
    expect(extractEmf(doc({ Region: 7 }))).toBeUndefined(); // a dimension value must be a string
    expect(extractEmf(doc({ Latency: 'fast' }))).toBeUndefined();
    expect(extractEmf(doc({ Hits: undefined }))).toBeUndefined(); // a metric's value is missing
    expect(extractEmf(doc({}, { Namespace: 'AWS/Lambda' }))).toBeUndefined();
    expect(extractEmf(doc({}, { Metrics: [{ Name: 'Latency', Unit: 'Furlongs' }] }))).toBeUndefined();
    expect(extractEmf(doc({ Latency: Array.from({ length: 101 }, () => 1) }))).toBeUndefined();
    expect(extractEmf(JSON.stringify({ _aws: { CloudWatchMetrics: [] } }))).toBeUndefined(); // no Timestamp
    expect(extractEmf('{"_aws": not json')).toBeUndefined();
    expect(extractEmf('plain text line')).toBeUndefined();
  });

  it('treats __proto__ as an ordinary member name', () => {
    const line = `{"_aws":{"Timestamp":${T0},"CloudWatchMetrics":[{"Namespace":"App","Dimensions":[["__proto__"]],"Metrics":[{"Name":"constructor"}]}]},"__proto__":"p","constructor":3}`;
    expect(extractEmf(line)).toEqual([
      {
        namespace: 'App',
        metricName: 'constructor',
        dimensions: [{ name: '__proto__', value: 'p' }],
        unit: 'None',
        values: [3],
        timestamp: T0,
      },
    ]);
  });

  it('turns what aws-embedded-metrics prints in a function into custom metrics, unchanged', async () => {
    // The library stamps documents with the function's wall clock: the engine starts there too.
    const clock = new ManualClock(Date.now());
    const engine = await openEngine('memory', { clock });
    await createFixture(engine, 'checkout', 'emf.handler');
    const result = await engine.functions.invoke('checkout', {
      items: 3,
      latencies: [120, 80, 100],
      region: 'eu',
      orderId: 'o-1',
    });
    expect(result.functionError).toBeUndefined();
    await engine.functions.invoke('checkout', { items: 2, latencies: [50], region: 'us', orderId: 'o-2' });

    const listed = (await engine.metrics.list({ namespace: 'Shop' })).metrics;
    expect(
      listed.map((m) => [m.metricName, m.dimensions.map((d) => `${d.name}=${d.value}`).join(',')]),
    ).toEqual([
      ['CheckoutLatency', 'Region=eu,Service=orders'],
      ['CheckoutLatency', 'Region=us,Service=orders'],
      ['CheckoutLatency', 'Service=orders'],
      ['ItemsSold', 'Region=eu,Service=orders'],
      ['ItemsSold', 'Region=us,Service=orders'],
      ['ItemsSold', 'Service=orders'],
    ]);
    const stats = async (metricName: string) =>
      (
        await engine.metrics.getStatistics({
          namespace: 'Shop',
          metricName,
          dimensions: [{ name: 'Service', value: 'orders' }],
          startTime: clock.now() - 3600_000,
          endTime: clock.now() + 3600_000,
          periodMs: 7200_000,
          statistics: ['Sum', 'SampleCount', 'Maximum'],
        })
      ).datapoints;
    expect(await stats('ItemsSold')).toMatchObject([{ sum: 5, sampleCount: 2, unit: 'Count' }]);
    expect(await stats('CheckoutLatency')).toMatchObject([
      { sum: 350, sampleCount: 4, maximum: 120, unit: 'Milliseconds' },
    ]);
  }, 30_000);
});
