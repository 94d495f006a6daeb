/**
 * One engine process of test/jetstream/observe-outbox.test.ts (spawned with `node --import tsx`):
 * an engine on the LevelDB directory $LOCATION with a ManualClock at $T0, connecting as the NATS
 * user $NATS_USER. On `invoke` it invokes `echo` that many times and moves its clock a minute on,
 * so the minute's metrics and the lines are stored and their publish is attempted; it reports
 * each publish that failed (its user may be refused publishing to the feeds).
 */
import { jetstream } from '../../src/backends/jetstream/index.js';
import { createEngine, ManualClock } from '../../src/index.js';
import { createFixture } from '../helpers/functions.js';
import { clusterFromEnv, env, send as sendToTest, unlessCreated } from './shared-setup.js';

export type ObserveChildRequest = { type: 'invoke'; count: number } | { type: 'stop' };
export type ObserveChildMessage =
  | { type: 'ready' }
  | { type: 'invoked' }
  | { type: 'unpublished'; kind: 'metrics' | 'logs'; message: string };

const send = (message: ObserveChildMessage): void => sendToTest(message);

const clock = new ManualClock(Number(env('T0')));
const user = env('NATS_USER');
const engine = await createEngine({
  location: env('LOCATION'),
  clock,
  backend: jetstream({
    ...clusterFromEnv(),
    connection: { user, pass: user },
  }),
});
engine.events$.subscribe((event) => {
  if (event.type === 'metrics.flush.failed')
    send({ type: 'unpublished', kind: 'metrics', message: event.message });
  if (event.type === 'logs.error') send({ type: 'unpublished', kind: 'logs', message: event.message });
});
await unlessCreated(() => createFixture(engine, 'echo', 'gate.handler'));

process.on('message', (request: ObserveChildRequest) => {
  void (async () => {
    if (request.type === 'invoke') {
      for (let n = 0; n < request.count; n++) await engine.functions.invoke('echo', { n });
      // The minute closes on the engine clock: its rollup is stored, then published.
      clock.advance(60_000);
      send({ type: 'invoked' });
    } else {
      await engine.close();
      process.exit(0);
    }
  })();
});
send({ type: 'ready' });
