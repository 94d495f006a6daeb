/**
 * Invocations queued behind a busy container (InvocationRequest.queueBehind, used by the push
 * dispatcher): posted at once, started the moment the running one ends, on the same container,
 * with a deadline counted from their own start; run elsewhere if that container dies first. Up
 * to QUEUE_BEHIND (8) wait behind a container whose invocations are short, one behind a long one.
 */
import { describe, expect, it, vi } from 'vitest';
import type { FunctionInvoker, InvocationRequest } from '../../src/functions/invoker.js';
import { type Engine, ManualClock } from '../../src/index.js';
import { QUEUE_BEHIND } from '../../src/runtime/container.js';
import { collect, nextEvent, openEngine, tempDir } from '../helpers/engines.js';
import { createFixture } from '../helpers/functions.js';
import { Gates } from '../helpers/gates.js';
import { type EngineSeams, internals, openEngineWith, queueOf } from '../helpers/harness.js';

function request(
  id: string,
  payload: unknown,
  queueBehind = false,
  concurrencyLimit?: number,
): InvocationRequest {
  const base: InvocationRequest = { functionName: 'gated', payload, requestId: id, invocationType: 'Event' };
  return { ...base, queueBehind, ...(concurrencyLimit === undefined ? {} : { concurrencyLimit }) };
}

async function gatedEngine(seams: EngineSeams = {}): Promise<{ engine: Engine; clock: ManualClock }> {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const engine = await openEngineWith('memory', { clock }, seams);
  await createFixture(engine, 'gated', 'gate.handler');
  return { engine, clock };
}

describe('invocations queued behind a busy container', () => {
  it('start on the same container when the running one ends, with their own deadline', async () => {
    const { engine, clock } = await gatedEngine();
    const runtime = internals(engine).runtime;
    const gates = new Gates();
    const go = gates.name('go');
    const startedA = nextEvent(engine, 'function.invocation.started', (e) => e.requestId === 'a');
    const a = runtime.invoke(request('a', { waitFor: go, n: 1 }));
    const { containerId } = await startedA;

    const startedB = nextEvent(engine, 'function.invocation.started', (e) => e.requestId === 'b');
    const b = runtime.invoke(request('b', { hang: true }, true));
    // Queued, not running: no container of its own and no concurrency taken.
    expect(runtime.pool.containers('gated')).toHaveLength(1);
    expect(runtime.pool.inFlight('gated')).toBe(1);

    clock.advance(2500);
    gates.open(go);
    expect((await a).payload).toEqual({ n: 1 });
    expect((await startedB).containerId).toBe(containerId);
    // 2.5 s passed while it waited; its 3 s deadline counts from its start.
    clock.advance(2999);
    expect(runtime.pool.containers('gated').map((c) => c.alive)).toEqual([true]);
    clock.advance(1);
    const timedOut = await b;
    expect(timedOut.functionError).toBe('Unhandled');
    expect(timedOut.payload).toMatchObject({ errorType: 'Sandbox.Timedout' });
  });

  it('run on another container when theirs dies before starting them', async () => {
    const { engine, clock } = await gatedEngine();
    const runtime = internals(engine).runtime;
    const startedA = nextEvent(engine, 'function.invocation.started', (e) => e.requestId === 'a');
    const a = runtime.invoke(request('a', { hang: true }));
    const first = (await startedA).containerId;
    const startedB = nextEvent(engine, 'function.invocation.started', (e) => e.requestId === 'b');
    const b = runtime.invoke(request('b', { n: 2 }, true));
    clock.advance(3000);
    expect((await a).payload).toMatchObject({ errorType: 'Sandbox.Timedout' });
    const result = await b;
    expect(result.functionError).toBeUndefined();
    expect(result.payload).toEqual({ n: 2 });
    expect((await startedB).containerId).not.toBe(first);
    expect(runtime.pool.inFlight('gated')).toBe(0);
  });

  it('queue up to QUEUE_BEHIND behind a container whose invocations are short, started in order', async () => {
    const { engine } = await gatedEngine();
    const runtime = internals(engine).runtime;
    // The engine clock stands still: the invocation before took 0 ms, so it is short.
    expect((await runtime.invoke(request('warm', { n: 0 }))).payload).toEqual({ n: 0 });
    const gates = new Gates();
    const go = gates.name('go');
    const startedA = nextEvent(engine, 'function.invocation.started', (e) => e.requestId === 'a');
    const a = runtime.invoke(request('a', { waitFor: go, n: 1 }));
    const { containerId } = await startedA;
    // One more than fits behind the container.
    const ids = Array.from({ length: QUEUE_BEHIND + 1 }, (_, i) => `q${i}`);
    const order = collect(engine.events$, ids.length, (e) => e.type === 'function.invocation.started');
    const behind = ids.map((id, i) => runtime.invoke(request(id, { n: i + 2 }, true)));
    const [container] = runtime.pool.containers('gated');
    // QUEUE_BEHIND wait in the container; the last waits for room, in the engine.
    expect(container?.queued).toBe(QUEUE_BEHIND);
    expect(QUEUE_BEHIND).toBeGreaterThan(1);
    expect(runtime.pool.inFlight('gated')).toBe(1);
    gates.open(go);
    expect((await a).payload).toEqual({ n: 1 });
    const results = await Promise.all(behind);
    expect(results.map((r) => r.payload)).toEqual(ids.map((_, i) => ({ n: i + 2 })));
    const started = await order;
    expect(started.map((e) => (e.type === 'function.invocation.started' ? e.requestId : ''))).toEqual(ids);
    expect(
      new Set(started.map((e) => (e.type === 'function.invocation.started' ? e.containerId : ''))),
    ).toEqual(new Set([containerId]));
    expect(runtime.pool.containers('gated')).toHaveLength(1);
  });

  it('find a place again, one container at a time, when theirs dies before starting them', async () => {
    const broken = false;
    const { engine, clock } = await gatedEngine({
      runtimeHost: (real) => ({
        sdkCall: real.sdkCall,
        logsAccess: async (config) => {
          if (broken) throw new Error('the role cannot be read');
          return real.logsAccess(config);
        },
      }),
    });
    const runtime = internals(engine).runtime;
    await runtime.invoke(request('warm', { n: 0 }));
    let spawned = 0;
    const sub = engine.eventsOf$('function.container.spawned').subscribe(() => spawned++);
    const startedA = nextEvent(engine, 'function.invocation.started', (e) => e.requestId === 'a');
    const a = runtime.invoke(request('a', { hang: true }));
    await startedA;
    const ids = ['b', 'c', 'd', 'e'];
    const behind = ids.map((id, i) => runtime.invoke(request(id, { n: i + 2 }, true)));
    expect(runtime.pool.containers('gated')[0]?.queued).toBe(4);
    clock.advance(3000);
    expect((await a).payload).toMatchObject({ errorType: 'Sandbox.Timedout' });
    const results = await Promise.all(behind);
    sub.unsubscribe();
    expect(results.map((r) => r.payload)).toEqual(ids.map((_, i) => ({ n: i + 2 })));
    // One container replaces the one that died; the four do not start one each.
    expect(spawned).toBe(1);
  });

  it('run in one new container when theirs is retired over its /tmp quota', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const engine = await openEngine('memory', { clock, quotas: { tmpMb: 1 } });
    await createFixture(engine, 'tmp', 'faults.fillsTmp');
    const runtime = internals(engine).runtime;
    // Through a FileHandle: past the worker's write checks, so the quota retires the container.
    const call = (id: string, bytes: number, queueBehind = false) =>
      runtime.invoke({
        functionName: 'tmp',
        payload: { bytes, via: 'handle' },
        requestId: id,
        invocationType: 'Event',
        queueBehind,
      });
    const first = (await call('warm', 10)).payload as { tmp: string };
    let spawned = 0;
    const sub = engine.eventsOf$('function.container.spawned').subscribe(() => spawned++);
    const over = call('over', 2 * 1024 * 1024);
    const behind = ['b', 'c', 'd'].map((id) => call(id, 10, true));
    expect(runtime.pool.containers('tmp')[0]?.queued).toBe(3);
    expect((await over).payload).toMatchObject({ errorMessage: expect.stringMatching(/ENOSPC/) });
    const results = await Promise.all(behind);
    sub.unsubscribe();
    for (const result of results) {
      expect(result.functionError).toBeUndefined();
      expect((result.payload as { tmp: string }).tmp).not.toBe(first.tmp);
    }
    expect(spawned).toBe(1);
  });

  it('look again when the container meant to replace theirs fails to start', async () => {
    let broken = false;
    const { engine, clock } = await gatedEngine({
      runtimeHost: (real) => ({
        sdkCall: real.sdkCall,
        logsAccess: async (config) => {
          if (broken) throw new Error('the role cannot be read');
          return real.logsAccess(config);
        },
      }),
    });
    const runtime = internals(engine).runtime;
    await runtime.invoke(request('warm', { n: 0 }));
    const startedA = nextEvent(engine, 'function.invocation.started', (e) => e.requestId === 'a');
    const a = runtime.invoke(request('a', { hang: true }));
    await startedA;
    const behind = ['b', 'c', 'd'].map((id, i) => runtime.invoke(request(id, { n: i }, true)));
    // From now on no container can start.
    broken = true;
    clock.advance(3000);
    expect((await a).payload).toMatchObject({ errorType: 'Sandbox.Timedout' });
    const settled = await Promise.allSettled(behind);
    expect(settled.map((r) => (r.status === 'rejected' ? String(r.reason) : 'fulfilled'))).toEqual([
      'Error: the role cannot be read',
      'Error: the role cannot be read',
      'Error: the role cannot be read',
    ]);
    expect(runtime.pool.inFlight('gated')).toBe(0);
  });

  it('fail with EngineClosed, starting nothing, when the engine closes before they start', async () => {
    const { engine } = await gatedEngine();
    const runtime = internals(engine).runtime;
    await runtime.invoke(request('warm', { n: 0 }));
    const startedA = nextEvent(engine, 'function.invocation.started', (e) => e.requestId === 'a');
    const a = runtime.invoke(request('a', { hang: true }));
    await startedA;
    const behind = Promise.allSettled(['b', 'c'].map((id, i) => runtime.invoke(request(id, { n: i }, true))));
    let spawned = 0;
    const sub = engine.eventsOf$('function.container.spawned').subscribe(() => spawned++);
    // The running event was stopped, not failed: it stays queued like the others. The
    // expectation is attached before closing: the rejection arrives during close().
    const stopped = expect(a).rejects.toMatchObject({ code: 'EngineClosed' });
    await engine.close();
    sub.unsubscribe();
    await stopped;
    for (const result of await behind) {
      expect(result.status).toBe('rejected');
      if (result.status === 'rejected') expect(result.reason).toMatchObject({ code: 'EngineClosed' });
    }
    expect(spawned).toBe(0);
  });

  it('queue one behind a container whose last invocation was long', async () => {
    const { engine, clock } = await gatedEngine();
    const runtime = internals(engine).runtime;
    const gates = new Gates();
    const startedW = nextEvent(engine, 'function.invocation.started', (e) => e.requestId === 'warm');
    const warm = runtime.invoke(request('warm', { waitFor: gates.name('warm'), n: 0 }));
    await startedW;
    clock.advance(20);
    gates.open(gates.name('warm'));
    expect((await warm).payload).toEqual({ n: 0 });
    const startedA = nextEvent(engine, 'function.invocation.started', (e) => e.requestId === 'a');
    const a = runtime.invoke(request('a', { waitFor: gates.name('go'), n: 1 }));
    await startedA;
    const b = runtime.invoke(request('b', { n: 2 }, true));
    const c = runtime.invoke(request('c', { n: 3 }, true));
    expect(runtime.pool.containers('gated')[0]?.queued).toBe(1);
    gates.open(gates.name('go'));
    expect((await a).payload).toEqual({ n: 1 });
    expect((await b).payload).toEqual({ n: 2 });
    expect((await c).payload).toEqual({ n: 3 });
    expect(runtime.pool.containers('gated')).toHaveLength(1);
  });

  it('run in an idle warm container rather than queue, while fewer than their limit run', async () => {
    const { engine } = await gatedEngine();
    const runtime = internals(engine).runtime;
    await runtime.invoke(request('warm', { n: 0 }));
    const gates = new Gates();
    const go = gates.name('go');
    const startedA = nextEvent(engine, 'function.invocation.started', (e) => e.requestId === 'a');
    const a = runtime.invoke(request('a', { waitFor: go, n: 1 }));
    const busy = (await startedA).containerId;
    // A second container, idle once this ends; the busy one has room behind it.
    const startedW = nextEvent(engine, 'function.invocation.started', (e) => e.requestId === 'warm2');
    await runtime.invoke(request('warm2', { n: 0 }));
    const idle = (await startedW).containerId;
    expect(idle).not.toBe(busy);
    const startedB = nextEvent(engine, 'function.invocation.started', (e) => e.requestId === 'b');
    expect((await runtime.invoke(request('b', { n: 2 }, true, 2))).payload).toEqual({ n: 2 });
    expect((await startedB).containerId).toBe(idle);
    // At its limit (one runs, one allowed), the next waits behind the busy container instead.
    const startedC = nextEvent(engine, 'function.invocation.started', (e) => e.requestId === 'c');
    const c = runtime.invoke(request('c', { n: 3 }, true, 1));
    expect(runtime.pool.containers('gated').find((k) => k.id === busy)?.queued).toBe(1);
    gates.open(go);
    expect((await a).payload).toEqual({ n: 1 });
    expect((await c).payload).toEqual({ n: 3 });
    expect((await startedC).containerId).toBe(busy);
  });

  it('run as usual when no container of the function is busy', async () => {
    const { engine } = await gatedEngine();
    const result = await internals(engine).runtime.invoke(request('c', { n: 3 }, true));
    expect(result.payload).toEqual({ n: 3 });
    expect(internals(engine).runtime.pool.containers('gated')).toHaveLength(1);
  });
});

describe('the push dispatcher queueing behind running invocations', () => {
  it('keeps to maxConcurrencyPerFunction containers and running invocations, delivering each event once', async () => {
    const engine = await openEngine('memory', { asyncInvocation: { maxConcurrencyPerFunction: 2 } });
    await createFixture(engine, 'gated', 'gate.handler');
    const total = 40;
    let running = 0;
    let maxRunning = 0;
    let spawned = 0;
    const sub = engine.events$.subscribe((e) => {
      if (e.type === 'function.container.spawned') spawned++;
      if (e.type === 'function.invocation.started') maxRunning = Math.max(maxRunning, ++running);
      if (e.type === 'function.invocation.completed') running--;
    });
    const delivered = collect(engine.events$, total, (e) => e.type === 'async.succeeded', 20_000);
    const ids = await Promise.all(
      Array.from({ length: total }, (_, n) =>
        engine.functions.invoke('gated', { n }, { invocationType: 'Event' }).then((r) => r.requestId),
      ),
    );
    const succeeded = (await delivered).map((e) => (e.type === 'async.succeeded' ? e.requestId : ''));
    sub.unsubscribe();
    expect([...succeeded].sort()).toEqual([...ids].sort());
    expect(maxRunning).toBeLessThanOrEqual(2);
    expect(spawned).toBeLessThanOrEqual(2);
  });

  it('keeps to maxConcurrencyPerFunction running when more warm containers wait idle', async () => {
    // The engine clock stands still: six cold starts at once cannot time out under load.
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const engine = await openEngine('memory', { clock, asyncInvocation: { maxConcurrencyPerFunction: 2 } });
    await createFixture(engine, 'gated', 'gate.handler');
    const gates = new Gates();
    // Six warm containers, from six synchronous invokes at once; idle once they end.
    const warm = Array.from({ length: 6 }, (_, n) =>
      engine.functions.invoke('gated', { waitFor: gates.name('warm'), n }),
    );
    // Six worker threads starting at once on a loaded machine: a generous bound, not a timing.
    await collect(engine.events$, 6, (e) => e.type === 'function.invocation.started', 60_000);
    gates.open(gates.name('warm'));
    await Promise.all(warm);
    expect(internals(engine).runtime.pool.containers('gated')).toHaveLength(6);

    let running = 0;
    let maxRunning = 0;
    const sub = engine.events$.subscribe((e) => {
      if (e.type === 'function.invocation.started') maxRunning = Math.max(maxRunning, ++running);
      if (e.type === 'function.invocation.completed') running--;
    });
    const total = 12;
    const delivered = collect(engine.events$, total, (e) => e.type === 'async.succeeded', 60_000);
    const first = collect(engine.events$, 2, (e) => e.type === 'function.invocation.started', 60_000);
    await Promise.all(
      Array.from({ length: total }, (_, n) =>
        engine.functions.invoke('gated', { waitFor: gates.name('go'), n }, { invocationType: 'Event' }),
      ),
    );
    await first;
    gates.open(gates.name('go'));
    await delivered;
    sub.unsubscribe();
    expect(maxRunning).toBe(2);
  }, 180_000);

  it('leaves running events and those queued behind them queued, with no attempt used, when the engine closes', async () => {
    const location = await tempDir();
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const options = { clock, asyncInvocation: { maxConcurrencyPerFunction: 1 } };
    const engine = await openEngine('disk', { ...options, location });
    await createFixture(engine, 'gated', 'gate.handler');
    const warmed = nextEvent(engine, 'async.succeeded');
    await engine.functions.invoke('gated', { n: 0 }, { invocationType: 'Event' });
    await warmed;
    const gates = new Gates();
    const go = gates.name('go');
    const running = nextEvent(engine, 'function.invocation.started');
    const first = await engine.functions.invoke('gated', { waitFor: go, n: 0 }, { invocationType: 'Event' });
    await running;
    // Resolved once both reach the runtime, asked to queue behind (a call queues synchronously).
    const runtime = internals(engine).runtime;
    const invoke = runtime.invoke.bind(runtime);
    let reached = (): void => undefined;
    const bothQueued = new Promise<void>((resolve) => {
      reached = resolve;
    });
    let behind = 0;
    vi.spyOn(runtime, 'invoke').mockImplementation((request) => {
      const answer = invoke(request);
      if (request.queueBehind && ++behind === 2) reached();
      return answer;
    });
    const ids = [first.requestId];
    for (const n of [1, 2]) {
      ids.push((await engine.functions.invoke('gated', { n }, { invocationType: 'Event' })).requestId);
    }
    await bothQueued;
    expect(runtime.pool.containers('gated')[0]?.queued).toBe(2);
    const touched: string[] = [];
    const sub = engine.events$.subscribe((e) => {
      if (e.type === 'async.throttled' || e.type === 'async.retry-scheduled') touched.push(e.requestId);
    });
    await engine.close();
    sub.unsubscribe();
    // Left as stored: nothing rescheduled them.
    expect(touched).toEqual([]);

    gates.open(go);
    const reopened = await openEngine('disk', { ...options, location });
    const attempts = collect(
      reopened.eventsOf$('async.attempt'),
      3,
      (e) => e.type === 'async.attempt' && ids.includes(e.requestId),
      20_000,
    );
    // Due at once (the clock has not moved): the close left their schedule alone.
    const seen = await attempts;
    // The running one and the two queued behind it: none used an attempt before the close.
    expect(seen.map((e) => (e.type === 'async.attempt' ? [e.attempt, e.outcome] : [])).sort()).toEqual([
      [1, 'success'],
      [1, 'success'],
      [1, 'success'],
    ]);
  });

  it('replaces a container lost during a backlog, keeping maxConcurrencyPerFunction running', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const engine = await openEngine('memory', { clock, asyncInvocation: { maxConcurrencyPerFunction: 2 } });
    await createFixture(engine, 'gated', 'gate.handler');
    const gates = new Gates();
    const go = gates.name('go');
    const started: string[] = [];
    const sub = engine.eventsOf$('function.invocation.started').subscribe((e) => started.push(e.requestId));
    // Two run at once; the second one's container exits; ten more wait behind them.
    const third = collect(engine.eventsOf$('function.invocation.started'), 3, () => true, 10_000);
    const holding = nextEvent(engine, 'function.invocation.started');
    const hold = await engine.functions.invoke('gated', { waitFor: go, n: 0 }, { invocationType: 'Event' });
    await holding;
    // It has run a second, longer than a cold start (0 ms on this clock): the next event gets a
    // container of its own rather than wait behind it (cold starts are paced).
    clock.advance(1000);
    const lost = await engine.functions.invoke('gated', { exit: true }, { invocationType: 'Event' });
    const rest = await Promise.all(
      Array.from({ length: 10 }, (_, n) =>
        engine.functions.invoke('gated', { waitFor: go, n: n + 1 }, { invocationType: 'Event' }),
      ),
    );
    // A third invocation starts while the first still holds its container: the lost one was
    // replaced during the backlog.
    await third;
    expect(started.slice(0, 2).sort()).toEqual([hold.requestId, lost.requestId].sort());
    expect(rest.map((r) => r.requestId)).toContain(started[2]);
    const delivered = collect(
      engine.eventsOf$('async.succeeded'),
      11,
      (e) => e.requestId !== lost.requestId,
      20_000,
    );
    gates.open(go);
    await delivered;
    sub.unsubscribe();
  });

  it('sends no more per running invocation than the invoker has room for behind it', async () => {
    let room = 1;
    let outstanding = 0;
    let most = 0;
    const invoker: FunctionInvoker = {
      queuesBehind: 8,
      roomBehind: () => room,
      invoke: async (request) => {
        most = Math.max(most, ++outstanding);
        await new Promise((resolve) => setImmediate(resolve));
        outstanding--;
        return {
          requestId: request.requestId,
          statusCode: 200,
          payload: null,
          executedVersion: '$LATEST',
          durationMs: 0,
        };
      },
    };
    const engine = await openEngineWith(
      'memory',
      { asyncInvocation: { maxConcurrencyPerFunction: 1 } },
      { invoker: invoker },
    );
    const round = async (): Promise<number> => {
      most = 0;
      const done = collect(engine.events$, 12, (e) => e.type === 'async.succeeded');
      await Promise.all(Array.from({ length: 12 }, (_, i) => queueOf(engine).enqueue('fn', { i })));
      await done;
      return most;
    };
    // One running, one behind it.
    expect(await round()).toBe(2);
    room = 8;
    const wide = await round();
    expect(wide).toBeGreaterThan(2);
    expect(wide).toBeLessThanOrEqual(9);
  });
});
