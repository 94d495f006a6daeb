/**
 * Chunks of an object put that died before its description: an engine whose NATS user may not
 * publish object descriptions (nor purge) stores a body's chunks and fails there, as a process
 * killed between the two would leave them; an engine that delivers notifications sweeps them
 * once they are older than its `orphanChunkMs`, and keeps the chunks of every stored object.
 * (Every engine of a prefix must use one `orphanChunkMs`: a writer's bound on its puts is what
 * keeps a sweeper from taking a put under way, so only the sweeper writes the stored object.)
 * The wait for the sweep looks at the store's subjects each time a sweep starts (its marker is
 * published at the start of every sweep, so the sweep before it has finished), bounded.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream } from '../../src/backends/jetstream/index.js';
import { storeName } from '../../src/backends/jetstream/object-descriptions.js';
import { createEngine, type Engine } from '../../src/index.js';
import { expectCode } from '../helpers/errors.js';
import { type Cluster, startCluster } from './cluster.js';

const PREFIX = 'orphan';
const BUCKET = 'photos';
const BOUND = 60_000;
/** `cut` may do everything but store an object's description or purge a stream. */
const USERS = `
authorization {
  users = [
    { user: "open", password: "open" }
    { user: "cut", password: "cut", permissions: { publish: { allow: [">"], deny: ["$O.*.M.>", "$JS.API.STREAM.PURGE.>"] } } }
  ]
}
no_auth_user: "open"
`;

let cluster: Cluster;
let nc: NatsConnection | undefined;
const engines: Engine[] = [];

beforeAll(async () => {
  cluster = await startCluster({ config: USERS });
  nc = await connect({ servers: cluster.servers });
}, BOUND);
afterAll(async () => {
  for (const engine of engines) await engine.close().catch(() => undefined);
  await nc?.close();
  await cluster?.stop();
}, BOUND);

async function chunkSubjects(): Promise<string[]> {
  const store = storeName(PREFIX, BUCKET);
  const jsm = await jetstreamManager(nc as NatsConnection);
  const info = await jsm.streams.info(`OBJ_${store}`, { subjects_filter: `$O.${store}.C.>` });
  // A sweep's own marker (`sweep<id>`) lives for one sweep.
  return Object.keys(info.state.subjects ?? {})
    .filter((s) => !/\.C\.sweep/.test(s))
    .sort();
}

/**
 * The store's chunk subjects once `done` holds for them: looked at now and each time a sweep
 * starts (a sweep publishes a marker first); fails after {@link BOUND}.
 */
async function afterSweeps(done: (subjects: string[]) => boolean): Promise<string[]> {
  const store = storeName(PREFIX, BUCKET);
  const sweeps = (nc as NatsConnection).subscribe(`$O.${store}.C.*`, { timeout: BOUND });
  try {
    let subjects = await chunkSubjects();
    if (done(subjects)) return subjects;
    const deadline = Date.now() + BOUND;
    for await (const message of sweeps) {
      if (Date.now() > deadline) break;
      if (!/\.C\.sweep/.test(message.subject)) continue;
      subjects = await chunkSubjects();
      if (done(subjects)) return subjects;
    }
    throw new Error(`after ${BOUND} ms of sweeps the chunk subjects are ${JSON.stringify(subjects)}`);
  } finally {
    sweeps.unsubscribe();
  }
}

describe('chunks of a put that died before its description', () => {
  it('are swept once older than orphanChunkMs, and the chunks of stored objects stay', async () => {
    const sweeper = await createEngine({
      // Its own puts must store their body within half of it: small ones, even on a loaded machine.
      backend: jetstream({ servers: cluster.servers, prefix: PREFIX, replicas: 1, orphanChunkMs: 5_000 }),
    });
    engines.push(sweeper);
    const cut = await createEngine({
      backend: jetstream({
        servers: cluster.servers,
        prefix: PREFIX,
        replicas: 1,
        bucketNotifications: false,
        connection: { user: 'cut', pass: 'cut' },
      }),
    });
    engines.push(cut);
    await sweeper.buckets.create(BUCKET);
    const kept = Buffer.alloc(64 * 1024 + 3, 7);
    await sweeper.buckets.putObject(BUCKET, 'kept.bin', kept);
    const [keptSubject] = await chunkSubjects();
    expect(keptSubject).toBeDefined();

    await expect(
      cut.buckets.putObject(BUCKET, 'lost.bin', Buffer.alloc(1024 * 1024 + 1, 9)),
    ).rejects.toThrow();
    const orphan = (await chunkSubjects()).find((s) => s !== keptSubject);
    expect(orphan).toBeDefined();

    const subjects = await afterSweeps((now) => !now.includes(orphan as string));
    expect(subjects).toEqual([keptSubject]);
    expect((await sweeper.buckets.getObject(BUCKET, 'kept.bin')).body.equals(kept)).toBe(true);
    await expectCode(sweeper.buckets.getObject(BUCKET, 'lost.bin'), 'NoSuchKey');
  }, 180_000);
});
