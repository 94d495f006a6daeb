import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/index.js';
import { openEngine } from '../../helpers/engines.js';
import { createFixture } from '../../helpers/functions.js';

const T0 = Date.UTC(2026, 0, 1);

describe('prometheus()', () => {
  it('exposes counters, gauges and summaries with dimensions as labels', async () => {
    const clock = new ManualClock(T0);
    const engine = await openEngine('memory', { clock });
    expect(engine.metrics.prometheus()).toBe('');
    await createFixture(engine, 'resize', 'gate.handler');
    await engine.functions.invoke('resize', { n: 1 });
    await engine.functions.invoke('resize', { n: 2 });
    await engine.metrics.putMetricData('My App', [
      {
        metricName: 'QueueDepth',
        unit: 'Count',
        values: [1, 2, 3, 4],
        dimensions: [{ name: 'queue-name', value: 'a"b\\c' }],
      },
    ]);
    const text = engine.metrics.prometheus();
    const lines = text.trimEnd().split('\n');
    expect(lines).toContain('# TYPE aws_lambda_invocations_total counter');
    expect(lines).toContain('aws_lambda_invocations_total 2');
    expect(lines).toContain('aws_lambda_invocations_total{FunctionName="resize"} 2');
    expect(lines).toContain('# TYPE aws_lambda_concurrent_executions gauge');
    expect(lines).toContain('aws_lambda_concurrent_executions{FunctionName="resize"} 1');
    expect(lines).toContain('# TYPE aws_lambda_duration_milliseconds summary');
    expect(
      lines.filter((l) => l.startsWith('aws_lambda_duration_milliseconds{FunctionName="resize",quantile=')),
    ).toHaveLength(3);
    expect(lines).toContain('aws_lambda_duration_milliseconds_count{FunctionName="resize"} 2');
    expect(lines).toContain('# TYPE my_app_queue_depth summary');
    const median = lines.find((l) =>
      l.startsWith('my_app_queue_depth{queue_name="a\\"b\\\\c",quantile="0.5"} '),
    );
    // Histograms keep two significant digits: within 1% of the exact median, 2.
    expect(Number(median?.split(' ')[1])).toBeCloseTo(2, 1);
    expect(lines).toContain('my_app_queue_depth_sum{queue_name="a\\"b\\\\c"} 10');
    expect(lines).toContain('my_app_queue_depth_count{queue_name="a\\"b\\\\c"} 4');
    expect(lines).not.toContain('aws_lambda_errors_total 0'); // no series until an error happens
    // Every sample line is `name{labels} value` with a number (or NaN) as value.
    for (const line of lines.filter((l) => !l.startsWith('#'))) {
      expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? (-?[0-9.e+-]+|NaN)$/);
    }
    // Each family's HELP and TYPE lines come once, before its samples.
    const types = lines.filter((l) => l.startsWith('# TYPE'));
    expect(new Set(types).size).toBe(types.length);
  });
});
