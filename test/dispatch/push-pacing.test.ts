/**
 * Cold starts of the push queue are paced: an event waits behind a busy container of its
 * function when it starts there within about a cold start's time, and a new container is started
 * only when the function's queue outgrows what its busy and starting containers can take in that
 * time, up to maxConcurrencyPerFunction. On the manual clock a cold start and a fast invocation
 * both take 0 ms of engine time, and a slow one takes whatever the test advances meanwhile.
 */
import { describe, expect, it } from 'vitest';
import { type Engine, ManualClock } from '../../src/index.js';
import { collect, nextEvent, openEngine } from '../helpers/engines.js';
import { createFixture } from '../helpers/functions.js';
import { Gates } from '../helpers/gates.js';

async function pacedEngine(functions: string[], cap = 16): Promise<Engine> {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const engine = await openEngine('memory', { clock, asyncInvocation: { maxConcurrencyPerFunction: cap } });
  for (const name of functions) {
    await createFixture(engine, name, 'gate.handler');
    // Warm: one container each.
    await engine.functions.invoke(name, { n: 0 });
  }
  return engine;
}

/** Containers spawned while `run` goes on. */
async function spawnedDuring(engine: Engine, run: () => Promise<void>): Promise<number> {
  let spawned = 0;
  const sub = engine.eventsOf$('function.container.spawned').subscribe(() => spawned++);
  try {
    await run();
  } finally {
    sub.unsubscribe();
  }
  return spawned;
}

async function sendAndDeliver(
  engine: Engine,
  events: Array<{ name: string; payload: unknown }>,
): Promise<void> {
  const delivered = collect(engine.eventsOf$('async.succeeded'), events.length, () => true, 60_000);
  for (const { name, payload } of events)
    await engine.functions.invoke(name, payload, { invocationType: 'Event' });
  await delivered;
}

describe('cold starts of the push queue', () => {
  it('are not taken for 200 events of one warm function whose invocations are fast', async () => {
    const engine = await pacedEngine(['fast']);
    const spawned = await spawnedDuring(engine, () =>
      sendAndDeliver(
        engine,
        Array.from({ length: 200 }, (_, n) => ({ name: 'fast', payload: { n } })),
      ),
    );
    expect(spawned).toBe(0);
  }, 120_000);

  it('are not taken when 200 events are spread over ten warm functions (no storm of cold starts)', async () => {
    const names = Array.from({ length: 10 }, (_, i) => `f${i}`);
    const engine = await pacedEngine(names);
    const errors: string[] = [];
    const sub = engine.eventsOf$('async.retry-scheduled').subscribe((e) => errors.push(e.requestId));
    const spawned = await spawnedDuring(engine, () =>
      sendAndDeliver(
        engine,
        Array.from({ length: 200 }, (_, n) => ({ name: names[n % names.length] ?? 'f0', payload: { n } })),
      ),
    );
    sub.unsubscribe();
    expect(spawned).toBe(0);
    expect(errors).toEqual([]);
  }, 120_000);

  it('add containers up to maxConcurrencyPerFunction when the running invocations are slow', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const engine = await openEngine('memory', { clock, asyncInvocation: { maxConcurrencyPerFunction: 4 } });
    await createFixture(engine, 'slow', 'gate.handler');
    await engine.functions.invoke('slow', { n: 0 });
    const gates = new Gates();
    const go = gates.name('go');
    const first = nextEvent(engine, 'function.invocation.started');
    await engine.functions.invoke('slow', { waitFor: go, n: 1 }, { invocationType: 'Event' });
    await first;
    // The running one has taken a second: longer than a cold start (0 ms on this clock).
    clock.advance(1000);
    const four = collect(engine.eventsOf$('function.invocation.started'), 3, () => true, 60_000);
    const spawned = await spawnedDuring(engine, async () => {
      const delivered = collect(engine.eventsOf$('async.succeeded'), 12, () => true, 60_000);
      for (let n = 2; n <= 12; n++)
        await engine.functions.invoke('slow', { waitFor: go, n }, { invocationType: 'Event' });
      // Four run at once (the cap) while the gate is shut: three containers were added.
      await four;
      gates.open(go);
      await delivered;
    });
    expect(spawned).toBe(3);
  }, 120_000);
});
