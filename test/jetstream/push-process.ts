/**
 * One engine process of the multi-process push tests (spawned by
 * test/jetstream/push-processes.test.ts with `node --import tsx`). It creates what every copy of a
 * service would: the functions `ok`, `fail` (2 retries, 200 and 400 ms apart: the engine's retry
 * option) and `held` (hangs in the process started with HANG=1). It reports over IPC every
 * delivery attempt, outcome and invocation start, enqueues events when asked, and lists dead
 * letters when asked.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstream } from '../../src/backends/jetstream/index.js';
import { createEngine } from '../../src/index.js';
import { createFixture } from '../helpers/functions.js';
import { clusterFromEnv, env, send as sendToTest, unlessCreated } from './shared-setup.js';

export type PushChildMessage =
  | { type: 'ready' }
  | { type: 'enqueued'; functionName: string; requestIds: string[] }
  | { type: 'attempt'; requestId: string; functionName: string; attempt: number; outcome: string }
  | { type: 'succeeded'; requestId: string; functionName: string; attempts: number }
  | { type: 'failed'; requestId: string; functionName: string; attempts: number; destination: string }
  | { type: 'started'; requestId: string; functionName: string }
  | { type: 'dead'; requestIds: string[] };

export type PushParentMessage =
  | { type: 'enqueue'; functionName: string; count: number }
  | { type: 'deadLetters'; functionName: string };

const send = (message: PushChildMessage): void => sendToTest(message);

const engine = await createEngine({
  backend: jetstream({
    ...clusterFromEnv(),
    asyncQueue: { ackWaitMs: Number(env('ACK_WAIT_MS')), retryCheckMs: 100 },
  }),
  // Few containers per process and a long timeout: three processes cold-start worker threads on
  // a loaded 2-core machine.
  asyncInvocation: { functionErrorDelaysMs: [200, 400], maxConcurrency: 4, maxConcurrencyPerFunction: 2 },
});
engine.events$.subscribe((event) => {
  if (event.type === 'async.attempt') {
    const { requestId, functionName, attempt, outcome } = event;
    send({ type: 'attempt', requestId, functionName, attempt, outcome });
  } else if (event.type === 'async.succeeded') {
    const { requestId, functionName, attempts } = event;
    send({ type: 'succeeded', requestId, functionName, attempts });
  } else if (event.type === 'async.failed') {
    const { requestId, functionName, attempts, destination } = event;
    send({ type: 'failed', requestId, functionName, attempts, destination });
  } else if (event.type === 'function.invocation.started' && event.invocationType === 'Event') {
    send({ type: 'started', requestId: event.requestId, functionName: event.functionName });
  }
});
// The function's environment, not the process's, reaches its worker thread, and functions are
// shared: the process that should hang marks itself by its pid.
if (process.env.HANG) writeFileSync(join(env('HANG_DIR'), String(process.pid)), '');
// Functions are shared by the processes: the first to create one wins.
await unlessCreated(() => createFixture(engine, 'ok', 'queue.ok', { timeoutSec: 60 }));
await unlessCreated(() => createFixture(engine, 'fail', 'queue.fail', { timeoutSec: 60 }));
await unlessCreated(() =>
  createFixture(engine, 'held', 'queue.holdIf', {
    timeoutSec: 60,
    environment: { HANG_DIR: env('HANG_DIR') },
  }),
);
// Event invoke configs are kept by each process: every copy puts the same.
await engine.asyncInvocations.putEventInvokeConfig('fail', { maximumRetryAttempts: 2 });

process.on('message', (message: PushParentMessage | 'stop') => {
  if (message === 'stop') {
    void engine.close().then(() => process.exit(0));
  } else if (message.type === 'enqueue') {
    void (async () => {
      const requestIds: string[] = [];
      for (let i = 0; i < message.count; i++) {
        const { requestId } = await engine.functions.invokeAsync(message.functionName, { i });
        if (requestId === undefined) throw new Error('invokeAsync answered without a request id');
        requestIds.push(requestId);
      }
      send({ type: 'enqueued', functionName: message.functionName, requestIds });
    })();
  } else if (message.type === 'deadLetters') {
    void engine.asyncInvocations.deadLetters(message.functionName).then((letters) => {
      send({ type: 'dead', requestIds: letters.map((l) => l.requestId) });
    });
  }
});
send({ type: 'ready' });
