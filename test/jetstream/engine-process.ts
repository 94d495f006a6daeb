/**
 * One engine process of the multi-process tests (spawned by test/jetstream/processes.test.ts with
 * `node --import tsx`). It configures what every copy of a service would: the stream, a function
 * writing `shardId:sequenceNumber` lines to $OUT, and the mapping (the first copy creates the
 * shared ones, the others find them created); then reports to its parent over
 * IPC when it is ready and each time it starts a shard or checkpoints one. `stop` closes it.
 */

import { jetstream } from '../../src/backends/jetstream/index.js';
import { createEngine } from '../../src/index.js';
import { createFixture } from '../helpers/functions.js';
import { ensureStreamReaderRole } from '../helpers/iam.js';
import { clusterFromEnv, env, send as sendToTest, unlessCreated } from './shared-setup.js';

export type ChildMessage =
  | { type: 'ready' }
  | { type: 'started'; shardId: string }
  | { type: 'checkpoint'; shardId: string; sequenceNumber: string };

const send = (message: ChildMessage): void => sendToTest(message);

const engine = await createEngine({
  backend: jetstream({
    ...clusterFromEnv(),
    leaseMs: Number(env('LEASE_MS')),
  }),
});
engine.events$.subscribe((event) => {
  if (event.type === 'mapping.shard.started') send({ type: 'started', shardId: event.shardId });
  if (event.type === 'mapping.checkpoint') {
    send({ type: 'checkpoint', shardId: event.shardId, sequenceNumber: event.sequenceNumber });
  }
});
await unlessCreated(() => engine.streams.create(env('STREAM'), { shardCount: Number(env('SHARDS')) }));
const stream = await engine.streams.describe(env('STREAM'));
const role =
  (await unlessCreated(() => ensureStreamReaderRole(engine, 'stream-reader'))) ??
  (await ensureStreamReaderRole(engine, 'stream-reader'));
await unlessCreated(() =>
  createFixture(engine, 'counter', 'pull.ids', { role, environment: { OUT: env('OUT') } }),
);
await unlessCreated(() =>
  engine.mappings.create({
    functionName: 'counter',
    eventSourceArn: stream.streamArn,
    startingPosition: 'TRIM_HORIZON',
    batchSize: 10,
  }),
);
process.on('message', (message) => {
  if (message === 'stop') void engine.close().then(() => process.exit(0));
});
send({ type: 'ready' });
