import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startWith } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createEngine, ManualClock } from '../../src/index.js';
import { firstMatch, nextEvent, onCleanup, tempDir } from '../helpers/engines.js';
import { openEngineWith, queueOf } from '../helpers/harness.js';
import { T0 } from './push-helpers.js';
import { ScriptedInvoker } from './scripted-invoker.js';

describe('async invocation queue across restarts', () => {
  it('delivers pending entries after reopening and keeps a scheduled retry on its schedule', async () => {
    const location = await tempDir();
    const first = await openEngineWith(
      'disk',
      { location, clock: new ManualClock(T0) },
      { invoker: new ScriptedInvoker().script('flaky', 'error') },
    );
    const retry = nextEvent(first, 'async.retry-scheduled');
    const flaky = await queueOf(first).enqueue('flaky', { n: 1 });
    expect(await retry).toMatchObject({ nextAttemptAt: T0 + 60_000 });
    await first.close();

    const second = await createEngine({ location, clock: new ManualClock(T0 + 1_000) });
    const steady = await queueOf(second).enqueue('steady', { n: 2 });
    await second.close();

    const clock = new ManualClock(T0 + 2_000);
    const invoker = new ScriptedInvoker();
    const third = await openEngineWith('disk', { location, clock }, { invoker });
    const steadyDone = nextEvent(third, 'async.succeeded', (e) => e.requestId === steady.requestId);
    expect(await steadyDone).toMatchObject({ attempts: 1 });
    await third.asyncInvocations.idle();
    expect(invoker.callsFor('flaky')).toHaveLength(0);
    expect(clock.nextDueAt()).toBe(T0 + 60_000);

    const flakyDone = nextEvent(third, 'async.succeeded', (e) => e.requestId === flaky.requestId);
    clock.set(T0 + 60_000);
    expect(await flakyDone).toMatchObject({ attempts: 2, time: T0 + 60_000 });
    expect(invoker.callsFor('flaky')[0]?.requestId).toBe(flaky.requestId);
  });

  it('leaves an invocation still running at close to be redelivered after reopening', async () => {
    const location = await tempDir();
    let release = (): void => undefined;
    let started = (): void => undefined;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const hanging = new ScriptedInvoker();
    hanging.gate = () => {
      started();
      return new Promise<void>((resolve) => {
        release = resolve;
      });
    };
    const first = await openEngineWith(
      'disk',
      { location, asyncInvocation: { closeDrainMs: 0 } },
      { invoker: hanging },
    );
    const { requestId } = await queueOf(first).enqueue('slow', {});
    await running;
    await first.close();
    release();

    const invoker = new ScriptedInvoker();
    const second = await openEngineWith('disk', { location }, { invoker });
    const done = nextEvent(second, 'async.succeeded', (e) => e.requestId === requestId);
    expect(await done).toMatchObject({ attempts: 1 });
    expect(invoker.calls.map((c) => c.requestId)).toEqual([requestId]);
  });

  it('delivers every acknowledged object event and Event invoke at least once after the writer is killed', async () => {
    const location = await tempDir();
    const journal = join(await tempDir(), 'journal.ndjson');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/fixtures/push-crash-child.ts', location, journal],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const acknowledged: string[] = [];
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout });
      lines.on('line', (line) => {
        acknowledged.push(line);
        if (acknowledged.length === 300) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    });
    await exited;

    // Reopen with the real runtime: the function `recorder` appends every key it receives. Four
    // containers keep cold starts few on a shared test machine.
    const engine = await createEngine({ location, asyncInvocation: { maxConcurrencyPerFunction: 4 } });
    onCleanup(() => engine.close());
    const missing = (): string[] => {
      const seen = new Set(
        existsSync(journal)
          ? readFileSync(journal, 'utf8')
              .split('\n')
              // A worker may be appending right now: only newline-terminated lines are complete.
              .slice(0, -1)
              .map((line) => (JSON.parse(line) as { key: string }).key)
          : [],
      );
      return acknowledged.filter((key) => !seen.has(key));
    };
    // Checked now (the child may have delivered everything) and after every delivery.
    await firstMatch(
      engine.events$.pipe(startWith(undefined)),
      (event) => (event === undefined || event.type === 'async.succeeded') && missing().length === 0,
      45_000,
    ).catch(() => undefined);
    expect(missing()).toEqual([]);
    await engine.asyncInvocations.idle();
    expect(await engine.functions.deadLetters('recorder')).toEqual([]);
  }, 60_000);
});
