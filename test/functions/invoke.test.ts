import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AsyncInvocationQueue, createEngine, type Engine } from '../../src/index.js';
import { nextEvent } from '../helpers/engines.js';
import { expectCode } from '../helpers/errors.js';
import { createFixture } from '../helpers/functions.js';

class RecordingQueue implements AsyncInvocationQueue {
  readonly events: Array<{ functionName: string; payload: unknown }> = [];
  async enqueue(functionName: string, payload: unknown): Promise<{ requestId: string }> {
    this.events.push({ functionName, payload });
    return { requestId: `queued-${this.events.length}` };
  }
}

describe('invoke: invocation types and payload limits', () => {
  let engine: Engine;
  const queue = new RecordingQueue();
  beforeAll(async () => {
    engine = await createEngine({ quotas: { asyncPayloadBytes: 1000, syncPayloadBytes: 2000 } });
    engine.functions.setAsyncQueue(queue);
    await createFixture(engine, 'target', 'styles.promiseHandler');
  });
  afterAll(() => engine.close());

  it('validates a DryRun without running anything and answers 204', async () => {
    const result = await engine.functions.invoke('target', { n: 1 }, { invocationType: 'DryRun' });
    expect(result.statusCode).toBe(204);
    expect(engine.functions.runtime.pool.containers('target')).toHaveLength(0);
    await expectCode(
      engine.functions.invoke('ghost', {}, { invocationType: 'DryRun' }),
      'ResourceNotFoundException',
    );
  });

  it('hands Event invocations and invokeAsync to the async queue and answers 202', async () => {
    const queued = nextEvent(engine, 'function.invoke.queued');
    const event = await engine.functions.invoke('target', { n: 2 }, { invocationType: 'Event' });
    expect(event).toEqual({ statusCode: 202, requestId: 'queued-1' });
    expect((await queued).requestId).toBe('queued-1');
    const legacy = await engine.functions.invokeAsync(
      'arn:aws:lambda:us-east-1:000000000000:function:target',
      { n: 3 },
    );
    expect(legacy.statusCode).toBe(202);
    expect(queue.events).toEqual([
      { functionName: 'target', payload: { n: 2 } },
      { functionName: 'target', payload: { n: 3 } },
    ]);
  });

  it('refuses an Event invocation of an unknown function before queueing', async () => {
    await expectCode(engine.functions.invokeAsync('ghost', {}), 'ResourceNotFoundException');
    expect(queue.events).toHaveLength(2);
  });

  it('refuses payloads over the async and sync limits with RequestTooLargeException naming the size', async () => {
    const big = { data: 'x'.repeat(1500) };
    const asyncErr = await expectCode(
      engine.functions.invokeAsync('target', big),
      'RequestTooLargeException',
      /smaller than 1000 bytes.*got 1511 bytes/,
    );
    expect(asyncErr.statusCode).toBe(413);
    await expectCode(
      engine.functions.invoke('target', { data: 'x'.repeat(2500) }),
      'RequestTooLargeException',
      /smaller than 2000 bytes.*got 2511 bytes/,
    );
  });

  it('refuses an unknown invocation type and a payload that is not JSON', async () => {
    await expectCode(
      engine.functions.invoke('target', {}, { invocationType: 'Later' as 'Event' }),
      'InvalidParameterValueException',
      /options.invocationType must be RequestResponse, Event or DryRun, got "Later"/,
    );
    await expectCode(engine.functions.invoke('target', { n: 1n }), 'InvalidRequestContentException', /JSON/);
  });

  it('serves dispatchers through the FunctionInvoker seam with the caller request id', async () => {
    const outcome = await engine.functions.invoker.invoke({
      functionName: 'target',
      payload: { n: 5 },
      requestId: 'fixed-id',
      invocationType: 'Event',
    });
    expect(outcome).toMatchObject({
      requestId: 'fixed-id',
      statusCode: 200,
      payload: { doubled: 10 },
      executedVersion: '$LATEST',
    });
    expect(outcome.durationMs).toBeGreaterThan(0);
  });

  it('refuses Event invocations when no queue is attached', async () => {
    const bare = await createEngine();
    try {
      await createFixture(bare, 'target', 'styles.promiseHandler');
      await expectCode(bare.functions.invokeAsync('target', {}), 'ServiceException', /setAsyncQueue/);
    } finally {
      await bare.close();
    }
  });
});
