import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, ManualClock } from '../../src/index.js';
import { nextEvent } from '../helpers/engines.js';
import { createFixture } from '../helpers/functions.js';
import { internals } from '../helpers/harness.js';

/** Each fault is followed by a healthy invocation of the same function on a fresh container. */
describe('faults kill only their container and the next invocation works', () => {
  let engine: Engine;
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  beforeAll(async () => {
    engine = await createEngine({ clock, quotas: { tmpMb: 1 } });
  });
  afterAll(() => engine.close());

  /** Creates a function whose handler is `faults.<fault>`, and a healthy sibling handler in the same module file. */
  async function fault(name: string, handler: string): Promise<void> {
    await createFixture(engine, name, `faults.${handler}`);
  }

  async function expectRecovery(name: string, containerId: string): Promise<void> {
    await engine.functions.update(name, { handler: 'faults.sawTimer' });
    const next = await engine.functions.invoke(name);
    expect(next.functionError).toBeUndefined();
    const [container] = internals(engine).runtime.pool.containers(name);
    expect(container?.id).not.toBe(containerId);
  }

  it('reports a thrown error in AWS shape, keeping the container', async () => {
    await fault('throws', 'throws');
    const result = await engine.functions.invoke('throws');
    expect(result).toMatchObject({ statusCode: 200, functionError: 'Unhandled' });
    expect(result.payload).toMatchObject({ errorType: 'RangeError', errorMessage: 'out of range' });
    expect((result.payload as { trace: string[] }).trace[0]).toBe('RangeError: out of range');
    const again = await engine.functions.invoke('throws');
    expect(again.functionError).toBe('Unhandled');
    expect(internals(engine).runtime.pool.containers('throws')).toHaveLength(1);
  });

  it('reports a rejected promise and a thrown non-Error value', async () => {
    await fault('rejects', 'rejects');
    await fault('throws-string', 'throwsString');
    expect((await engine.functions.invoke('rejects')).payload).toMatchObject({
      errorType: 'Error',
      errorMessage: 'rejected on purpose',
    });
    expect((await engine.functions.invoke('throws-string')).payload).toEqual({
      errorType: 'string',
      errorMessage: 'plain string',
      trace: [],
    });
  });

  it('times out at the deadline on the engine clock, with the configured timeout in the message', async () => {
    await fault('hangs', 'hangs');
    const started = nextEvent(engine, 'function.invocation.started', (e) => e.functionName === 'hangs');
    const stopped = nextEvent(engine, 'function.container.stopped', (e) => e.functionName === 'hangs');
    const pending = engine.functions.invoke('hangs', {}, { logType: 'Tail' });
    const { containerId, requestId } = await started;
    clock.advance(2999);
    expect(internals(engine).runtime.pool.containers('hangs')).toHaveLength(1);
    clock.advance(1);
    const result = await pending;
    expect(result.functionError).toBe('Unhandled');
    expect(result.payload).toMatchObject({ errorType: 'Sandbox.Timedout' });
    expect((result.payload as { errorMessage: string }).errorMessage).toMatch(
      new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z ${requestId} Task timed out after 3\\.00 seconds$`),
    );
    const log = Buffer.from(result.logResult ?? '', 'base64').toString();
    expect(log).toContain(`${requestId} Task timed out after 3.00 seconds`);
    expect(log).toMatch(/REPORT RequestId: \S+\tDuration: 3\d{3}\.\d\d ms\t/);
    expect((await stopped).reason).toBe('timeout');
    await expectRecovery('hangs', containerId);
  });

  it('kills a container whose module init outlives the 10 s init limit and reports a timeout', async () => {
    await createFixture(engine, 'init-hangs', 'init-hangs.handler');
    const spawned = nextEvent(engine, 'function.container.spawned', (e) => e.functionName === 'init-hangs');
    const stopped = nextEvent(engine, 'function.container.stopped', (e) => e.functionName === 'init-hangs');
    const pending = engine.functions.invoke('init-hangs');
    const { containerId } = await spawned;
    clock.advance(10_000);
    const result = await pending;
    expect(result.functionError).toBe('Unhandled');
    expect(result.payload).toMatchObject({
      errorType: 'Sandbox.Timedout',
      errorMessage: expect.stringMatching(/Task timed out after 3\.00 seconds$/),
    });
    expect(await stopped).toMatchObject({ containerId, reason: 'timeout' });
    await engine.functions.update('init-hangs', { handler: 'styles.promiseHandler' });
    expect((await engine.functions.invoke('init-hangs', { n: 2 })).payload).toEqual({ doubled: 4 });
  });

  it('kills a container that exhausts its memory and reports Runtime.ExitError', async () => {
    await fault('oom', 'exhaustsMemory');
    const completed = nextEvent(engine, 'function.invocation.completed', (e) => e.functionName === 'oom');
    const result = await engine.functions.invoke('oom');
    expect(result.functionError).toBe('Unhandled');
    expect(result.payload).toMatchObject({ errorType: 'Runtime.ExitError' });
    expect((result.payload as { errorMessage: string }).errorMessage).toMatch(
      /RequestId: \S+ Error: Runtime exited with error: signal: killed \(out of memory/,
    );
    const event = await completed;
    expect(event.maxMemoryUsedMb).toBe(128);
    await expectRecovery('oom', event.containerId);
  });

  it('reports process.exit(1) as Runtime.ExitError with the exit status', async () => {
    await fault('exits', 'exits');
    const stopped = nextEvent(engine, 'function.container.stopped', (e) => e.functionName === 'exits');
    const result = await engine.functions.invoke('exits');
    expect(result.payload).toMatchObject({
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: ${result.requestId} Error: Runtime exited with error: exit status 1`,
    });
    const { containerId, reason } = await stopped;
    expect(reason).toBe('exit');
    await expectRecovery('exits', containerId);
  });

  it('reports an uncaught exception from a timer with the error itself', async () => {
    await fault('uncaught', 'uncaught');
    const stopped = nextEvent(engine, 'function.container.stopped', (e) => e.functionName === 'uncaught');
    const result = await engine.functions.invoke('uncaught');
    expect(result.functionError).toBe('Unhandled');
    expect(result.payload).toMatchObject({ errorType: 'Error', errorMessage: 'thrown from a timer' });
    const { containerId, reason } = await stopped;
    expect(reason).toBe('crash');
    await expectRecovery('uncaught', containerId);
  });

  it('reports an unhandled rejection as Runtime.UnhandledPromiseRejection', async () => {
    await fault('unhandled', 'unhandledRejection');
    const stopped = nextEvent(engine, 'function.container.stopped', (e) => e.functionName === 'unhandled');
    const result = await engine.functions.invoke('unhandled');
    expect(result.payload).toMatchObject({
      errorType: 'Runtime.UnhandledPromiseRejection',
      errorMessage: 'Error: nobody caught me',
    });
    await expectRecovery('unhandled', (await stopped).containerId);
  });

  it('refuses a write past the /tmp quota with ENOSPC; what gets past it fails the invocation and discards that /tmp', async () => {
    await fault('tmp', 'fillsTmp');
    const fits = await engine.functions.invoke('tmp', { bytes: 1000 });
    const { tmp, TMPDIR } = fits.payload as { tmp: string; TMPDIR: string };
    expect(tmp).toBe(TMPDIR);
    expect(tmp).toMatch(/lambdalite-tmp-/);
    const refused = await engine.functions.invoke('tmp', { bytes: 2 * 1024 * 1024 });
    expect(refused.payload).toMatchObject({
      errorMessage: 'ENOSPC: no space left on device, write (/tmp quota of 1048576 bytes)',
    });
    expect((await engine.functions.invoke('tmp', { bytes: 10 })).payload).toMatchObject({ tmp });
    const stopped = nextEvent(engine, 'function.container.stopped', (e) => e.functionName === 'tmp');
    const over = await engine.functions.invoke('tmp', { bytes: 2 * 1024 * 1024, via: 'handle' });
    expect(over.functionError).toBe('Unhandled');
    expect((over.payload as { errorMessage: string }).errorMessage).toMatch(
      /ENOSPC.*over its quota of 1048576 bytes/,
    );
    expect((await stopped).reason).toBe('tmp-quota');
    const { existsSync } = await import('node:fs');
    expect(existsSync(tmp)).toBe(false);
    const fresh = await engine.functions.invoke('tmp', { bytes: 10 });
    expect((fresh.payload as { tmp: string }).tmp).not.toBe(tmp);
  });

  it('fails the invocation that grew a file past the /tmp quota in a /tmp nothing wrote to before', async () => {
    await fault('tmp-copy', 'fillsTmp');
    const stopped = nextEvent(engine, 'function.container.stopped', (e) => e.functionName === 'tmp-copy');
    const over = await engine.functions.invoke('tmp-copy', { bytes: 2 * 1024 * 1024, via: 'truncate' });
    expect(over.functionError).toBe('Unhandled');
    expect((over.payload as { errorMessage: string }).errorMessage).toMatch(
      /ENOSPC.*over its quota of 1048576 bytes/,
    );
    expect((await stopped).reason).toBe('tmp-quota');
  });

  it('reports a missing module as Runtime.ImportModuleError and a missing export as Runtime.HandlerNotFound', async () => {
    await createFixture(engine, 'no-module', 'nothere.handler');
    await createFixture(engine, 'no-export', 'styles.nothing');
    await createFixture(engine, 'init-throws', 'init-throws.handler');
    expect((await engine.functions.invoke('no-module')).payload).toMatchObject({
      errorType: 'Runtime.ImportModuleError',
      errorMessage: expect.stringContaining("Cannot find module 'nothere'"),
    });
    expect((await engine.functions.invoke('no-export')).payload).toMatchObject({
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: 'styles.nothing is undefined or not exported',
    });
    expect((await engine.functions.invoke('init-throws')).payload).toMatchObject({
      errorType: 'Error',
      errorMessage: 'init failed',
    });
    await engine.functions.update('no-export', { handler: 'styles.promiseHandler' });
    expect((await engine.functions.invoke('no-export', { n: 1 })).payload).toEqual({ doubled: 2 });
  });

  it('turns a response over the sync payload limit into Function.ResponseSizeTooLarge', async () => {
    const small = await createEngine({ quotas: { syncPayloadBytes: 1000 } });
    try {
      await createFixture(small, 'big', 'faults.bigResponse');
      const result = await small.functions.invoke('big', { bytes: 2000 });
      expect(result.functionError).toBe('Unhandled');
      expect(result.payload).toMatchObject({ errorType: 'Function.ResponseSizeTooLarge' });
    } finally {
      await small.close();
    }
  });
});
