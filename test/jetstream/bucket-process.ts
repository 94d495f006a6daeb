/**
 * One engine process of test/jetstream/buckets.test.ts (spawned with `node --import tsx`). It
 * configures what every copy of a service would: the function `thumbs` journaling to $JOURNAL and
 * S3's permission to invoke it. Over IPC it answers `put` and `get`, and reports each delivery it
 * made. With KILL_AFTER_PUT set it only accepts writes (it hands no notification over) and
 * SIGKILLs itself the moment its first putObject is acknowledged.
 */
import { jetstream } from '../../src/backends/jetstream/index.js';
import { createEngine } from '../../src/index.js';
import { createFixture } from '../helpers/functions.js';
import { allowS3 } from '../helpers/iam.js';
import { clusterFromEnv, env, send as sendToTest, unlessCreated } from './shared-setup.js';

export type BucketChildRequest =
  | { type: 'put'; key: string; body: string }
  | { type: 'get'; key: string }
  | { type: 'stop' };

export type BucketChildMessage =
  | { type: 'ready' }
  | { type: 'put'; key: string; eTag: string }
  | { type: 'got'; key: string; body: string }
  | { type: 'delivered'; functionName: string };

const send = (message: BucketChildMessage): void => sendToTest(message);
const killAfterPut = process.env.KILL_AFTER_PUT === '1';

const engine = await createEngine({
  backend: jetstream({
    ...clusterFromEnv(),
    leaseMs: Number(env('LEASE_MS')),
    bucketNotifications: !killAfterPut,
  }),
});
engine.events$.subscribe((event) => {
  if (event.type === 'async.succeeded') send({ type: 'delivered', functionName: event.functionName });
});
// The test's engine created the function and its permission already (they are shared).
await unlessCreated(() =>
  createFixture(engine, 'thumbs', 'journal.record', { environment: { JOURNAL: env('JOURNAL') } }),
);
await unlessCreated(() => allowS3(engine, 'thumbs', env('BUCKET')));

process.on('message', (request: BucketChildRequest) => {
  void (async () => {
    if (request.type === 'put') {
      const { eTag } = await engine.buckets.putObject(env('BUCKET'), request.key, request.body);
      // Acknowledged: die before anything else runs here, as a crash right after the write would.
      if (killAfterPut) process.kill(process.pid, 'SIGKILL');
      send({ type: 'put', key: request.key, eTag });
    } else if (request.type === 'get') {
      const { body } = await engine.buckets.getObject(env('BUCKET'), request.key);
      send({ type: 'got', key: request.key, body: body.toString() });
    } else {
      await engine.close();
      process.exit(0);
    }
  })();
});
send({ type: 'ready' });
