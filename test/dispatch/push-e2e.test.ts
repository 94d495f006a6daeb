/**
 * The push model end to end with the real parts: buckets notify, the durable queue dispatches,
 * real functions run in worker threads (test/fixtures/functions/journal.mjs appends every event
 * it receives to the file its JOURNAL variable names), destinations are real functions, streams
 * and buckets. Time is a ManualClock; every wait is an engine event with a bound.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { EngineEventOf, EngineEventType } from '../../src/events.js';
import type { Engine, NotificationConfigurationInput, S3EventRecord } from '../../src/index.js';
import { ManualClock } from '../../src/index.js';
import {
  BACKEND_KINDS,
  type BackendKind,
  collect,
  nextEvent,
  openEngine,
  tempDir,
} from '../helpers/engines.js';
import { createFixture } from '../helpers/functions.js';
import { allowS3 } from '../helpers/iam.js';
import { readShard } from '../streams/helpers.js';
import { T0 } from './push-helpers.js';

/** Grants S3 the invoke permission for every function a configuration names, then sets it. */
async function notify(engine: Engine, bucket: string, config: NotificationConfigurationInput): Promise<void> {
  const names = new Set(
    (config.lambdaFunctionConfigurations ?? []).map((c) => c.functionArn.split(':').pop() ?? ''),
  );
  for (const name of names) await allowS3(engine, name, bucket);
  await engine.buckets.putNotificationConfiguration(bucket, config);
}

const BOUND = 20_000;

interface Journaled {
  key: string;
  requestId: string;
  function: string;
  event: { Records?: S3EventRecord[] } & Record<string, unknown>;
}

const md5 = (body: string): string => createHash('md5').update(body).digest('hex');

function read(file: string): Journaled[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .slice(0, -1) // only newline-terminated lines: a worker may be appending right now
    .map((line) => JSON.parse(line) as Journaled);
}

async function setup(kind: BackendKind, engineOptions: Parameters<typeof openEngine>[1] = {}) {
  const clock = new ManualClock(T0);
  const engine = await openEngine(kind, { clock, ...engineOptions });
  const journal = join(await tempDir(), 'journal.ndjson');
  /** A real function that journals what it receives: `record` succeeds, `recordThenThrow` fails. */
  const fn = (name: string, handler = 'record', options: Parameters<typeof createFixture>[3] = {}) =>
    createFixture(engine, name, `journal.${handler}`, { environment: { JOURNAL: journal }, ...options });
  return { engine, clock, journal: () => read(journal), fn };
}

/** The next `count` engine events of `type` matching `predicate`, bounded. */
function events<K extends EngineEventType>(
  engine: Engine,
  type: K,
  count: number,
  predicate: (e: EngineEventOf<K>) => boolean = () => true,
): Promise<EngineEventOf<K>[]> {
  return collect(
    engine.events$ as Observable<{ type: string }>,
    count,
    (e) => e.type === type && predicate(e as EngineEventOf<K>),
    BOUND,
  ) as Promise<EngineEventOf<K>[]>;
}

/** Resolves after `count` successful deliveries of `functionName`. */
const succeeded = (engine: Engine, functionName: string, count: number) =>
  events(engine, 'async.succeeded', count, (e) => e.functionName === functionName);

describe.each(BACKEND_KINDS)('bucket notifications to real functions (%s)', (kind) => {
  it('hands the function the exact record for put, overwrite, copy and delete, the key form-URL-encoded', async () => {
    const { engine, journal, fn } = await setup(kind);
    const thumbs = await fn('thumbs');
    await engine.buckets.create('photos');
    await notify(engine, 'photos', {
      lambdaFunctionConfigurations: [
        { id: 'all', functionArn: thumbs.functionArn, events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'] },
      ],
    });
    const emitted: S3EventRecord[] = [];
    engine.buckets.events$.subscribe((r) => emitted.push(r));
    const delivered = succeeded(engine, 'thumbs', 4);

    const key = 'my photos/été 2026.jpg';
    await engine.buckets.putObject('photos', key, 'first');
    await engine.buckets.putObject('photos', key, 'second body');
    await engine.buckets.copyObject('photos', key, 'photos', 'copies/été.jpg');
    await engine.buckets.deleteObject('photos', key);
    const done = await delivered;

    const received = journal();
    expect(received).toHaveLength(4);
    // Each invocation got exactly the record the bucket produced, stamped with the configuration id.
    for (const record of emitted) {
      const id = record.responseElements['x-amz-request-id'];
      const got = received.find((r) => r.event.Records?.[0]?.responseElements['x-amz-request-id'] === id);
      expect(got?.event).toEqual({ Records: [{ ...record, s3: { ...record.s3, configurationId: 'all' } }] });
    }
    const byEvent = (name: string, k: string) =>
      received.map((r) => r.event.Records?.[0]).filter((r) => r?.eventName === name && r.s3.object.key === k);
    const encoded = 'my+photos/%C3%A9t%C3%A9+2026.jpg';
    const [first, overwrite] = byEvent('ObjectCreated:Put', encoded).sort((a, b) =>
      (a?.s3.object.size ?? 0) < (b?.s3.object.size ?? 0) ? -1 : 1,
    );
    expect(first).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventTime: new Date(T0).toISOString(),
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'all',
        bucket: { name: 'photos', arn: 'arn:aws:s3:::photos' },
        object: { key: encoded, size: 5, eTag: md5('first') },
      },
    });
    expect(overwrite?.s3.object).toMatchObject({ key: encoded, size: 11, eTag: md5('second body') });
    const [copy] = byEvent('ObjectCreated:Copy', 'copies/%C3%A9t%C3%A9.jpg');
    expect(copy?.s3.object).toMatchObject({ size: 11, eTag: md5('second body') });
    const [removal] = byEvent('ObjectRemoved:Delete', encoded);
    expect(removal?.s3.object).toEqual({ key: encoded, sequencer: expect.stringMatching(/^[0-9A-F]+$/) });
    // Sequencers of one key order its events (reference §1.1: left-pad, compare).
    const seq = [first, overwrite, removal].map((r) => (r?.s3.object.sequencer ?? '').padStart(32, '0'));
    expect([...seq].sort()).toEqual(seq);
    // The function's context.awsRequestId is the async request id.
    expect(new Set(received.map((r) => r.requestId))).toEqual(new Set(done.map((e) => e.requestId)));
  });

  it('lets prefix, suffix and event-type wildcards decide which function gets which event', async () => {
    const { engine, journal, fn } = await setup(kind);
    const images = await fn('images');
    const copies = await fn('copies');
    const removals = await fn('removals');
    const texts = await fn('texts');
    await engine.buckets.create('media');
    await notify(engine, 'media', {
      lambdaFunctionConfigurations: [
        {
          functionArn: images.functionArn,
          events: ['s3:ObjectCreated:*'],
          filter: { prefix: 'img/', suffix: '.jpg' },
        },
        { functionArn: copies.functionArn, events: ['s3:ObjectCreated:Copy'], filter: { prefix: 'backup/' } },
        { functionArn: texts.functionArn, events: ['s3:ObjectCreated:Put'], filter: { suffix: '.txt' } },
        { functionArn: removals.functionArn, events: ['s3:ObjectRemoved:*'] },
      ],
    });
    const all = events(engine, 'async.succeeded', 5);
    await engine.buckets.putObject('media', 'img/a.jpg', 'a');
    await engine.buckets.putObject('media', 'img/a.png', 'a');
    await engine.buckets.putObject('media', 'doc/b.jpg', 'b');
    await engine.buckets.putObject('media', 'notes.txt', 'n');
    await engine.buckets.copyObject('media', 'notes.txt', 'media', 'copy.txt');
    await engine.buckets.copyObject('media', 'img/a.jpg', 'media', 'backup/a.jpg');
    await engine.buckets.copyObject('media', 'img/a.jpg', 'media', 'img/c.jpg');
    await engine.buckets.deleteObject('media', 'img/a.png');
    await all;
    await engine.asyncInvocations.idle();

    const got = (name: string) =>
      journal()
        .filter((r) => r.function === name)
        .map((r) => `${r.event.Records?.[0]?.eventName} ${r.key}`)
        .sort();
    expect(got('images')).toEqual(['ObjectCreated:Copy img/c.jpg', 'ObjectCreated:Put img/a.jpg']);
    expect(got('copies')).toEqual(['ObjectCreated:Copy backup/a.jpg']);
    expect(got('texts')).toEqual(['ObjectCreated:Put notes.txt']);
    expect(got('removals')).toEqual(['ObjectRemoved:Delete img/a.png']);
    expect(await engine.asyncInvocations.pendingCount()).toBe(0);
  });

  it('retries a failing function about 1 and 2 minutes later with the same request id, then dead-letters and redrives it', async () => {
    const { engine, clock, journal, fn } = await setup(kind);
    const flaky = await fn('flaky', 'recordThenThrow');
    await engine.buckets.create('inbox');
    await notify(engine, 'inbox', {
      lambdaFunctionConfigurations: [{ functionArn: flaky.functionArn, events: ['s3:ObjectCreated:*'] }],
    });
    const attempts = events(engine, 'async.attempt', 3, (e) => e.functionName === 'flaky');
    const failed = nextEvent(engine, 'async.failed', (e) => e.functionName === 'flaky', BOUND);
    const firstRetry = nextEvent(engine, 'async.retry-scheduled', () => true, BOUND);
    await engine.buckets.putObject('inbox', 'order.json', '{}');
    const one = await firstRetry;
    expect(one).toMatchObject({ attempts: 1, delayMs: 60_000, nextAttemptAt: T0 + 60_000 });
    const secondRetry = nextEvent(engine, 'async.retry-scheduled', (e) => e.attempts === 2, BOUND);
    clock.advance(59_999);
    expect(journal()).toHaveLength(1); // not before its time
    clock.advance(1);
    const two = await secondRetry;
    expect(two).toMatchObject({ delayMs: 120_000, nextAttemptAt: T0 + 180_000 });
    clock.advance(120_000);
    expect(await failed).toMatchObject({
      requestId: one.requestId,
      condition: 'RetriesExhausted',
      attempts: 3,
      destination: 'dead-letter',
    });
    expect((await attempts).map((e) => [e.time, e.outcome])).toEqual([
      [T0, 'function-error'],
      [T0 + 60_000, 'function-error'],
      [T0 + 180_000, 'function-error'],
    ]);
    expect(journal().map((r) => r.requestId)).toEqual([one.requestId, one.requestId, one.requestId]);

    const [letter, ...more] = await engine.functions.deadLetters('flaky');
    expect(more).toEqual([]);
    expect(letter).toMatchObject({
      requestId: one.requestId,
      condition: 'RetriesExhausted',
      attempts: 3,
      lastError: 'Error: refused order.json',
    });
    expect(letter?.payload).toEqual(journal()[0]?.event);

    // Fixed: the function now succeeds, and the redriven event keeps its request id.
    await engine.functions.update('flaky', { handler: 'journal.record' });
    const redelivered = nextEvent(engine, 'async.succeeded', (e) => e.functionName === 'flaky', BOUND);
    expect(await engine.functions.redrive('flaky')).toEqual({ requestIds: [one.requestId] });
    expect(await redelivered).toMatchObject({ requestId: one.requestId, attempts: 1 });
    expect(journal().map((r) => r.requestId)).toEqual(Array(4).fill(one.requestId));
    expect(await engine.functions.deadLetters('flaky')).toEqual([]);
  });

  it('answers 202 once the event is durable, before the function has run', async () => {
    const { engine, clock } = await setup(kind);
    await createFixture(engine, 'slow', 'faults.hangs', { timeoutSec: 1 });
    const seen: string[] = [];
    engine.events$.subscribe((e) => {
      if (e.type === 'function.invocation.started' || e.type === 'function.invocation.completed')
        seen.push(e.type);
    });
    const started = nextEvent(engine, 'function.invocation.started', (e) => e.functionName === 'slow', BOUND);
    const answer = await engine.functions.invoke('slow', { n: 1 }, { invocationType: 'Event' });
    expect(answer).toMatchObject({ statusCode: 202, requestId: expect.any(String) });
    expect(seen).toEqual([]);
    expect((await started).requestId).toBe(answer.requestId);
    // The invocation hangs until its 1 s timeout on the engine clock; then it is a function error.
    const retry = nextEvent(engine, 'async.retry-scheduled', (e) => e.requestId === answer.requestId, BOUND);
    clock.advance(1_000);
    expect(await retry).toMatchObject({ attempts: 1 });
  });

  it('delivers many objects concurrently, each event exactly once when the function succeeds', async () => {
    // Four containers at most: enough to interleave, few cold starts on a shared test machine.
    const { engine, journal, fn } = await setup(kind, { asyncInvocation: { maxConcurrencyPerFunction: 4 } });
    const counter = await fn('counter');
    await engine.buckets.create('many');
    await notify(engine, 'many', {
      lambdaFunctionConfigurations: [{ functionArn: counter.functionArn, events: ['s3:ObjectCreated:Put'] }],
    });
    const spawned = new Set<string>();
    engine.events$.subscribe((e) => {
      if (e.type === 'function.container.spawned') spawned.add(e.containerId);
    });
    const N = 60;
    const delivered = succeeded(engine, 'counter', N);
    const keys = Array.from({ length: N }, (_, i) => `item-${i}`);
    await Promise.all(keys.map((k) => engine.buckets.putObject('many', k, k)));
    await delivered;
    await engine.asyncInvocations.idle();
    expect(
      journal()
        .map((r) => r.key)
        .sort(),
    ).toEqual([...keys].sort());
    // Cold starts are paced: a fast function may take them all in one or two containers, never
    // more than maxConcurrencyPerFunction.
    expect(spawned.size).toBeGreaterThanOrEqual(1);
    expect(spawned.size).toBeLessThanOrEqual(4);
  });

  it("runs no more of a function's events at once than its reserved concurrency, so none is throttled", async () => {
    const { engine, journal, fn } = await setup(kind);
    const narrow = await fn('narrow', 'record', { reservedConcurrency: 2 });
    await engine.buckets.create('narrow');
    await notify(engine, 'narrow', {
      lambdaFunctionConfigurations: [{ functionArn: narrow.functionArn, events: ['s3:ObjectCreated:*'] }],
    });
    let throttles = 0;
    let running = 0;
    let most = 0;
    engine.events$.subscribe((e) => {
      if (e.type === 'async.throttled') throttles++;
      if (e.type === 'function.invocation.started') most = Math.max(most, ++running);
      if (e.type === 'function.invocation.completed') running--;
    });
    const delivered = succeeded(engine, 'narrow', 20);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => engine.buckets.putObject('narrow', `n-${i}`, 'x')),
    );
    await delivered;
    expect(journal()).toHaveLength(20);
    expect(throttles).toBe(0);
    expect(most).toBeLessThanOrEqual(2);
  });
});

type DestinationKind = 'function' | 'stream' | 'bucket';

describe.each(BACKEND_KINDS)('on-failure destinations of real functions (%s)', (kind) => {
  it.each<DestinationKind>(['function', 'stream', 'bucket'])(
    'delivers RetriesExhausted and EventAgeExceeded records to a %s destination',
    async (destination) => {
      const { engine, clock, journal, fn } = await setup(kind);
      const arn = `arn:aws:lambda:us-east-1:000000000000:function`;
      let onFailure: string;
      if (destination === 'function') onFailure = (await fn('sink')).functionArn;
      else if (destination === 'stream') {
        await engine.streams.create('failures', { shardCount: 1 });
        onFailure = 'arn:aws:kinesis:us-east-1:000000000000:stream/failures';
      } else {
        await engine.buckets.create('failures');
        onFailure = 'arn:aws:s3:::failures';
      }
      const exhausted = await fn('exhausted', 'recordThenThrow');
      const aged = await fn('aged', 'recordThenThrow');
      await engine.functions.putEventInvokeConfig('exhausted', { maximumRetryAttempts: 0, onFailure });
      await engine.functions.putEventInvokeConfig('aged', { maximumEventAgeSec: 60, onFailure });
      await engine.buckets.create('source');
      await notify(engine, 'source', {
        lambdaFunctionConfigurations: [
          { functionArn: exhausted.functionArn, events: ['s3:ObjectCreated:*'], filter: { prefix: 'x/' } },
          { functionArn: aged.functionArn, events: ['s3:ObjectCreated:*'], filter: { prefix: 'a/' } },
        ],
      });
      const failed = events(engine, 'async.failed', 2);
      const sunk = destination === 'function' ? succeeded(engine, 'sink', 2) : undefined;
      const agedRetry = nextEvent(engine, 'async.retry-scheduled', (e) => e.functionName === 'aged', BOUND);
      const exhaustedFailed = nextEvent(engine, 'async.failed', (e) => e.functionName === 'exhausted', BOUND);
      await engine.buckets.putObject('source', 'x/1.json', '{}');
      await engine.buckets.putObject('source', 'a/1.json', '{}');
      expect(await agedRetry).toMatchObject({ delayMs: 60_000 });
      await exhaustedFailed;
      // Nothing in flight when time jumps (a jump past a running invocation's timeout ends it).
      await engine.asyncInvocations.idle();
      clock.advance(60_001); // the retry is due, but the event is now older than 60 s
      const outcomes = await failed;
      expect(outcomes.map((e) => [e.functionName, e.condition, e.destination]).sort()).toEqual([
        ['aged', 'EventAgeExceeded', onFailure],
        ['exhausted', 'RetriesExhausted', onFailure],
      ]);
      await sunk;

      let records: unknown[];
      if (destination === 'function') {
        records = journal()
          .filter((r) => r.function === 'sink')
          .map((r) => r.event);
      } else if (destination === 'stream') {
        const { records: written } = await readShard(engine, 'failures', 'shardId-000000000000');
        records = written.map((r) => JSON.parse(r.data.toString('utf8')));
        expect(written.map((r) => r.partitionKey).sort()).toEqual(outcomes.map((e) => e.requestId).sort());
      } else {
        const { contents } = await engine.buckets.listObjects('failures');
        expect(contents.map((o) => o.key).sort()).toEqual(
          outcomes
            .map((e) => {
              const at = e.functionName === 'aged' ? T0 + 60_001 : T0;
              const stamp = new Date(at).toISOString().slice(0, 19).replace(/:/g, '.');
              return `aws/lambda/async/${e.functionName}/${stamp.slice(0, 10).replace(/-/g, '/')}/${stamp}-${e.requestId}`;
            })
            .sort(),
        );
        records = await Promise.all(
          contents.map(async (o) =>
            JSON.parse((await engine.buckets.getObject('failures', o.key)).body.toString('utf8')),
          ),
        );
      }
      const payloadOf = (name: string) => journal().find((r) => r.function === name)?.event;
      const idOf = (name: string) => outcomes.find((e) => e.functionName === name)?.requestId;
      expect(records).toHaveLength(2);
      expect(records).toContainEqual({
        version: '1.0',
        timestamp: new Date(T0).toISOString(),
        requestContext: {
          requestId: idOf('exhausted'),
          functionArn: `${arn}:exhausted:$LATEST`,
          condition: 'RetriesExhausted',
          approximateInvokeCount: 1,
        },
        requestPayload: payloadOf('exhausted'),
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        responsePayload: { errorType: 'Error', errorMessage: 'refused x/1.json', trace: expect.any(Array) },
      });
      expect(records).toContainEqual({
        version: '1.0',
        timestamp: new Date(T0 + 60_001).toISOString(),
        requestContext: {
          requestId: idOf('aged'),
          functionArn: `${arn}:aged:$LATEST`,
          condition: 'EventAgeExceeded',
          approximateInvokeCount: 1,
        },
        requestPayload: payloadOf('aged'),
      });
      expect(await engine.functions.deadLetters('exhausted')).toEqual([]);
      expect(await engine.functions.deadLetters('aged')).toEqual([]);
    },
  );
});
