/**
 * Buckets shared by engine processes on one 3-node JetStream cluster: the test process runs one
 * engine, children (test/jetstream/bucket-process.ts) run the others, each with the same function
 * `thumbs` (it journals what it receives). Checked: an object written by one process is read by
 * another; each change is handed out once and delivered once; a process SIGKILLed right after
 * its putObject was acknowledged (it hands no notification over itself) loses nothing: a survivor
 * delivers the event. Waits are on engine events and child messages, each with a bound.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream } from '../../src/backends/jetstream/index.js';
import { storeName } from '../../src/backends/jetstream/object-descriptions.js';
import { createEngine, type Engine, type S3EventRecord } from '../../src/index.js';
import { expectCode } from '../helpers/errors.js';
import { createFixture } from '../helpers/functions.js';
import { allowS3 } from '../helpers/iam.js';
import type { BucketChildMessage, BucketChildRequest } from './bucket-process.js';
import { type Cluster, startCluster } from './cluster.js';
import { type EngineChild, killAll, spawnEngineChild, Wakeups } from './wait.js';

const CHILD = fileURLToPath(new URL('./bucket-process.ts', import.meta.url));
const LEASE_MS = 2_000;
const BUCKET = 'photos';
const BOUND = 60_000;

type Child = EngineChild<BucketChildMessage>;

let cluster: Cluster;
let dir: string;
let journal: string;
const prefix = `b${randomUUID().slice(0, 8)}`;
let engine: Engine;
let nc: NatsConnection | undefined;
const children: Child[] = [];
/** Deliveries made by any process (this engine's and the children's). */
let deliveries = 0;
const wakeups = new Wakeups();

beforeAll(async () => {
  cluster = await startCluster();
  dir = mkdtempSync(join(tmpdir(), 'lambdalite-buckets-'));
  journal = join(dir, 'journal.ndjson');
  engine = await createEngine({
    backend: jetstream({ servers: cluster.servers, prefix, replicas: 3, leaseMs: LEASE_MS }),
  });
  engine.events$.subscribe((event) => {
    if (event.type === 'async.succeeded') {
      deliveries++;
      wakeups.notify();
    }
  });
  const thumbs = await createFixture(engine, 'thumbs', 'journal.record', {
    environment: { JOURNAL: journal },
  });
  await allowS3(engine, 'thumbs', BUCKET);
  await engine.buckets.create(BUCKET);
  await engine.buckets.putNotificationConfiguration(BUCKET, {
    lambdaFunctionConfigurations: [
      { id: 'all', functionArn: thumbs.functionArn, events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'] },
    ],
  });
  nc = await connect({ servers: cluster.servers });
}, BOUND);

afterAll(async () => {
  await killAll(children);
  await engine?.close();
  await nc?.close();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Resolves once `check` holds, re-checked on every delivery and child message; rejects after `ms`. */
function until(what: string, check: () => boolean, ms = BOUND): Promise<void> {
  return wakeups.until(what, check, ms);
}

async function spawnChild(options: { killAfterPut: boolean }): Promise<Child> {
  const entry = spawnEngineChild<BucketChildMessage>(
    CHILD,
    {
      NATS_SERVERS: cluster.servers.join(','),
      PREFIX: prefix,
      LEASE_MS: String(LEASE_MS),
      BUCKET,
      JOURNAL: journal,
      KILL_AFTER_PUT: options.killAfterPut ? '1' : '',
    },
    wakeups,
    (message) => {
      if (message.type === 'delivered') deliveries++;
    },
  );
  children.push(entry);
  await until('a child ready', () => entry.messages.some((m) => m.type === 'ready'));
  return entry;
}

function ask(child: Child, request: BucketChildRequest): void {
  child.process.send(request);
}

/** The records the function received, by any process, for `key` (form-encoded as delivered). */
function journaled(key: string): S3EventRecord[] {
  if (!existsSync(journal)) return [];
  return readFileSync(journal, 'utf8')
    .split('\n')
    .slice(0, -1)
    .map((line) => (JSON.parse(line) as { event: { Records: S3EventRecord[] } }).event.Records[0])
    .filter((r): r is S3EventRecord => r !== undefined && r.s3.object.key === key);
}

/** Waits until the change consumer holds nothing: every change handed out and acknowledged. */
async function consumerSettled(): Promise<{ redelivered: number }> {
  if (!nc) throw new Error('no connection');
  const jsm = await jetstreamManager(nc);
  const deadline = Date.now() + BOUND;
  for (;;) {
    const info = await jsm.consumers.info(`OBJ_${storeName(prefix, BUCKET)}`, 'notify');
    if (info.num_pending === 0 && info.num_ack_pending === 0) return { redelivered: info.num_redelivered };
    if (Date.now() > deadline) throw new Error(`change consumer not settled: ${JSON.stringify(info)}`);
    await nc.flush();
  }
}

describe('buckets on the JetStream object store, several processes', () => {
  it(
    'reads on one process what another wrote, and delivers each change once',
    async () => {
      const peer = await spawnChild({ killAfterPut: false });
      const before = deliveries;
      ask(peer, { type: 'put', key: 'from-peer.txt', body: 'written by the peer' });
      await until('the peer put', () => peer.messages.some((m) => m.type === 'put'));
      const got = await engine.buckets.getObject(BUCKET, 'from-peer.txt');
      expect(got.body.toString()).toBe('written by the peer');
      const put = peer.messages.find((m) => m.type === 'put');
      expect(put?.type === 'put' && put.eTag).toBe(got.eTag);

      await engine.buckets.putObject(BUCKET, 'from-test.txt', Buffer.alloc(3 * 1024 * 1024 + 7, 5));
      ask(peer, { type: 'get', key: 'from-test.txt' });
      await until('the peer read', () => peer.messages.some((m) => m.type === 'got'));
      const read = peer.messages.find((m) => m.type === 'got');
      expect(read?.type === 'got' && read.body.length).toBe(3 * 1024 * 1024 + 7);

      await engine.buckets.deleteObject(BUCKET, 'from-peer.txt');
      await until('three deliveries', () => deliveries >= before + 3);
      expect(await consumerSettled()).toEqual({ redelivered: 0 });
      const peerRecords = journaled('from-peer.txt');
      expect(peerRecords.map((r) => r.eventName).sort()).toEqual([
        'ObjectCreated:Put',
        'ObjectRemoved:Delete',
      ]);
      const [created] = journaled('from-test.txt');
      expect(journaled('from-test.txt')).toHaveLength(1);
      expect(created?.s3.object).toMatchObject({ size: 3 * 1024 * 1024 + 7, eTag: expect.any(String) });
      expect(created?.s3.configurationId).toBe('all');
      // Sequencers of one key order its events (same width: string order is numeric order).
      const sequencer = (name: string) =>
        peerRecords.find((r) => r.eventName === name)?.s3.object.sequencer ?? '';
      expect(sequencer('ObjectCreated:Put') < sequencer('ObjectRemoved:Delete')).toBe(true);
    },
    3 * BOUND,
  );

  it(
    'delivers the event of a process SIGKILLed right after its putObject was acknowledged',
    async () => {
      const writer = await spawnChild({ killAfterPut: true });
      const before = deliveries;
      ask(writer, { type: 'put', key: 'orphan.txt', body: 'the writer died' });
      await writer.exited;
      expect(writer.process.signalCode).toBe('SIGKILL');
      expect(writer.messages.some((m) => m.type === 'put')).toBe(false);
      // The write was acknowledged before the kill: every process reads it.
      expect((await engine.buckets.getObject(BUCKET, 'orphan.txt')).body.toString()).toBe('the writer died');
      await until('the orphan delivered by a survivor', () => deliveries >= before + 1);
      expect(await consumerSettled()).toEqual({ redelivered: 0 });
      const records = journaled('orphan.txt');
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({ eventName: 'ObjectCreated:Put', s3: { configurationId: 'all' } });
    },
    3 * BOUND,
  );
});

describe('overwrites of one key from two processes at once', () => {
  it(
    'leaves only the last version’s chunks in the store',
    async () => {
      const other = await createEngine({
        backend: jetstream({ servers: cluster.servers, prefix, replicas: 3, bucketNotifications: false }),
      });
      try {
        const body = (n: number) => Buffer.alloc(2 * 1024 * 1024 + 1, n);
        for (let round = 0; round < 4; round++) {
          // Both read the same previous version and write theirs: the later description wins and
          // the earlier one's chunks are named by no last description.
          await Promise.all([
            engine.buckets.putObject(BUCKET, 'contended.bin', body(2 * round)),
            other.buckets.putObject(BUCKET, 'contended.bin', body(2 * round + 1)),
          ]);
        }
        const last = await other.buckets.getObject(BUCKET, 'contended.bin');
        expect(last.body.length).toBe(2 * 1024 * 1024 + 1);
        if (!nc) throw new Error('no connection');
        const jsm = await jetstreamManager(nc);
        const store = storeName(prefix, BUCKET);
        const info = await jsm.streams.info(`OBJ_${store}`, { subjects_filter: `$O.${store}.C.>` });
        // Every other key of the bucket was deleted or written once: the subjects with chunks are
        // the live objects' (this key's last version and from-test.txt / orphan.txt of the tests above).
        const live = (await engine.buckets.listObjects(BUCKET)).contents;
        expect(Object.keys(info.state.subjects ?? {})).toHaveLength(live.filter((o) => o.size > 0).length);
      } finally {
        await other.close();
      }
    },
    3 * BOUND,
  );
});

describe('jetstream bucket options', () => {
  it('refuses a bucketNotifications that is not a boolean, naming the value', async () => {
    await expectCode(
      (async () => jetstream({ servers: 'nats://127.0.0.1:4222', bucketNotifications: 'no' as never }))(),
      'InvalidArgument',
      /bucketNotifications must be true or false, got "no"/,
    );
  });

  it('answers NoSuchKey on every process for a key never written', async () => {
    await expectCode(engine.buckets.getObject(BUCKET, 'never'), 'NoSuchKey');
  });
});
