/**
 * Async invocation with retries and a dead letter, on a manual clock. Until the function
 * runtime is wired in, a tiny in-process invoker stands in for it.
 *
 *   npx tsx examples/push-dead-letters.ts
 */
import type { FunctionInvoker } from '../src/functions/invoker.js';
import { createEngine, ManualClock } from '../src/index.js';

const clock = new ManualClock(Date.UTC(2026, 0, 1));
const engine = await createEngine({ clock });
const alwaysFails: FunctionInvoker = {
  invoke: async ({ requestId }) => ({
    requestId,
    statusCode: 200,
    functionError: 'Unhandled',
    payload: { errorType: 'Error', errorMessage: 'disk full', trace: [] },
    executedVersion: '$LATEST',
    durationMs: 1,
  }),
};
engine.events$.subscribe((event) => console.log(new Date(event.time).toISOString(), event.type));
engine.asyncInvocations.attachInvoker(alwaysFails);

await engine.asyncInvocations.putEventInvokeConfig('resize', { maximumRetryAttempts: 1 });
const { requestId } = await engine.asyncInvocations.enqueue('resize', { key: 'cat.jpg' });
console.log('accepted (202)', requestId);
await engine.asyncInvocations.idle();
clock.advance(60_000); // the retry is due one minute later
await engine.asyncInvocations.idle();
console.log(await engine.asyncInvocations.deadLetters('resize'));
await engine.close();
