/**
 * Reserved concurrency holds from a function's very first async events on engine processes
 * that never read its configuration: two engines opened after the function was created (and
 * invoking nothing) are handed its events at once beside the engine that created it; each reads
 * the configuration before starting one, so the three together run at most the reserved
 * concurrency of 1, all on the one engine whose share is 1. Engines run in the test process,
 * each with its own in-memory LevelDB. Waits are on gate announcements and engine events, each
 * with a bound.
 */
import { randomUUID } from 'node:crypto';
import { map, merge, type Observable } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { jetstream } from '../../src/backends/jetstream/index.js';
import type { JetStreamPushQueue } from '../../src/backends/jetstream/push-queue.js';
import { createEngine, type Engine, type EngineEvent } from '../../src/index.js';
import { collect, firstMatch } from '../helpers/engines.js';
import { createFixture } from '../helpers/functions.js';
import { GateArrivals, Gates } from '../helpers/gates.js';
import { fileCluster, tapBackend } from './shared-engines.js';

vi.setConfig({ testTimeout: 180_000 });
const EVENTS = 6;

const { cluster, opened } = fileCluster();

/**
 * An engine delivering one event at a time (so each holds at most two: the six events are
 * spread over the three engines), one replica (see shared-engines.ts).
 */
async function open(prefix: string): Promise<{ engine: Engine; queue: JetStreamPushQueue }> {
  const { tapped, parts } = tapBackend(
    jetstream({ servers: cluster().servers, prefix, replicas: 1, asyncQueue: { retryCheckMs: 100 } }),
  );
  const engine = await createEngine({ asyncInvocation: { maxConcurrency: 1 }, backend: tapped });
  opened.push(engine);
  const queue = parts()?.pushQueue as JetStreamPushQueue | undefined;
  if (queue === undefined) throw new Error('the jetstream backend has no shared queue');
  return { engine, queue };
}

describe('reserved concurrency before the first events', () => {
  it('bounds the first events of engines that never read the function by its reserved concurrency', async () => {
    const prefix = `r${randomUUID().slice(0, 8)}`;
    const creator = await open(prefix);
    await createFixture(creator.engine, 'capped', 'gate.handler', { reservedConcurrency: 1, timeoutSec: 60 });
    // Opened after the create (their watch never reports it) and invoking nothing: these two
    // know nothing of 'capped' when its events reach them.
    const engines = [creator, await open(prefix), await open(prefix)];
    await Promise.all(
      engines.map(({ queue }) => firstMatch(queue.members.members$, (list) => list.length === 3, 30_000)),
    );

    const gates = new Gates();
    const arrivals = new GateArrivals(gates);

    try {
      const events$: Observable<{ event: EngineEvent; engine: number }> = merge(
        ...engines.map(({ engine }, index) =>
          engine.events$.pipe(map((event) => ({ event, engine: index }))),
        ),
      );
      const succeeded = collect(
        events$,
        EVENTS,
        ({ event: e }) => e.type === 'async.succeeded' && e.functionName === 'capped',
        150_000,
      );
      const started = collect(
        events$,
        EVENTS,
        ({ event: e }) => e.type === 'function.invocation.started' && e.functionName === 'capped',
        150_000,
      );
      for (let i = 0; i < EVENTS; i++) {
        await creator.engine.functions.invokeAsync('capped', { waitFor: gates.name(`e${i}`) });
      }
      // One at a time: each opened gate lets the next event start, never a second beside it.
      for (let done = 0; done < EVENTS; done++) {
        await arrivals.atLeast(done + 1);
        arrivals.letThrough(arrivals.arrived[done] as string);
      }
      await succeeded;
      expect(arrivals.most).toBe(1);
      // The shares are 1, 0 and 0: without the configuration read first, each engine holding
      // events would have started one of them.
      expect(new Set((await started).map((e) => e.engine)).size).toBe(1);
    } finally {
      arrivals.close();
    }
  });
});
