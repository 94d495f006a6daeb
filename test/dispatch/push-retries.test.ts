import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/index.js';
import { BACKEND_KINDS, collect, nextEvent } from '../helpers/engines.js';
import { openEngineWith, queueOf } from '../helpers/harness.js';
import { followSchedule, T0 } from './push-helpers.js';
import { ScriptedInvoker } from './scripted-invoker.js';

describe.each(BACKEND_KINDS)('async invocation retries (%s)', (kind) => {
  it('retries a failing event not before 60 s, then 120 s later, then dead-letters it after 3 attempts', async () => {
    const clock = new ManualClock(T0);
    const invoker = new ScriptedInvoker().always('fn', 'error');
    const engine = await openEngineWith(kind, { clock }, { invoker: invoker });

    const firstRetry = nextEvent(engine, 'async.retry-scheduled');
    const { requestId } = await queueOf(engine).enqueue('fn', { n: 1 });
    expect(await firstRetry).toMatchObject({
      requestId,
      attempts: 1,
      delayMs: 60_000,
      nextAttemptAt: T0 + 60_000,
    });
    await engine.asyncInvocations.idle();
    // Embedded, one engine-clock timer waits for the retry; on JetStream the message does.
    if (kind !== 'jetstream') expect(clock.nextDueAt()).toBe(T0 + 60_000);

    clock.advance(59_999);
    expect(invoker.calls).toHaveLength(1);
    const second = nextEvent(engine, 'async.attempt', (e) => e.attempt === 2);
    const secondRetry = nextEvent(engine, 'async.retry-scheduled', (e) => e.attempts === 2);
    clock.advance(1);
    expect((await second).time).toBe(T0 + 60_000);
    expect(await secondRetry).toMatchObject({ delayMs: 120_000, nextAttemptAt: T0 + 180_000 });
    await engine.asyncInvocations.idle();
    if (kind !== 'jetstream') expect(clock.nextDueAt()).toBe(T0 + 180_000);

    const failed = nextEvent(engine, 'async.failed');
    clock.advance(120_000);
    expect(await failed).toMatchObject({
      requestId,
      condition: 'RetriesExhausted',
      attempts: 3,
      destination: 'dead-letter',
      time: T0 + 180_000,
    });
    expect(invoker.calls.map((c) => c.requestId)).toEqual([requestId, requestId, requestId]);
    expect(invoker.calls.every((c) => c.invocationType === 'Event')).toBe(true);
    expect(await engine.asyncInvocations.pendingCount()).toBe(0);
    // On JetStream the metrics feed keeps one engine-clock timer for the open minute's flush.
    if (kind !== 'jetstream') expect(clock.pendingTimers).toBe(0);
  });

  it.each([0, 1, 2])('makes maximumRetryAttempts %i + 1 attempts in all', async (maximumRetryAttempts) => {
    const clock = new ManualClock(T0);
    const invoker = new ScriptedInvoker().always('fn', 'error');
    const engine = await openEngineWith(kind, { clock }, { invoker: invoker });
    await engine.asyncInvocations.putEventInvokeConfig('fn', { maximumRetryAttempts });
    const delays = followSchedule(engine, clock);

    const failed = nextEvent(engine, 'async.failed');
    await queueOf(engine).enqueue('fn', { n: 1 });
    expect(await failed).toMatchObject({ attempts: maximumRetryAttempts + 1, condition: 'RetriesExhausted' });
    expect(invoker.calls).toHaveLength(maximumRetryAttempts + 1);
    expect(delays).toEqual([60_000, 120_000].slice(0, maximumRetryAttempts));
  });

  it('takes the retry delays from the engine option', async () => {
    const clock = new ManualClock(T0);
    const engine = await openEngineWith(
      kind,
      { clock, asyncInvocation: { functionErrorDelaysMs: [10, 20] } },
      { invoker: new ScriptedInvoker().always('fn', 'error') },
    );
    const delays = followSchedule(engine, clock);
    const failed = nextEvent(engine, 'async.failed');
    await queueOf(engine).enqueue('fn', {});
    expect((await failed).time).toBe(T0 + 30);
    expect(delays).toEqual([10, 20]);
  });

  it('does not count throttles or service errors as attempts, backing off from 1 s doubling', async () => {
    const clock = new ManualClock(T0);
    const invoker = new ScriptedInvoker().script(
      'fn',
      'throttle',
      'throttle',
      'service',
      'error',
      'throttle',
      'ok',
    );
    const engine = await openEngineWith(kind, { clock }, { invoker: invoker });
    const delays = followSchedule(engine, clock);
    const throttled = collect(engine.events$, 4, (e) => e.type === 'async.throttled');

    const succeeded = nextEvent(engine, 'async.succeeded');
    await queueOf(engine).enqueue('fn', { n: 1 });
    expect(await succeeded).toMatchObject({ attempts: 2 });
    expect(delays).toEqual([1_000, 2_000, 4_000, 60_000, 1_000]);
    expect((await throttled).map((e) => (e.type === 'async.throttled' ? e.throttles : 0))).toEqual([
      1, 2, 3, 1,
    ]);
    const attempts = invoker.calls.length;
    expect(attempts).toBe(6);
  });

  it('keeps backing off a throttled event until it is older than maximumEventAgeSec', async () => {
    const clock = new ManualClock(T0);
    const engine = await openEngineWith(
      kind,
      { clock },
      { invoker: new ScriptedInvoker().always('fn', 'throttle') },
    );
    await engine.asyncInvocations.putEventInvokeConfig('fn', { maximumEventAgeSec: 60 });
    const delays = followSchedule(engine, clock);

    const failed = nextEvent(engine, 'async.failed');
    await queueOf(engine).enqueue('fn', {});
    expect(await failed).toMatchObject({ condition: 'EventAgeExceeded', attempts: 0, time: T0 + 63_000 });
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000]);
    const [letter] = await engine.asyncInvocations.deadLetters('fn');
    expect(letter).toMatchObject({ condition: 'EventAgeExceeded', attempts: 0 });
    expect(letter?.lastError).toMatch(/TooManyRequestsException/);
  });

  it('sends events of a function with reserved concurrency 0 straight to the failure path, uninvoked', async () => {
    const invoker = new ScriptedInvoker();
    const engine = await openEngineWith(
      kind,
      { clock: new ManualClock(T0) },
      { invoker, concurrency: { reservedConcurrency: (name) => (name === 'off' ? 0 : undefined) } },
    );
    const failed = nextEvent(engine, 'async.failed');
    await queueOf(engine).enqueue('off', {});
    expect(await failed).toMatchObject({
      condition: 'RetriesExhausted',
      attempts: 0,
      destination: 'dead-letter',
    });
    expect(invoker.calls).toHaveLength(0);
  });

  it('dead-letters an event for a function that does not exist, without retrying', async () => {
    const invoker = new ScriptedInvoker().always('gone', 'missing');
    const engine = await openEngineWith(kind, { clock: new ManualClock(T0) }, { invoker: invoker });
    const failed = nextEvent(engine, 'async.failed');
    await queueOf(engine).enqueue('gone', {});
    expect(await failed).toMatchObject({ condition: 'RetriesExhausted', attempts: 0 });
    expect(invoker.calls).toHaveLength(1);
    const [letter] = await engine.asyncInvocations.deadLetters('gone');
    expect(letter?.lastError).toMatch(/ResourceNotFoundException: Function not found: gone/);
  });
});
