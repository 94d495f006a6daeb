import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventHub } from '../../src/events.js';
import { createEngine, type Engine, ManualClock } from '../../src/index.js';
import { nextEvent } from '../helpers/engines.js';
import { createFixture } from '../helpers/functions.js';

describe('events nobody listens to', () => {
  it('the hub tells whether anyone subscribes, to everything or to one type', () => {
    const hub = new EventHub(new ManualClock(0));
    expect(hub.observes('function.log')).toBe(false);
    const subscription = hub.events$.subscribe(() => undefined);
    expect(hub.observes('function.log')).toBe(true);
    subscription.unsubscribe();
    expect(hub.observes('function.log')).toBe(false);
    const typed = hub.of$('async.succeeded').subscribe(() => undefined);
    expect(hub.observes('async.succeeded')).toBe(true);
    expect(hub.observes('function.log')).toBe(false);
    typed.unsubscribe();
    expect(hub.observes('async.succeeded')).toBe(false);
  });

  it('of$ delivers the chosen types only, in order, and completes with the hub', () => {
    const hub = new EventHub(new ManualClock(5));
    const seen: string[] = [];
    let completed = false;
    hub.of$('engine.opened', 'async.succeeded').subscribe({
      next: (e) => seen.push(`${e.type}@${e.time}`),
      complete: () => {
        completed = true;
      },
    });
    hub.emit('engine.opened', { location: undefined, region: 'us-east-1', accountId: '000000000000' });
    hub.emit('engine.closed', {});
    hub.emit('async.succeeded', { requestId: 'r', functionName: 'f', attempts: 1 });
    hub.complete();
    expect(seen).toEqual(['engine.opened@5', 'async.succeeded@5']);
    expect(completed).toBe(true);
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
