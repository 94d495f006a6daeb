/**
 * The async queue's settings shared between engine processes on one JetStream cluster: an event
 * invoke config put on one engine applies to the events another engine queues (whichever engine
 * delivers them), a delete reaches every engine, and a function's reserved concurrency bounds
 * the invocations of all engines together (each runs at most its share). Engines run in the test
 * process, each with its own in-memory LevelDB, so what they share came through the cluster.
 * Waits are on engine events, the stores' change notifications, gate announcements and the
 * consumer's state, each with a bound; no sleeps.
 */
import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { map, merge, type Observable } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { jetstream } from '../../src/backends/jetstream/index.js';
import type { JetStreamPushQueue } from '../../src/backends/jetstream/push-queue.js';
import type { EventInvokeConfigChange } from '../../src/dispatch/push/queue-backend.js';
import { createEngine, type Engine, type EngineEvent, type EngineOptions } from '../../src/index.js';
import { collect, firstMatch } from '../helpers/engines.js';
import { createFixture } from '../helpers/functions.js';
import { GateArrivals, Gates } from '../helpers/gates.js';
import { fileCluster, fileConnection, tapBackend } from './shared-engines.js';

vi.setConfig({ testTimeout: 120_000 });
const ARN = 'arn:aws:lambda:us-east-1:000000000000:function';

const { cluster, opened } = fileCluster();
const nc = fileConnection(cluster);

interface Opened {
  readonly engine: Engine;
  readonly queue: JetStreamPushQueue;
  /** Event invoke config changes this engine took from other engines. */
  readonly configChanges$: Observable<EventInvokeConfigChange>;
}

/** An engine on the cluster under `prefix` (one replica: see shared-engines.ts), closed after the test. */
async function open(prefix: string, options: EngineOptions = {}): Promise<Opened> {
  const backend = jetstream({
    servers: cluster().servers,
    prefix,
    replicas: 1,
    asyncQueue: { retryCheckMs: 100 },
  });
  const { tapped, parts } = tapBackend(backend);
  const engine = await createEngine({ ...options, backend: tapped });
  opened.push(engine);
  const queue = parts()?.pushQueue as JetStreamPushQueue | undefined;
  const changes$ = queue?.invokeConfigs.changes$;
  if (queue === undefined || changes$ === undefined)
    throw new Error('the jetstream backend has no shared queue');
  return { engine, queue, configChanges$: changes$ };
}

const freshPrefix = (): string => `a${randomUUID().slice(0, 8)}`;

/** An engine event and the index of the engine that emitted it. */
interface Tagged {
  readonly event: EngineEvent;
  readonly engine: number;
}

function eventsOf(engines: readonly Engine[]): Observable<Tagged> {
  return merge(
    ...engines.map((engine, index) => engine.events$.pipe(map((event) => ({ event, engine: index })))),
  );
}

describe('event invoke configs shared through the cluster', () => {
  it('applies a config put on one engine to an event queued on another: its retries and its on-failure destination', async () => {
    const prefix = freshPrefix();
    // Retries 50 ms apart: without the shared config (two retries by default) the event would
    // fail after three attempts, not one.
    const options = { asyncInvocation: { functionErrorDelaysMs: [50, 50] } };
    const a = await open(prefix, options);
    const b = await open(prefix, options);
    await createFixture(a.engine, 'fail', 'queue.fail', { timeoutSec: 30 });
    await createFixture(a.engine, 'sink', 'queue.ok', { timeoutSec: 30 });

    const seen = firstMatch(b.configChanges$, (c) => c.functionName === 'fail', 30_000);
    const put = await a.engine.functions.putEventInvokeConfig('fail', {
      maximumRetryAttempts: 0,
      onFailure: `${ARN}:sink`,
    });
    expect((await seen).config).toEqual(put);
    expect(await b.engine.functions.getEventInvokeConfig('fail')).toEqual(put);

    const events$ = eventsOf([a.engine, b.engine]);
    const attempts: number[] = [];
    const counting = events$.subscribe(({ event: e }) => {
      if (e.type === 'async.attempt' && e.functionName === 'fail') attempts.push(e.attempt);
    });
    const failed = firstMatch(
      events$,
      ({ event: e }) => e.type === 'async.failed' && e.functionName === 'fail',
      60_000,
    );
    const delivered = firstMatch(
      events$,
      ({ event: e }) => e.type === 'async.succeeded' && e.functionName === 'sink',
      60_000,
    );
    const { requestId } = await b.engine.functions.invokeAsync('fail', { order: 1 });
    expect((await failed).event).toMatchObject({
      requestId,
      attempts: 1,
      condition: 'RetriesExhausted',
      destination: `${ARN}:sink`,
    });
    await delivered;
    counting.unsubscribe();
    expect(attempts).toEqual([1]);
    expect(await a.engine.asyncInvocations.deadLetters('fail')).toEqual([]);
  });

  it('deletes on one engine a config put on another, and a put replaces the config everywhere', async () => {
    const prefix = freshPrefix();
    const a = await open(prefix);
    const b = await open(prefix);
    await createFixture(a.engine, 'fn', 'queue.ok');

    let seen = firstMatch(b.configChanges$, (c) => c.functionName === 'fn' && c.config !== undefined, 30_000);
    await a.engine.functions.putEventInvokeConfig('fn', { maximumRetryAttempts: 1 });
    await seen;
    seen = firstMatch(
      a.configChanges$,
      (c) => c.functionName === 'fn' && c.config?.maximumEventAgeSec === 120,
      30_000,
    );
    const replaced = await b.engine.functions.putEventInvokeConfig('fn', { maximumEventAgeSec: 120 });
    await seen;
    // AWS's Put semantics: the omitted retry count is back to its default.
    expect(await a.engine.functions.getEventInvokeConfig('fn')).toEqual(replaced);
    expect(replaced.maximumRetryAttempts).toBe(2);

    seen = firstMatch(a.configChanges$, (c) => c.functionName === 'fn' && c.config === undefined, 30_000);
    await b.engine.functions.deleteEventInvokeConfig('fn');
    await seen;
    await expect(a.engine.functions.getEventInvokeConfig('fn')).rejects.toMatchObject({
      code: 'ResourceNotFoundException',
    });
    await expect(a.engine.functions.deleteEventInvokeConfig('fn')).rejects.toMatchObject({
      code: 'ResourceNotFoundException',
    });
  });

  it('refuses a bad config on any engine with its AWS code, and stores nothing', async () => {
    const prefix = freshPrefix();
    const a = await open(prefix);
    const b = await open(prefix);
    await createFixture(a.engine, 'fn', 'queue.ok');
    await expect(
      b.engine.functions.putEventInvokeConfig('fn', { maximumRetryAttempts: 3 }),
    ).rejects.toMatchObject({
      code: 'InvalidParameterValueException',
      message: expect.stringContaining('got 3'),
    });
    await expect(a.engine.functions.getEventInvokeConfig('fn')).rejects.toMatchObject({
      code: 'ResourceNotFoundException',
    });
  });
});

describe('reserved concurrency across the cluster', () => {
  it('runs at most the reserved concurrency of a function on all engines together, each engine its share', async () => {
    const prefix = freshPrefix();
    const engines = [await open(prefix), await open(prefix), await open(prefix)];
    // Every engine has counted the three before any event is queued.
    await Promise.all(
      engines.map(({ queue }) => firstMatch(queue.members.members$, (list) => list.length === 3, 30_000)),
    );
    const RESERVED = 2;
    const EVENTS = 8;
    await createFixture(engines[0]?.engine as Engine, 'capped', 'gate.handler', {
      reservedConcurrency: RESERVED,
      timeoutSec: 60,
    });

    // Running invocations: arrived at their gate and not let through yet.
    const gates = new Gates();
    const arrivals = new GateArrivals(gates);

    try {
      const events$ = eventsOf(engines.map((e) => e.engine));
      const succeeded = collect(
        events$,
        EVENTS,
        ({ event: e }) => e.type === 'async.succeeded' && e.functionName === 'capped',
        120_000,
      );
      const started = collect(
        events$,
        EVENTS,
        ({ event: e }) => e.type === 'function.invocation.started' && e.functionName === 'capped',
        120_000,
      );
      for (let i = 0; i < EVENTS; i++) {
        await engines[i % 3]?.engine.functions.invokeAsync('capped', { waitFor: gates.name(`e${i}`) });
      }
      // Two run; and every event was handed to some engine, which started it if its share let it.
      await arrivals.atLeast(RESERVED);
      await consumerDelivered(prefix, 60_000);
      expect(arrivals.running).toBe(RESERVED);

      // Let them through one at a time: each freed slot starts one more, never a third at once.
      for (let done = 0; done < EVENTS; done++) {
        arrivals.letThrough(arrivals.arrived[done] as string);
        if (done + RESERVED < EVENTS) await arrivals.atLeast(done + RESERVED + 1);
      }
      await succeeded;
      expect(arrivals.most).toBe(RESERVED);
      // The shares are 1, 1 and 0: two engines ran the function.
      expect(new Set((await started).map((e) => e.engine)).size).toBe(RESERVED);
    } finally {
      arrivals.close();
    }
  });
});

/** Resolves once the queue's consumer has handed every message out at least once (bounded). */
async function consumerDelivered(prefix: string, ms: number): Promise<void> {
  const jsm = await jetstreamManager(nc());
  const until = Date.now() + ms;
  for (;;) {
    const info = await jsm.consumers.info(`${prefix}_queue`, 'dispatch');
    if (info.num_pending === 0) return;
    if (Date.now() > until) throw new Error(`the queue's consumer still has ${info.num_pending} undelivered`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
