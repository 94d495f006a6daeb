import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventHub } from '../../src/events.js';
import { createEngine, type Engine, ManualClock } from '../../src/index.js';
import { nextEvent } from '../helpers/engines.js';
import { createFixture } from '../helpers/functions.js';

describe('events nobody listens to', () => {
  it('the hub tells whether anyone subscribes', () => {
    const hub = new EventHub(new ManualClock(0));
    expect(hub.observed).toBe(false);
    const subscription = hub.events$.subscribe(() => undefined);
    expect(hub.observed).toBe(true);
    subscription.unsubscribe();
    expect(hub.observed).toBe(false);
  });

  describe('warm invocations', () => {
    let engine: Engine;
    beforeAll(async () => {
      engine = await createEngine({ clock: new ManualClock(Date.UTC(2026, 0, 1)) });
      await createFixture(engine, 'quiet', 'styles.promiseHandler');
    });
    afterAll(() => engine.close());

    it('run unobserved, then report complete events and lines to a subscriber that arrives', async () => {
      await engine.functions.invoke('quiet', { n: 1 });
      await engine.functions.invoke('quiet', { n: 2 });
      const completed = nextEvent(engine, 'function.invocation.completed', (e) => e.functionName === 'quiet');
      const report = nextEvent(
        engine,
        'function.log',
        (e) => e.functionName === 'quiet' && e.message.startsWith('REPORT'),
      );
      const result = await engine.functions.invoke('quiet', { n: 3 });
      expect(await completed).toMatchObject({ requestId: result.requestId, cold: false });
      expect((await completed).maxMemoryUsedMb).toBeGreaterThan(0);
      expect((await report).requestId).toBe(result.requestId);
    });
  });
});
