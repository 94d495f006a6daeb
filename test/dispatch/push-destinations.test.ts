import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/index.js';
import { BACKEND_KINDS, nextEvent } from '../helpers/engines.js';
import { openEngineWith, queueOf } from '../helpers/harness.js';
import { followSchedule, T0 } from './push-helpers.js';
import { ScriptedInvoker } from './scripted-invoker.js';

const ARN = 'arn:aws:lambda:us-east-1:000000000000:function';

describe.each(BACKEND_KINDS)('async invocation destinations (%s)', (kind) => {
  it('sends a RetriesExhausted record to an on-failure function, in AWS shape', async () => {
    const clock = new ManualClock(T0);
    const invoker = new ScriptedInvoker().always('fn', 'error');
    const engine = await openEngineWith(kind, { clock }, { invoker: invoker });
    await engine.asyncInvocations.putEventInvokeConfig('fn', {
      maximumRetryAttempts: 1,
      onFailure: `${ARN}:sink`,
    });
    followSchedule(engine, clock);

    const failed = nextEvent(engine, 'async.failed');
    const delivered = nextEvent(engine, 'async.succeeded', (e) => e.functionName === 'sink');
    const { requestId } = await queueOf(engine).enqueue('fn', { order: 7 });
    expect(await failed).toMatchObject({
      requestId,
      destination: `${ARN}:sink`,
      condition: 'RetriesExhausted',
    });
    await delivered;

    const [call] = invoker.callsFor('sink');
    expect(call?.requestId).not.toBe(requestId);
    expect(call?.payload).toEqual({
      version: '1.0',
      timestamp: new Date(T0 + 60_000).toISOString(),
      requestContext: {
        requestId,
        functionArn: `${ARN}:fn:$LATEST`,
        condition: 'RetriesExhausted',
        approximateInvokeCount: 2,
      },
      requestPayload: { order: 7 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'Error', errorMessage: 'boom', trace: [] },
    });
    expect(await engine.asyncInvocations.deadLetters('fn')).toEqual([]);
  });

  it('sends an EventAgeExceeded record without response context', async () => {
    const clock = new ManualClock(T0);
    const invoker = new ScriptedInvoker().always('fn', 'throttle');
    const engine = await openEngineWith(kind, { clock }, { invoker: invoker });
    await engine.asyncInvocations.putEventInvokeConfig('fn', {
      maximumEventAgeSec: 60,
      onFailure: `${ARN}:sink`,
    });
    followSchedule(engine, clock);

    const delivered = nextEvent(engine, 'async.succeeded', (e) => e.functionName === 'sink');
    const { requestId } = await queueOf(engine).enqueue('fn', { order: 8 });
    await delivered;
    expect(invoker.callsFor('sink')[0]?.payload).toEqual({
      version: '1.0',
      timestamp: new Date(T0 + 63_000).toISOString(),
      requestContext: {
        requestId,
        functionArn: `${ARN}:fn:$LATEST`,
        condition: 'EventAgeExceeded',
        approximateInvokeCount: 0,
      },
      requestPayload: { order: 8 },
    });
  });

  it('writes a Success record to an on-success stream, keyed by the request id', async () => {
    const written: Array<{ stream: string; partitionKey: string; data: unknown }> = [];
    const engine = await openEngineWith(
      kind,
      { clock: new ManualClock(T0) },
      {
        invoker: new ScriptedInvoker(),
        destinationTargets: {
          putStreamRecord: async (stream, partitionKey, data) => {
            written.push({ stream, partitionKey, data: JSON.parse(data.toString()) });
          },
        },
      },
    );
    const stream = 'arn:aws:kinesis:us-east-1:000000000000:stream/results';
    await engine.asyncInvocations.putEventInvokeConfig('fn', { onSuccess: stream });

    const succeeded = nextEvent(engine, 'async.succeeded');
    const { requestId } = await queueOf(engine).enqueue('fn', { a: 1 });
    expect(await succeeded).toMatchObject({ requestId, attempts: 1, destination: stream });
    expect(written).toEqual([
      {
        stream: 'results',
        partitionKey: requestId,
        data: {
          version: '1.0',
          timestamp: new Date(T0).toISOString(),
          requestContext: {
            requestId,
            functionArn: `${ARN}:fn:$LATEST`,
            condition: 'Success',
            approximateInvokeCount: 1,
          },
          requestPayload: { a: 1 },
          responseContext: { statusCode: 200, executedVersion: '$LATEST' },
          responsePayload: { handled: { a: 1 } },
        },
      },
    ]);
    expect(await engine.asyncInvocations.pendingCount()).toBe(0);
  });

  it('writes a failure record to an on-failure bucket under aws/lambda/async/<function>/', async () => {
    const objects: Array<{ bucket: string; key: string; body: { requestContext: { condition: string } } }> =
      [];
    const engine = await openEngineWith(
      kind,
      { clock: new ManualClock(T0) },
      {
        invoker: new ScriptedInvoker().always('fn', 'error'),
        destinationTargets: {
          putBucketObject: async (bucket, key, body) => {
            objects.push({ bucket, key, body: JSON.parse(body.toString()) });
          },
        },
      },
    );
    await engine.asyncInvocations.putEventInvokeConfig('fn', {
      maximumRetryAttempts: 0,
      onFailure: 'arn:aws:s3:::failures',
    });
    const failed = nextEvent(engine, 'async.failed');
    const { requestId } = await queueOf(engine).enqueue('fn', {});
    expect(await failed).toMatchObject({ destination: 'arn:aws:s3:::failures' });
    expect(objects).toHaveLength(1);
    expect(objects[0]?.bucket).toBe('failures');
    expect(objects[0]?.key).toBe(`aws/lambda/async/fn/2026/01/01/2026-01-01T12.00.00-${requestId}`);
    expect(objects[0]?.body.requestContext.condition).toBe('RetriesExhausted');
  });

  it('keeps the event as a dead letter when its on-failure destination refuses the record', async () => {
    const engine = await openEngineWith(
      kind,
      { clock: new ManualClock(T0) },
      { invoker: new ScriptedInvoker().always('fn', 'error') },
    );
    const stream = 'arn:aws:kinesis:us-east-1:000000000000:stream/missing';
    await engine.asyncInvocations.putEventInvokeConfig('fn', { maximumRetryAttempts: 0, onFailure: stream });
    const failed = nextEvent(engine, 'async.failed');
    const { requestId } = await queueOf(engine).enqueue('fn', { keep: true });
    const event = await failed;
    expect(event).toMatchObject({ requestId, destination: 'dead-letter' });
    // Stream destinations write to the engine's real streams: this one does not exist.
    expect(event.destinationError).toMatch(/stream\/missing: Stream missing not found/);
    const [letter] = await engine.asyncInvocations.deadLetters('fn');
    expect(letter).toMatchObject({ requestId, payload: { keep: true }, condition: 'RetriesExhausted' });
    expect(letter?.destinationError).toMatch(/stream\/missing/);
  });
});
