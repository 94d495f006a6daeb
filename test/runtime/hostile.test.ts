import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, ManualClock } from '../../src/index.js';
import { nextEvent } from '../helpers/engines.js';
import { createFixture } from '../helpers/functions.js';
import { internals } from '../helpers/harness.js';

const MiB = 1024 * 1024;

/**
 * A function's code attacks the host from inside its container (test/fixtures/functions/
 * hostile.mjs, real workers): each attack ends at most that container, and another function
 * still answers afterwards.
 */
describe('a hostile function ends only its own container', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await createEngine({ clock: new ManualClock(Date.UTC(2026, 0, 1)), quotas: { tmpMb: 1 } });
    await createFixture(engine, 'healthy', 'hostile.healthy');
  });
  afterAll(() => engine.close());

  async function attack(handler: string, name = handler): Promise<string> {
    await createFixture(engine, name, `hostile.${handler}`);
    return name;
  }

  async function expectOthersWork(): Promise<void> {
    expect((await engine.functions.invoke('healthy')).payload).toBe('healthy');
  }

  it('ignores messages of the wrong shape posted on the worker port (null, undefined, forged results)', async () => {
    const name = await attack('postsJunk');
    const result = await engine.functions.invoke(name);
    expect(result.functionError).toBeUndefined();
    expect(result.payload).toBe('still here');
    expect((await engine.functions.invoke(name)).payload).toBe('still here');
    await expectOthersWork();
  });

  it('answers Function.ResponseSizeTooLarge for a 200 MB string without building its JSON', async () => {
    const name = await attack('hugeString');
    const result = await engine.functions.invoke(name, { mb: 200 });
    expect(result.functionError).toBe('Unhandled');
    expect(result.payload).toEqual({
      errorType: 'Function.ResponseSizeTooLarge',
      errorMessage: 'Response payload size exceeded maximum allowed payload size (6291456 bytes).',
      trace: [],
    });
    // The container survives: nothing was built past the limit.
    expect(internals(engine).runtime.pool.containers(name)).toHaveLength(1);
    await expectOthersWork();
  });

  it('answers Function.ResponseSizeTooLarge for an object whose JSON would be 300 MB', async () => {
    const name = await attack('hugeNested');
    const result = await engine.functions.invoke(name, { mb: 300 });
    expect(result.payload).toMatchObject({ errorType: 'Function.ResponseSizeTooLarge' });
    expect(internals(engine).runtime.pool.containers(name)).toHaveLength(1);
    await expectOthersWork();
  });

  it.each([
    ['Buffers in a synchronous loop', 'holdsBuffers'],
    ['typed arrays in a synchronous loop', 'holdsTypedArrays'],
    ['native allocations between awaits', 'holdsEncoded'],
  ])('ends a 128 MB container that holds 256 MB of %s, reporting 128 MB used', async (_what, handler) => {
    const name = await attack(handler);
    const stopped = nextEvent(engine, 'function.container.stopped', (e) => e.functionName === name);
    const completed = nextEvent(engine, 'function.invocation.completed', (e) => e.functionName === name);
    const result = await engine.functions.invoke(name, { mb: 256 });
    expect(result.payload).toMatchObject({
      errorType: 'Runtime.ExitError',
      errorMessage: expect.stringMatching(/signal: killed \(out of memory: limit of 128 MB reached\)$/),
    });
    expect((await stopped).reason).toBe('out-of-memory');
    expect((await completed).maxMemoryUsedMb).toBe(128);
    await expectOthersWork();
  });

  it('counts Buffers in Max Memory Used when they fit', async () => {
    const name = await attack('holdsBuffers', 'fitting-buffers');
    const completed = nextEvent(engine, 'function.invocation.completed', (e) => e.functionName === name);
    expect((await engine.functions.invoke(name, { mb: 64 })).payload).toBe(64);
    expect((await completed).maxMemoryUsedMb).toBeGreaterThanOrEqual(64);
  });

  it('refuses writes past the /tmp quota with ENOSPC while the invocation runs, keeping the container', async () => {
    const name = await attack('fillsTmpInLoop');
    const result = await engine.functions.invoke(name, { mb: 8 });
    const { written, code } = result.payload as { written: number; code?: string };
    expect(code).toBe('ENOSPC');
    expect(written).toBeLessThanOrEqual(MiB);
    expect(internals(engine).runtime.pool.containers(name)).toHaveLength(1);
    await expectOthersWork();
  });

  it('ends a container whose child process fills /tmp while the handler waits', async () => {
    const name = await attack('childFillsTmp');
    const stopped = nextEvent(engine, 'function.container.stopped', (e) => e.functionName === name);
    const result = await engine.functions.invoke(name, { mb: 8 });
    expect(result.payload).toMatchObject({
      errorMessage: expect.stringMatching(/^ENOSPC: .* over its quota of 1048576 bytes$/),
    });
    expect((await stopped).reason).toBe('tmp-quota');
    await expectOthersWork();
  });

  it('kills the child processes that keep files open in a /tmp over its quota', async () => {
    const name = await attack('childHoldsTmp');
    const logged = nextEvent(
      engine,
      'function.log',
      (e) => e.functionName === name && e.kind === 'user' && e.message.startsWith('child '),
    );
    const stopped = nextEvent(engine, 'function.container.stopped', (e) => e.functionName === name);
    const result = await engine.functions.invoke(name, { mb: 4 });
    expect(result.payload).toMatchObject({ errorMessage: expect.stringMatching(/^ENOSPC: /) });
    const pid = Number((await logged).message.slice('child '.length));
    await stopped;
    expect(existsSync(`/proc/${pid}`) && !isZombie(pid)).toBe(false);
    await expectOthersWork();
  });
});

/** A killed child not yet reaped by Node still has a /proc entry, in state Z. */
function isZombie(pid: number): boolean {
  try {
    return /\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}
