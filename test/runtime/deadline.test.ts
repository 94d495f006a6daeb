/**
 * A deadline is judged against the worker's answer, not against when the main thread got round
 * to reading it: Node runs due timers before it reads messages, so after the main thread was
 * blocked (hundreds of workers starting on two cores), a deadline used to fire first and kill a
 * container whose answer was already waiting, a function error for an invocation that ended in
 * time (the first events of a traffic spread over many functions, retried a minute later).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/index.js';
import { nextEvent, openEngine, tempDir } from '../helpers/engines.js';
import { createFixture } from '../helpers/functions.js';

/** Blocks the main thread (as a busy engine would) until the worker has written `path`. */
function blockUntilExists(path: string, boundMs = 60_000): void {
  const until = Date.now() + boundMs;
  while (!existsSync(path)) {
    if (Date.now() > until) throw new Error(`${path} did not appear within ${boundMs} ms`);
  }
}

describe('deadlines and answers that arrive while the main thread is busy', () => {
  it('keeps the result of an invocation that answered before its deadline fired', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const engine = await openEngine('memory', { clock });
    await createFixture(engine, 'gated', 'gate.handler');
    await engine.functions.invoke('gated', { n: 0 });
    const answered = join(await tempDir(), 'answered');
    const started = nextEvent(engine, 'function.invocation.started');
    const pending = engine.functions.invoke('gated', { n: 1, answeredFile: answered });
    const { containerId } = await started;
    // The answer is in the port, unread; then the deadline falls due in the same turn.
    blockUntilExists(answered);
    clock.advance(3000);
    const result = await pending;
    expect(result.functionError).toBeUndefined();
    expect(result.payload).toEqual({ n: 1 });
    // The container was not killed: it stays warm for the next invocation.
    const next = nextEvent(engine, 'function.invocation.started');
    expect((await engine.functions.invoke('gated', { n: 2 })).payload).toEqual({ n: 2 });
    expect(await next).toMatchObject({ containerId, cold: false });
  });

  it('runs the invocation of a container whose ready message waited unread past the init deadline', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const engine = await openEngine('memory', { clock });
    const ready = join(await tempDir(), 'ready');
    await createFixture(engine, 'marks', 'init-marks.handler', { environment: { READY_FILE: ready } });
    const spawned = nextEvent(engine, 'function.container.spawned');
    const pending = engine.functions.invoke('marks', { n: 1 });
    await spawned;
    // Init ended and said so; the engine reads it only after the 10 s init limit fell due.
    blockUntilExists(ready);
    clock.advance(10_000);
    const result = await pending;
    expect(result.functionError).toBeUndefined();
    expect(result.payload).toEqual({ n: 1 });
  });

  it('still times out an invocation that has not answered by then', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const engine = await openEngine('memory', { clock });
    await createFixture(engine, 'gated', 'gate.handler');
    const started = nextEvent(engine, 'function.invocation.started');
    const pending = engine.functions.invoke('gated', { hang: true });
    await started;
    clock.advance(3000);
    expect((await pending).payload).toMatchObject({ errorType: 'Sandbox.Timedout' });
  });
});
