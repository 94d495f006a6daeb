import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, type EngineEventOf, ManualClock } from '../../src/index.js';
import { collect, nextEvent } from '../helpers/engines.js';
import { expectCode } from '../helpers/errors.js';
import { createFixture } from '../helpers/functions.js';
import { internals } from '../helpers/harness.js';

interface Counter {
  invocations: number;
  bornAt: number;
}

describe('containers: warm reuse, isolation, concurrency, reaping', () => {
  let engine: Engine;
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  beforeAll(async () => {
    engine = await createEngine({ clock, quotas: { containerIdleSec: 60 } });
  });
  afterAll(() => engine.close());

  it('runs module init once per container and keeps module state warm for the next invocation', async () => {
    await createFixture(engine, 'counter', 'state.counter');
    const first = (await engine.functions.invoke('counter')).payload as Counter;
    const second = (await engine.functions.invoke('counter')).payload as Counter;
    expect(first.invocations).toBe(1);
    expect(second).toEqual({ invocations: 2, bornAt: first.bornAt });
  });

  it('never shares module state between two concurrent containers', async () => {
    await createFixture(engine, 'slow', 'state.slow', { reservedConcurrency: 2 });
    const [a, b] = await Promise.all([
      engine.functions.invoke('slow', { ms: 50 }),
      engine.functions.invoke('slow', { ms: 50 }),
    ]);
    const pa = a?.payload as Counter;
    const pb = b?.payload as Counter;
    expect(pa.bornAt).not.toBe(pb.bornAt);
    expect([pa.invocations, pb.invocations]).toEqual([1, 1]);
    expect(internals(engine).runtime.pool.containers('slow')).toHaveLength(2);
  });

  it('gives each container its own process.env, never visible to another function or the host', async () => {
    await createFixture(engine, 'env-a', 'state.writeEnv', { environment: { OWN: 'a' } });
    await createFixture(engine, 'env-b', 'state.writeEnv');
    expect((await engine.functions.invoke('env-a', { value: 'from-a' })).payload).toEqual({
      before: null,
      own: 'a',
    });
    expect((await engine.functions.invoke('env-a', { value: 'again' })).payload).toEqual({
      before: 'from-a',
      own: 'a',
    });
    expect((await engine.functions.invoke('env-b', { value: 'from-b' })).payload).toEqual({
      before: null,
      own: null,
    });
    expect(process.env.SHARED_SECRET).toBeUndefined();
  });

  it("sets Lambda's environment variables in the container", async () => {
    await createFixture(engine, 'env-vars', 'styles.env', { memoryMb: 256, environment: { STAGE: 'test' } });
    const env = (await engine.functions.invoke('env-vars')).payload as Record<string, string>;
    expect(env).toMatchObject({
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_LAMBDA_FUNCTION_NAME: 'env-vars',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/env-vars',
      _HANDLER: 'styles.env',
      TZ: ':UTC',
      STAGE: 'test',
    });
    expect(env.AWS_LAMBDA_LOG_STREAM_NAME).toMatch(/^2026\/01\/01\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(env.AWS_EXECUTION_ENV).toMatch(/^AWS_Lambda_nodejs\d+\.x$/);
    expect(env.LAMBDA_TASK_ROOT).toMatch(/fixtures\/functions$/);
    expect(env.TMPDIR).toMatch(/lambdalite-tmp-/);
  });

  it('throttles invocations past the reserved concurrency with TooManyRequestsException and a throttle event', async () => {
    await createFixture(engine, 'capped', 'state.slow', { reservedConcurrency: 2 });
    const throttles = collect(
      engine.events$,
      2,
      (e) => e.type === 'function.throttled' && e.functionName === 'capped',
    ) as Promise<EngineEventOf<'function.throttled'>[]>;
    const calls = Array.from({ length: 4 }, () => engine.functions.invoke('capped', { ms: 100 }));
    const settled = await Promise.allSettled(calls);
    const ok = settled.filter((s) => s.status === 'fulfilled');
    const refused = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
    expect(ok).toHaveLength(2);
    expect(refused).toHaveLength(2);
    const error = await expectCode(
      Promise.reject(refused[0]?.reason),
      'TooManyRequestsException',
      /Reason: ReservedFunctionConcurrentInvocationLimitExceeded/,
    );
    expect(error.statusCode).toBe(429);
    expect((await throttles).map((t) => t.reason)).toEqual([
      'ReservedFunctionConcurrentInvocationLimitExceeded',
      'ReservedFunctionConcurrentInvocationLimitExceeded',
    ]);
    expect(internals(engine).runtime.pool.containers('capped').length).toBeLessThanOrEqual(2);
  });

  it('refuses every invocation of a function with reserved concurrency 0', async () => {
    await createFixture(engine, 'disabled', 'styles.promiseHandler', { reservedConcurrency: 0 });
    await expectCode(engine.functions.invoke('disabled', { n: 1 }), 'TooManyRequestsException');
  });

  it('reaps an idle container after the quiet period on the engine clock', async () => {
    await createFixture(engine, 'reaped', 'styles.promiseHandler');
    await engine.functions.invoke('reaped', { n: 1 });
    expect(internals(engine).runtime.pool.containers('reaped')).toHaveLength(1);
    clock.advance(59_999);
    expect(internals(engine).runtime.pool.containers('reaped')).toHaveLength(1);
    const stopped = nextEvent(engine, 'function.container.stopped', (e) => e.functionName === 'reaped');
    clock.advance(1);
    expect((await stopped).reason).toBe('idle');
    expect(internals(engine).runtime.pool.containers('reaped')).toHaveLength(0);
    const cold = nextEvent(engine, 'function.invocation.completed', (e) => e.functionName === 'reaped');
    await engine.functions.invoke('reaped', { n: 2 });
    expect((await cold).cold).toBe(true);
  });
});

describe('account concurrency', () => {
  it('throttles past quotas.accountConcurrency across functions', async () => {
    const engine = await createEngine({ quotas: { accountConcurrency: 1 } });
    try {
      await createFixture(engine, 'one', 'state.slow');
      await createFixture(engine, 'two', 'state.slow');
      const [first, second] = await Promise.allSettled([
        engine.functions.invoke('one', { ms: 100 }),
        engine.functions.invoke('two', { ms: 100 }),
      ]);
      expect(first.status).toBe('fulfilled');
      expect(second.status).toBe('rejected');
      await expectCode(
        Promise.reject((second as PromiseRejectedResult).reason),
        'TooManyRequestsException',
        /ConcurrentInvocationLimitExceeded/,
      );
    } finally {
      await engine.close();
    }
  });
});

describe('engine close', () => {
  it('terminates busy containers, answering their callers EngineClosed (not a function error), and stops idle ones', async () => {
    const engine = await createEngine({ clock: new ManualClock() });
    await createFixture(engine, 'idle', 'styles.promiseHandler');
    await createFixture(engine, 'busy', 'faults.hangs');
    await engine.functions.invoke('idle', { n: 1 });
    const started = nextEvent(engine, 'function.invocation.started', (e) => e.functionName === 'busy');
    const stops = collect(engine.events$, 2, (e) => e.type === 'function.container.stopped') as Promise<
      EngineEventOf<'function.container.stopped'>[]
    >;
    const pending = engine.functions.invoke('busy');
    await started;
    // The expectation is attached before closing: the rejection arrives during close().
    const closed = expect(pending).rejects.toMatchObject({ code: 'EngineClosed' });
    await engine.close();
    await closed;
    expect((await stops).map((s) => s.reason)).toEqual(['closed', 'closed']);
    expect(internals(engine).runtime.pool.inFlight()).toBe(0);
  });
});
