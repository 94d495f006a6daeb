import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { collect } from '../helpers/engines.js';
import { expectCode } from '../helpers/errors.js';
import { createFixture } from '../helpers/functions.js';
import { internals } from '../helpers/harness.js';

describe('invoke: invocation types and payload limits', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await createEngine({ quotas: { asyncPayloadBytes: 1000, syncPayloadBytes: 2000 } });
    await createFixture(engine, 'target', 'styles.promiseHandler');
  });
  afterAll(() => engine.close());

  it('validates a DryRun without running anything and answers 204', async () => {
    const result = await engine.functions.invoke('target', { n: 1 }, { invocationType: 'DryRun' });
    expect(result.statusCode).toBe(204);
    expect(internals(engine).runtime.pool.containers('target')).toHaveLength(0);
    await expectCode(
      engine.functions.invoke('ghost', {}, { invocationType: 'DryRun' }),
      'ResourceNotFoundException',
    );
  });

  it('queues Event invocations and invokeAsync durably, answers 202, then runs them', async () => {
    const enqueued = collect(engine.events$, 2, (e) => e.type === 'async.enqueued');
    const succeeded = collect(engine.events$, 2, (e) => e.type === 'async.succeeded');
    const event = await engine.functions.invoke('target', { n: 2 }, { invocationType: 'Event' });
    expect(event.statusCode).toBe(202);
    expect(event.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const legacy = await engine.functions.invokeAsync(
      'arn:aws:lambda:us-east-1:000000000000:function:target',
      { n: 3 },
    );
    expect(legacy.statusCode).toBe(202);
    const queuedIds = (await enqueued).map((e) => (e.type === 'async.enqueued' ? e.requestId : ''));
    expect(queuedIds).toEqual([event.requestId, legacy.requestId]);
    const ranIds = (await succeeded).map((e) => (e.type === 'async.succeeded' ? e.requestId : ''));
    expect(ranIds.sort()).toEqual([event.requestId, legacy.requestId].sort());
  });

  it('refuses an Event invocation of an unknown function before queueing', async () => {
    const before = await engine.asyncInvocations.pendingCount();
    await expectCode(engine.functions.invokeAsync('ghost', {}), 'ResourceNotFoundException');
    expect(await engine.asyncInvocations.pendingCount()).toBe(before);
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
      /options.invocationType must be one of RequestResponse, Event, DryRun, got "Later"/,
    );
    await expectCode(engine.functions.invoke('target', { n: 1n }), 'InvalidRequestContentException', /JSON/);
  });

  it('serves dispatchers through the FunctionInvoker seam with the caller request id', async () => {
    const outcome = await internals(engine).runtime.invoke({
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
});
