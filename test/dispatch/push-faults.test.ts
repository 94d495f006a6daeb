import { describe, expect, it } from 'vitest';
import type { FunctionInvoker } from '../../src/functions/invoker.js';
import { createEngine, ManualClock } from '../../src/index.js';
import { nextEvent, tempDir } from '../helpers/engines.js';
import { openEngineWith, queueOf } from '../helpers/harness.js';
import { T0 } from './push-helpers.js';
import { ScriptedInvoker } from './scripted-invoker.js';

describe('async invocation faults', () => {
  it('reschedules an event whose settle fails unexpectedly, as a service error, instead of spinning', async () => {
    const clock = new ManualClock(T0);
    let calls = 0;
    const unserialisable: FunctionInvoker = {
      invoke: async ({ requestId }) => {
        calls++;
        return {
          requestId,
          statusCode: 200,
          payload: { big: 1n },
          executedVersion: '$LATEST',
          durationMs: 1,
        };
      },
    };
    const engine = await openEngineWith(
      'memory',
      { clock },
      { invoker: unserialisable, destinationTargets: { putStreamRecord: async () => undefined } },
    );
    await engine.asyncInvocations.putEventInvokeConfig('fn', {
      onSuccess: 'arn:aws:kinesis:us-east-1:000000000000:stream/results',
    });
    const throttled = nextEvent(engine, 'async.throttled');
    const { requestId } = await queueOf(engine).enqueue('fn', {});
    const event = await throttled;
    expect(event).toMatchObject({ requestId, throttles: 1, delayMs: 1_000 });
    expect(event.reason).toMatch(/service error \(ServiceException: .*BigInt/);
    await engine.asyncInvocations.idle();
    expect(calls).toBe(1);
    expect(clock.nextDueAt()).toBe(T0 + 1_000);
  });

  it('dead-letters an event whose destination no longer belongs to the engine after a reopen', async () => {
    const location = await tempDir();
    const first = await createEngine({ location });
    await first.asyncInvocations.putEventInvokeConfig('fn', {
      maximumRetryAttempts: 0,
      onFailure: 'arn:aws:lambda:us-east-1:000000000000:function:sink',
    });
    await first.close();
    const second = await openEngineWith(
      'disk',
      { location, region: 'eu-west-1' },
      { invoker: new ScriptedInvoker().always('fn', 'error') },
    );
    const failed = nextEvent(second, 'async.failed');
    await queueOf(second).enqueue('fn', {});
    const event = await failed;
    expect(event).toMatchObject({ destination: 'dead-letter', condition: 'RetriesExhausted' });
    expect(event.destinationError).toMatch(/eu-west-1/);
    expect(await second.asyncInvocations.deadLetters('fn')).toHaveLength(1);
  });
});
