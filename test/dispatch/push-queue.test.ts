import { describe, expect, it, vi } from 'vitest';
import type { NotificationDelivery, S3EventRecord } from '../../src/buckets/notification-sink.js';
import { createContext, Lifecycle, resolveOptions } from '../../src/context.js';
import { AsyncQueue } from '../../src/dispatch/push/async-queue.js';
import type { DestinationTargets } from '../../src/dispatch/push/destinations.js';
import { QueueStore } from '../../src/dispatch/push/store.js';
import { EventHub } from '../../src/events.js';
import type { FunctionInvoker } from '../../src/functions/invoker.js';
import { type EngineOptions, ManualClock } from '../../src/index.js';
import { Storage } from '../../src/storage/storage.js';
import {
  BACKEND_KINDS,
  type BackendKind,
  collect,
  firstMatch,
  jetstreamOptions,
  nextEvent,
  onCleanup,
  openEngine,
  STORAGE_KINDS,
  tempDir,
} from '../helpers/engines.js';
import { expectCode } from '../helpers/errors.js';
import { openEngineWith, queueOf } from '../helpers/harness.js';
import { T0 } from './push-helpers.js';
import { ScriptedInvoker } from './scripted-invoker.js';

const unusedTargets: DestinationTargets = {
  putStreamRecord: async () => {
    throw new Error('no stream destination in these tests');
  },
  putBucketObject: async () => {
    throw new Error('no bucket destination in these tests');
  },
};

/** The queue on its own storage, as buckets see it: they commit our ops in their own batch. */
async function standaloneQueue(kind: BackendKind, invoker: FunctionInvoker) {
  const clock = new ManualClock(T0);
  const storage = await Storage.open(kind === 'disk' ? await tempDir() : undefined);
  const ctx = createContext(resolveOptions({ clock }), storage, new EventHub(clock), new Lifecycle());
  // On jetstream the queue is the cluster's (its notifications still go into this storage first).
  const parts =
    kind === 'jetstream' ? await (await jetstreamOptions()).backend?.open({ storage }) : undefined;
  onCleanup(() =>
    ctx.lifecycle
      .close()
      .then(() => parts?.close())
      .then(() => storage.close()),
  );
  const queue = new AsyncQueue(ctx, ctx.options.asyncInvocation, {
    invoker,
    targets: unusedTargets,
    ...(parts?.pushQueue ? { backend: parts.pushQueue } : {}),
  });
  queue.start();
  return { ctx, storage, queue };
}

function s3Record(key: string): S3EventRecord {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: 'us-east-1',
    eventTime: new Date(T0).toISOString(),
    eventName: 'ObjectCreated:Put',
    userIdentity: { principalId: 'lambdalite' },
    requestParameters: { sourceIPAddress: '127.0.0.1' },
    responseElements: { 'x-amz-request-id': 'r', 'x-amz-id-2': 'i' },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'cfg',
      bucket: { name: 'photos', ownerIdentity: { principalId: 'lambdalite' }, arn: 'arn:aws:s3:::photos' },
      object: { key, size: 1, eTag: 'e', sequencer: '01' },
    },
  };
}

describe.each(BACKEND_KINDS)('async invocation queue (%s)', (kind) => {
  it('acknowledges an enqueue once durable, before the function runs, and never waits for it', async () => {
    const order: string[] = [];
    let release = (): void => undefined;
    let started = (): void => undefined;
    const invocationStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    const invoker = new ScriptedInvoker();
    invoker.gate = () => {
      order.push('invoked');
      started();
      return new Promise<void>((resolve) => {
        release = resolve;
      });
    };
    const engine = await openEngineWith(kind, { clock: new ManualClock(T0) }, { invoker: invoker });
    const attempt = nextEvent(engine, 'async.attempt');
    const { requestId } = await queueOf(engine).enqueue('fn', { a: 1 });
    order.push('acknowledged');
    expect(await engine.asyncInvocations.pendingCount()).toBe(1);
    await invocationStarted;
    expect(engine.asyncInvocations.inFlight).toBe(1);
    expect(order).toEqual(['acknowledged', 'invoked']);
    release();
    expect(await attempt).toMatchObject({ requestId, outcome: 'success' });
  });

  // Handed over in memory (the default), all read back from storage (0), and a budget of a few
  // events, so hand-overs, refusals and scans interleave.
  it.each([
    ['in memory', undefined],
    ['read back', 0],
    ['over a small hand-over budget', 64],
  ])(
    'delivers many events unordered, each exactly once, within the concurrency bounds (%s)',
    async (_, handOverBytes) => {
      const engineOptions: EngineOptions = {
        clock: new ManualClock(T0),
        asyncInvocation: { maxConcurrency: 6, maxConcurrencyPerFunction: 4, handOverBytes },
      };
      const invoker = new ScriptedInvoker();
      invoker.gate = () => new Promise((resolve) => setImmediate(resolve));
      const engine = await openEngineWith(kind, engineOptions, { invoker: invoker });
      const total = 120;
      const done = collect(engine.events$, total, (e) => e.type === 'async.succeeded', 20_000);
      const ids = await Promise.all(
        Array.from({ length: total }, (_, i) => queueOf(engine).enqueue(i % 2 ? 'odd' : 'even', { i })),
      );
      await done;
      const invoked = invoker.calls.map((c) => c.requestId).sort();
      expect(invoked).toEqual(ids.map((r) => r.requestId).sort());
      expect(invoker.maxRunning).toBeLessThanOrEqual(6);
      expect(invoker.maxRunning).toBeGreaterThan(1);
      expect(invoker.maxRunningPerFunction.get('odd')).toBeLessThanOrEqual(4);
      expect(invoker.maxRunningPerFunction.get('even')).toBeLessThanOrEqual(4);
      expect(await engine.asyncInvocations.pendingCount()).toBe(0);
    },
  );

  it("delivers a function's event while another function's large backlog is saturated", async () => {
    const engineOptions: EngineOptions = {
      clock: new ManualClock(T0),
      asyncInvocation: { maxConcurrency: 4, maxConcurrencyPerFunction: 2 },
    };
    const releases: Array<() => void> = [];
    const invoker = new ScriptedInvoker();
    invoker.gate = (request) =>
      request.functionName === 'busy'
        ? new Promise<void>((resolve) => releases.push(resolve))
        : Promise.resolve();
    const engine = await openEngineWith(kind, engineOptions, { invoker: invoker });
    await Promise.all(Array.from({ length: 100 }, (_, i) => queueOf(engine).enqueue('busy', { i })));
    const other = await queueOf(engine).enqueue('other', {});
    const delivered = nextEvent(engine, 'async.succeeded', (e) => e.requestId === other.requestId);
    await delivered;
    expect(invoker.callsFor('busy').length).toBeLessThanOrEqual(2);
    invoker.gate = undefined;
    for (const release of releases) release();
    const drained = collect(
      engine.events$,
      100,
      (e) => e.type === 'async.succeeded' && e.functionName === 'busy',
    );
    await drained;
  });

  it('delivers events refused by a full hand-over before fresh events that come after them', async () => {
    const clock = new ManualClock(T0);
    const payload = { data: 'x'.repeat(100) };
    const bytes = Buffer.byteLength(JSON.stringify(payload));
    // Room in memory for 40 waiting events (more than a read-ahead); one slot, so they wait.
    const engineOptions: EngineOptions = {
      clock,
      asyncInvocation: { maxConcurrency: 1, maxConcurrencyPerFunction: 1, handOverBytes: 40 * bytes },
    };
    const releases: Array<() => void> = [];
    let started = (): void => undefined;
    const invoker = new ScriptedInvoker();
    invoker.gate = () =>
      new Promise<void>((release) => {
        releases.push(release);
        started();
      });
    const engine = await openEngineWith(kind, engineOptions, { invoker: invoker });
    const running = () =>
      new Promise<void>((resolve) => {
        started = resolve;
      });
    const delivered = collect(engine.events$, 43, (e) => e.type === 'async.succeeded');
    const ids: string[] = [];
    const enqueue = async () => {
      clock.advance(1); // due order is queue order
      ids.push((await queueOf(engine).enqueue('fn', payload)).requestId);
    };
    let next = running();
    await enqueue(); // 1 runs
    await next;
    for (let n = 2; n <= 41; n++) await enqueue(); // 2-41 wait in memory
    await enqueue(); // 42: memory is full, storage only
    next = running();
    releases.shift()?.();
    await next; // 2 runs; 39 still wait in memory, so nothing is read from storage yet
    await enqueue(); // 43: fresh, with room in memory again, but after 42
    invoker.gate = undefined;
    releases.shift()?.();
    await delivered;
    expect(invoker.calls.map((c) => c.requestId)).toEqual(ids);
  });

  it('lists dead letters with payload, condition, attempts and error, and redrives them with fresh attempts', async () => {
    const clock = new ManualClock(T0);
    const invoker = new ScriptedInvoker().script('fn', 'error', 'error');
    const engine = await openEngineWith(kind, { clock }, { invoker: invoker });
    await engine.asyncInvocations.putEventInvokeConfig('fn', { maximumRetryAttempts: 0 });
    const failures = collect(engine.events$, 2, (e) => e.type === 'async.failed');
    const a = await queueOf(engine).enqueue('fn', { n: 'a' });
    const b = await queueOf(engine).enqueue('fn', { n: 'b' });
    await failures;
    const letters = await engine.asyncInvocations.deadLetters('fn');
    expect(letters.map((l) => l.requestId).sort()).toEqual([a.requestId, b.requestId].sort());
    expect(letters.find((l) => l.requestId === a.requestId)).toEqual({
      requestId: a.requestId,
      functionName: 'fn',
      payload: { n: 'a' },
      source: 'invoke',
      condition: 'RetriesExhausted',
      attempts: 1,
      lastError: 'Error: boom',
      enqueuedAt: T0,
      failedAt: T0,
    });

    clock.advance(3_600_000);
    await expectCode(engine.asyncInvocations.redrive('fn', ['nope']), 'ResourceNotFoundException', /'nope'/);
    const redriven = nextEvent(engine, 'async.redriven');
    const succeeded = nextEvent(engine, 'async.succeeded');
    expect(await engine.asyncInvocations.redrive('fn', [a.requestId])).toEqual({ requestIds: [a.requestId] });
    expect(await redriven).toMatchObject({ functionName: 'fn', requestIds: [a.requestId] });
    expect(await succeeded).toMatchObject({ requestId: a.requestId, attempts: 1 });
    expect((await engine.asyncInvocations.deadLetters('fn')).map((l) => l.requestId)).toEqual([b.requestId]);
    expect(invoker.callsFor('fn').at(-1)).toMatchObject({ requestId: a.requestId, payload: { n: 'a' } });
  });

  it('queues one { Records: [record] } event per bucket notification, in the caller batch', async () => {
    const invoker = new ScriptedInvoker();
    const { ctx, storage, queue } = await standaloneQueue(kind, invoker);
    const deliveries: NotificationDelivery[] = [
      {
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:thumbs',
        bucket: 'photos',
        record: s3Record('a b.jpg'),
      },
      {
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:index:$LATEST',
        bucket: 'photos',
        record: s3Record('c'),
      },
    ];
    const enqueued = collect(ctx.events.events$, 2, (e) => e.type === 'async.enqueued');
    const succeeded = collect(ctx.events.events$, 2, (e) => e.type === 'async.succeeded');
    const ops = queue.deliveryOps(deliveries);
    expect(ops).toHaveLength(2);
    expect(await queue.pendingCount()).toBe(0);
    // A bucket writes these ops in its object batch; here they are committed alone.
    await storage.batch(ops);
    queue.committed(deliveries);
    expect((await enqueued).map((e) => (e.type === 'async.enqueued' ? e.source : ''))).toEqual([
      'aws:s3',
      'aws:s3',
    ]);
    await succeeded;
    expect(invoker.callsFor('thumbs')[0]?.payload).toEqual({ Records: [s3Record('a b.jpg')] });
    expect(invoker.callsFor('index')[0]?.payload).toEqual({ Records: [s3Record('c')] });
  });

  it('keeps the invocation role of a failed notification in its dead letter', async () => {
    const { ctx, storage, queue } = await standaloneQueue(
      kind,
      new ScriptedInvoker().always('thumbs', 'error'),
    );
    await queue.putEventInvokeConfig('thumbs', { maximumRetryAttempts: 0 });
    const role = 'arn:aws:iam::000000000000:role/s3-invoke';
    const deliveries: NotificationDelivery[] = [
      {
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:thumbs',
        invocationRole: role,
        bucket: 'photos',
        record: s3Record('k'),
      },
    ];
    const failed = firstMatch(ctx.events.events$, (e) => e.type === 'async.failed');
    await storage.batch(queue.deliveryOps(deliveries));
    queue.committed(deliveries);
    await failed;
    expect(await queue.deadLetters('thumbs')).toMatchObject([{ source: 'aws:s3', invocationRole: role }]);
  });

  it('refuses enqueues, config and redrive once the engine is closed', async () => {
    const engine = await openEngine(kind);
    await engine.close();
    await expectCode(queueOf(engine).enqueue('fn', {}), 'EngineClosed');
    await expectCode(engine.asyncInvocations.putEventInvokeConfig('fn', {}), 'EngineClosed');
    await expectCode(engine.asyncInvocations.redrive('fn'), 'EngineClosed');
  });

  it('refuses a payload over the async limit and a malformed function name, writing nothing', async () => {
    const engine = await openEngine(kind, { quotas: { asyncPayloadBytes: 100 } });
    await expectCode(
      queueOf(engine).enqueue('fn', { big: 'x'.repeat(200) }),
      'RequestTooLargeException',
      /smaller than 100 bytes .* got 21\d bytes/,
    );
    await expectCode(queueOf(engine).enqueue('bad name', {}), 'InvalidParameterValueException', /"bad name"/);
    expect(await engine.asyncInvocations.pendingCount()).toBe(0);
  });
});

describe.each(STORAGE_KINDS)('the first pass after start (%s)', (kind) => {
  it('lists only what was stored before start: events queued while it runs are handed over, never read back', async () => {
    // The pass's two reads wait for the test, so events are queued while it runs.
    let listed: () => void = () => undefined;
    const listGate = new Promise<void>((resolve) => {
      listed = resolve;
    });
    let scanned: () => void = () => undefined;
    const scanGate = new Promise<void>((resolve) => {
      scanned = resolve;
    });
    const list = QueueStore.prototype.functionsWithEntries;
    const due = QueueStore.prototype.dueKeysFor;
    const listing = vi.spyOn(QueueStore.prototype, 'functionsWithEntries').mockImplementation(async function (
      this: QueueStore,
      ...args
    ) {
      await listGate;
      return list.apply(this, args);
    });
    vi.spyOn(QueueStore.prototype, 'dueKeysFor').mockImplementation(async function (
      this: QueueStore,
      ...args
    ) {
      await scanGate;
      return due.apply(this, args);
    });
    const reads = vi.spyOn(QueueStore.prototype, 'entriesAt');
    onCleanup(async () => {
      vi.restoreAllMocks();
    });
    const invoker = new ScriptedInvoker();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    invoker.gate = () => held;
    const { queue } = await standaloneQueue(kind, invoker);
    await queue.enqueue('fn', { n: 1 });
    await queue.enqueue('fn', { n: 2 });
    listed();
    await listing.mock.results[0]?.value;
    // Queued while the pass waits for its key read: no function was stored before start, so
    // nothing is in backlog and the event is handed over like the two before it.
    await queue.enqueue('fn', { n: 3 });
    scanned();
    release();
    await queue.idle();
    expect(
      invoker
        .callsFor('fn')
        .map((c) => (c.payload as { n: number }).n)
        .sort(),
    ).toEqual([1, 2, 3]);
    expect(reads).not.toHaveBeenCalled();
    expect(await queue.pendingCount()).toBe(0);
  });
});
