/**
 * One engine process of the cluster benchmark (bench/cluster.ts spawns 1-3 of them): the same
 * stream, a function that does nothing, and the mapping, on the JetStream backend; reports each
 * delivered batch's size to its parent over IPC. `stop` closes it.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '../src/backends/jetstream/index.js';
import { createEngine, isLambdaliteError, LAMBDA_TRUST_POLICY, streamReadPolicy } from '../src/index.js';

export type BenchChildMessage =
  | { type: 'ready' }
  | { type: 'delivered'; count: number }
  | { type: 'pushed'; count: number };

/** `{ type: 'push', count }`: queue that many Event invokes of `pushed` (64 in flight). */
export type BenchParentMessage = 'stop' | { type: 'push'; count: number };

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const send = (message: BenchChildMessage): void => {
  process.send?.(message);
};
/** Functions, roles and mappings are shared by the processes: the first to create one wins. */
const unlessCreated = async (create: () => Promise<unknown>): Promise<void> => {
  try {
    await create();
  } catch (err) {
    if (
      !isLambdaliteError(err, 'ResourceConflictException') &&
      !isLambdaliteError(err, 'EntityAlreadyExists')
    ) {
      throw err;
    }
  }
};

const dir = await mkdtemp(join(tmpdir(), 'lambdalite-bench-cluster-'));
const engine = await createEngine({
  backend: jetstream({ servers: env('NATS_SERVERS').split(','), prefix: env('PREFIX'), leaseMs: 3_000 }),
});
// Streams are shared: the first copy creates it, the others (ResourceInUseException) find it.
await engine.streams.create('bench', { shardCount: Number(env('SHARDS')) }).catch((err: unknown) => {
  if (!isLambdaliteError(err, 'ResourceInUseException')) throw err;
});
const stream = await engine.streams.describe('bench');
const code = join(dir, 'code');
await mkdir(code);
await writeFile(join(code, 'index.mjs'), 'export const handler = async () => {};\n');
await unlessCreated(() =>
  engine.iam.createRole({
    name: 'bench',
    assumeRolePolicy: LAMBDA_TRUST_POLICY,
    policies: { read: streamReadPolicy(stream.streamArn) },
  }),
);
const role = (await engine.iam.getRole('bench')).arn;
await unlessCreated(() =>
  engine.functions.create({ name: 'noop', handler: 'index.handler', code: { directory: code }, role }),
);
engine.eventsOf$('mapping.batch.succeeded').subscribe((e) => send({ type: 'delivered', count: e.size }));
// Push: the same trivial function, its events through the cluster's async queue; successes are
// reported in batches (one IPC message per event would cost the engine process more than them).
await unlessCreated(() =>
  engine.functions.create({ name: 'pushed', handler: 'index.handler', code: { directory: code }, role }),
);
let pushed = 0;
let flushing = false;
engine.eventsOf$('async.succeeded').subscribe(() => {
  pushed++;
  if (flushing) return;
  flushing = true;
  setTimeout(() => {
    flushing = false;
    send({ type: 'pushed', count: pushed });
    pushed = 0;
  }, 5);
});
async function push(count: number): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      next++;
      // A publish that timed out on a loaded machine is sent again, as a client would (a rerun
      // after a lost 202 may queue the event twice; the count of successes still ends).
      for (;;) {
        try {
          await engine.functions.invokeAsync('pushed', { i: next });
          break;
        } catch (err) {
          if (!/timeout/i.test(String(err))) throw err;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: 64 }, lane));
}
await unlessCreated(() =>
  engine.mappings.create({
    functionName: 'noop',
    eventSourceArn: stream.streamArn,
    startingPosition: 'TRIM_HORIZON',
    batchSize: 100,
  }),
);
process.on('message', (message: BenchParentMessage) => {
  if (message !== 'stop') {
    void push(message.count);
    return;
  }
  void engine
    .close()
    .then(() => rm(dir, { recursive: true, force: true }))
    .then(() => process.exit(0));
});
send({ type: 'ready' });
