import { describe, expect, it } from 'vitest';
import { createEngine, ManualClock } from '../../../src/index.js';
import { openEngine } from '../../helpers/engines.js';
import { expectCode } from '../../helpers/errors.js';
import { createFixture } from '../../helpers/functions.js';

const T0 = Date.UTC(2026, 0, 1);

describe('metrics.enabled: false', () => {
  it('records no AWS/Lambda or EMF metrics, while putMetricData still works', async () => {
    // The library stamps EMF documents with the wall clock: the engine starts there too.
    const clock = new ManualClock(Date.now());
    const engine = await openEngine('memory', { clock, metrics: { enabled: false } });
    await createFixture(engine, 'ok', 'gate.handler');
    await createFixture(engine, 'checkout', 'emf.handler');
    expect((await engine.functions.invoke('ok', { n: 1 })).functionError).toBeUndefined();
    const emf = await engine.functions.invoke('checkout', {
      items: 1,
      latencies: [10],
      region: 'eu',
      orderId: 'o-1',
    });
    expect(emf.functionError).toBeUndefined();
    await engine.metrics.putMetricData('Custom', [{ metricName: 'Count', value: 2 }]);

    expect((await engine.metrics.list()).metrics.map((m) => `${m.namespace}/${m.metricName}`)).toEqual([
      'Custom/Count',
    ]);
    expect(engine.metrics.prometheus()).not.toMatch(/Invocations/);
  });

  it('records them by default', async () => {
    const engine = await openEngine('memory', { clock: new ManualClock(T0) });
    await createFixture(engine, 'ok', 'gate.handler');
    await engine.functions.invoke('ok', { n: 1 });
    const names = (await engine.metrics.list({ namespace: 'AWS/Lambda' })).metrics.map((m) => m.metricName);
    expect(names).toContain('Invocations');
  });

  it('rejects a value that is not a boolean', async () => {
    await expectCode(
      createEngine({ metrics: { enabled: 'no' as unknown as boolean } }),
      'InvalidArgument',
      /metrics\.enabled.*"no"/,
    );
  });
});
