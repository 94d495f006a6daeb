/**
 * Buckets on the JetStream object store, shared by every engine process of one prefix.
 *
 * - Bucket records (name, creation date, notification configuration) in the KV bucket
 *   `<prefix>_buckets`, read from the stream leader on every call (no direct gets), so a bucket
 *   or configuration written by one process is what the next call on any process sees.
 * - One object store per lambdalite bucket, `<prefix>_s3_<name>` (S3 names allow '.', object
 *   store names do not; S3 names have no '_', so `.` -> `_` is one-to-one), in the object
 *   store's own layout (stream `OBJ_<store>`, chunks on `$O.<store>.C.<nuid>`, one JSON
 *   description per key on `$O.<store>.M.<base64url(key)>`), so any UTF-8 key is a subject.
 *   Bodies are 1 MiB chunks. The description carries what S3 needs beside the object store's own
 *   fields (MD5 ETag, content type, user metadata, lastModified) and the change's notification
 *   facts (event name, time, the configurations it matched).
 * - Descriptions are published WITHOUT the object store's roll-up header: a roll-up deletes the
 *   key's earlier description, which could be an event no process has handed over yet. The
 *   description's stream sequence is the event's sequencer (it grows with every change of a key).
 * - Notifications: the store's change consumer (bucket-changes.ts), run by each process for
 *   every bucket it learns of from the KV bucket's watch.
 * - Chunks of a put that died before its description are purged by a periodic sweep in the
 *   processes that consume notifications (bucket-sweep.ts); a put slower than half the sweep's
 *   age bound is refused, so the sweep never takes the chunks of a put still under way.
 */
import { createHash, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  DiscardPolicy,
  type JetStreamClient,
  type JetStreamManager,
  StorageType,
  type StoredMsg,
} from '@nats-io/jetstream';
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  type BucketStore,
  type BucketStoreGround,
  formatSequencer,
  type ObjectChange,
  type ObjectFields,
  type StoredObject,
} from '../../buckets/bucket-store.js';
import type { ListCursor, ListRange } from '../../buckets/listing.js';
import type { NotificationSink } from '../../buckets/notification-sink.js';
import type { BucketRecord, ObjectRecord } from '../../buckets/object-store.js';
import { LambdaliteError } from '../../errors.js';
import { ChangeConsumer, type ConsumerParts, changeConsumerConfig } from './bucket-changes.js';
import { BucketIndexes } from './bucket-index.js';
import { sweepOrphanChunks } from './bucket-sweep.js';
import { contended } from './contended.js';
import { JetStreamDescriptions } from './description-reader.js';
import { storedKeys } from './kv-keys.js';
import {
  type Described,
  type Description,
  type Facts,
  metaSubject,
  parse,
  recordOf,
  storeName,
} from './object-descriptions.js';

export interface JetStreamBucketStoreOptions {
  readonly prefix: string;
  readonly replicas: number;
  /** How long a handed-out change may stay unacknowledged before another process gets it. */
  readonly ackWaitMs: number;
  /** Whether this process hands changes to its sink (false: other processes do). */
  readonly consume: boolean;
  /**
   * Age (server time) past which chunks no description names are purged; processes that consume
   * sweep every half of it, and a put whose chunks take longer than half of it is refused.
   */
  readonly orphanChunkMs: number;
}

const CHUNK_BYTES = 1024 * 1024;
/** Chunk publishes of one put in flight at once. */
const CHUNKS_IN_FLIGHT = 8;

export class JetStreamBucketStore implements BucketStore {
  readonly #nc: NatsConnection;
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #ground: BucketStoreGround;
  readonly #sink: NotificationSink | undefined;
  readonly #options: JetStreamBucketStoreOptions;
  #kv: Promise<KV> | undefined;
  readonly #ensured = new Map<string, Promise<void>>();
  /** One change consumer per bucket name, while open. */
  readonly #consumers = new Map<string, ChangeConsumer>();
  #watch: { stop(): void } | undefined;
  #watching: Promise<void> | undefined;
  #sweepTimer: NodeJS.Timeout | undefined;
  #sweeping: Promise<void> | undefined;
  #closed = false;
  /** The listed buckets' keys in order, caught up at each listing (bucket-index.ts). */
  readonly #indexes: BucketIndexes;

  constructor(
    nc: NatsConnection,
    js: JetStreamClient,
    jsm: JetStreamManager,
    ground: BucketStoreGround,
    sink: NotificationSink | undefined,
    options: JetStreamBucketStoreOptions,
  ) {
    this.#nc = nc;
    this.#js = js;
    this.#jsm = jsm;
    this.#ground = ground;
    this.#sink = sink;
    this.#options = options;
    this.#indexes = new BucketIndexes(
      new JetStreamDescriptions({
        js,
        jsm,
        store: (name) => storeName(options.prefix, name),
        ensure: (name) => this.#ensure(name),
      }),
    );
  }

  async open(): Promise<void> {
    const kv = await this.#bucketsKv();
    if (!this.#sink || !this.#options.consume) return;
    // Every bucket, present and future: each process hands over the changes of all of them.
    const watch = await kv.watch();
    this.#watch = watch;
    this.#watching = (async () => {
      for await (const entry of watch) {
        if (entry.operation === 'PUT' && !this.#closed) this.#consume(entry.key);
      }
    })().catch(() => undefined);
    // Real time: the chunks' age is the server's, whatever the engine clock says.
    this.#sweepTimer = setInterval(
      () => {
        this.#sweeping ??= this.#sweep().finally(() => {
          this.#sweeping = undefined;
        });
      },
      Math.floor(this.#options.orphanChunkMs / 2),
    );
    this.#sweepTimer.unref();
  }

  /** One sweep of every bucket this process consumes, one after another; failures wait for the next. */
  async #sweep(): Promise<void> {
    for (const bucket of [...this.#consumers.keys()]) {
      if (this.#closed) return;
      const store = storeName(this.#options.prefix, bucket);
      await sweepOrphanChunks(this.#js, this.#jsm, store, this.#options.orphanChunkMs).catch(() => 0);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweepTimer);
    await this.#sweeping;
    this.#watch?.stop();
    await this.#watching;
    await Promise.all([...this.#consumers.values()].map((c) => c.stop()));
    this.#consumers.clear();
    this.#indexes.clear();
  }

  async bucket(name: string): Promise<BucketRecord | undefined> {
    const entry = await (await this.#bucketsKv()).get(name);
    return entry?.operation === 'PUT' ? (entry.json() as BucketRecord) : undefined;
  }

  async buckets(): Promise<BucketRecord[]> {
    const kv = await this.#bucketsKv();
    const names = await storedKeys(kv);
    const records = await Promise.all(names.map((n) => this.bucket(n)));
    return records.filter((r): r is BucketRecord => r !== undefined);
  }

  async createBucket(record: BucketRecord): Promise<boolean> {
    // The store and its consumer exist before the bucket does, so no change precedes the
    // consumer (it starts at the store's first message).
    await this.#ensure(record.name);
    const kv = await this.#bucketsKv();
    try {
      await kv.create(record.name, JSON.stringify(record));
      return true;
    } catch (err) {
      if ((await this.bucket(record.name)) !== undefined) return false;
      throw err;
    }
  }

  async updateBucket(record: BucketRecord): Promise<void> {
    await (await this.#bucketsKv()).put(record.name, JSON.stringify(record));
  }

  /**
   * Removes the bucket's record. Its store stays (it holds no live object, only deletion
   * descriptions), so changes not yet handed over are still delivered, and a bucket created
   * again under the name continues it.
   */
  async deleteBucket(name: string): Promise<void> {
    await (await this.#bucketsKv()).delete(name);
    this.#indexes.forget(name);
  }

  async hasObjects(bucket: string): Promise<boolean> {
    return this.#indexes.hasObjects(bucket);
  }

  async read(bucket: string, key: string, withBody: boolean): Promise<StoredObject | undefined> {
    for (;;) {
      const found = await this.#describe(bucket, key);
      if (!found || found.description.deleted || !found.facts) return undefined;
      const record = recordOf(found);
      if (!withBody) return { record, body: Buffer.alloc(0) };
      const body = await this.#readBody(bucket, found);
      // Undefined: an overwrite removed this version's chunks meanwhile; read the key again.
      if (body) return { record, body };
    }
  }

  async write(
    bucket: string,
    key: string,
    body: Buffer,
    fields: ObjectFields,
    change: ObjectChange,
  ): Promise<ObjectRecord> {
    await this.#ensure(bucket);
    const store = storeName(this.#options.prefix, bucket);
    const previous = await this.#describe(bucket, key);
    const nuid = randomUUID().replaceAll('-', '');
    const chunkSubject = `$O.${store}.C.${nuid}`;
    const chunks = Math.ceil(body.length / CHUNK_BYTES);
    let firstSeq = 0;
    const started = performance.now();
    try {
      for (let start = 0; start < chunks; start += CHUNKS_IN_FLIGHT) {
        // One connection keeps the publish order, so the chunks are stored in body order.
        const acks = await Promise.all(
          Array.from({ length: Math.min(CHUNKS_IN_FLIGHT, chunks - start) }, (_, i) =>
            this.#js.publish(
              chunkSubject,
              body.subarray((start + i) * CHUNK_BYTES, (start + i + 1) * CHUNK_BYTES),
            ),
          ),
        );
        if (start === 0) firstSeq = acks[0]?.seq ?? 0;
      }
      // The orphan sweep (bucket-sweep.ts) takes chunks older than orphanChunkMs that no
      // description names: a put is refused before its description once half of that is gone.
      const tookMs = performance.now() - started;
      if (tookMs > this.#options.orphanChunkMs / 2) {
        throw new LambdaliteError(
          'SlowDown',
          `the body of '${bucket}/${key}' took ${Math.round(tookMs)} ms to store, more than half of the ` +
            `JetStream backend's orphanChunkMs (${this.#options.orphanChunkMs}); please try again`,
        );
      }
    } catch (err) {
      // No description names these chunks: purged now. (A failed description publish below is
      // not cleaned up here: it may have been stored with its answer lost; the sweep judges.)
      if (chunks > 0) {
        await this.#jsm.streams.purge(`OBJ_${store}`, { filter: chunkSubject }).catch(() => undefined);
      }
      throw err;
    }
    const facts: Facts = {
      eventName: change.eventName,
      time: change.time,
      ...ids(change),
      targets: [...change.targets],
      eTag: fields.eTag,
      lastModified: fields.lastModified,
      contentType: fields.contentType,
      metadata: fields.metadata,
      firstSeq,
      ...(previous ? { replaced: previous.seq } : {}),
    };
    const description: Description = {
      name: key,
      bucket: store,
      nuid,
      size: body.length,
      chunks,
      digest: `SHA-256=${createHash('sha256').update(body).digest('base64url')}=`,
      deleted: false,
      mtime: new Date(fields.lastModified).toISOString(),
      options: { max_chunk_size: CHUNK_BYTES },
      metadata: { lambdalite: JSON.stringify(facts) },
    };
    const ack = await this.#js.publish(metaSubject(store, key), JSON.stringify(description));
    if (previous) await this.#dropChunks(bucket, previous.description);
    await this.#dropOverwritten(bucket, key, previous?.seq ?? 0, ack.seq);
    return recordOf({ seq: ack.seq, description, facts });
  }

  async delete(bucket: string, key: string, change: ObjectChange): Promise<string | undefined> {
    const previous = await this.#describe(bucket, key);
    if (!previous || previous.description.deleted || !previous.facts) return undefined;
    const store = storeName(this.#options.prefix, bucket);
    const { requestId: _r, hostId: _h, ...kept } = previous.facts;
    const facts: Facts = {
      ...kept,
      eventName: change.eventName,
      time: change.time,
      ...ids(change),
      targets: [...change.targets],
      firstSeq: 0,
      replaced: previous.seq,
    };
    const description: Description = {
      ...previous.description,
      size: 0,
      chunks: 0,
      digest: '',
      deleted: true,
      metadata: { lambdalite: JSON.stringify(facts) },
    };
    const ack = await this.#js.publish(metaSubject(store, key), JSON.stringify(description));
    await this.#dropChunks(bucket, previous.description);
    await this.#dropOverwritten(bucket, key, previous.seq, ack.seq);
    return formatSequencer(ack.seq);
  }

  /** Lists from this process's index of the bucket, caught up with every process's writes first. */
  readonly list = (bucket: string, range: ListRange): Promise<ListCursor> =>
    this.#indexes.list(bucket, range);

  /** The key's last description, read from the stream leader. */
  async #describe(bucket: string, key: string): Promise<Described | undefined> {
    const store = storeName(this.#options.prefix, bucket);
    const msg = await this.#get(store, { last_by_subj: metaSubject(store, key) });
    return msg ? parse(msg.seq, msg.data) : undefined;
  }

  /** The version's body, or undefined when a chunk is gone (an overwrite purged it). */
  async #readBody(bucket: string, found: Described): Promise<Buffer | undefined> {
    const { description, facts } = found;
    if (description.chunks === 0) return Buffer.alloc(0);
    const store = storeName(this.#options.prefix, bucket);
    const subject = `$O.${store}.C.${description.nuid}`;
    const parts: Buffer[] = [];
    let seq = facts?.firstSeq ?? 0;
    for (let i = 0; i < description.chunks; i++) {
      const msg = await this.#get(store, { seq, next_by_subj: subject });
      if (!msg) return undefined;
      parts.push(Buffer.from(msg.data));
      seq = msg.seq + 1;
    }
    const body = parts.length === 1 && parts[0] ? parts[0] : Buffer.concat(parts);
    return body.length === description.size ? body : undefined;
  }

  /**
   * Purges the chunks of descriptions another process published for the key between the one
   * this write replaced (`after`) and this write's own (`own`): a concurrent write of the same
   * key that this one overwrote, whose writer dropped only the version both had read. Usually the
   * first description after `after` is this write's own (one request). A reader that took such a
   * version as the last finds its body gone and reads the key again.
   */
  async #dropOverwritten(bucket: string, key: string, after: number, own: number): Promise<void> {
    const store = storeName(this.#options.prefix, bucket);
    const subject = metaSubject(store, key);
    for (let seq = after + 1; seq < own; ) {
      const msg = await this.#get(store, { seq, next_by_subj: subject });
      if (!msg || msg.seq >= own) return;
      const found = parse(msg.seq, msg.data);
      if (found) await this.#dropChunks(bucket, found.description);
      seq = msg.seq + 1;
    }
  }

  async #dropChunks(bucket: string, description: Description): Promise<void> {
    if (description.chunks === 0) return;
    const store = storeName(this.#options.prefix, bucket);
    await this.#jsm.streams.purge(`OBJ_${store}`, { filter: `$O.${store}.C.${description.nuid}` });
  }

  async #get(store: string, query: object): Promise<StoredMsg | null> {
    try {
      // The plain message-get API answers from the stream leader (direct gets may lag).
      return await this.#jsm.streams.getMessage(`OBJ_${store}`, query as { seq: number });
    } catch (err) {
      if (err instanceof Error && /not found/i.test(err.message)) return null;
      throw err;
    }
  }

  /** Creates the bucket's store and its change consumer once per process (both idempotent). */
  #ensure(bucket: string): Promise<void> {
    let ensured = this.#ensured.get(bucket);
    if (!ensured) {
      const store = storeName(this.#options.prefix, bucket);
      const stream = `OBJ_${store}`;
      ensured = (async () => {
        await contended(() =>
          this.#jsm.streams.add({
            name: stream,
            subjects: [`$O.${store}.C.>`, `$O.${store}.M.>`],
            num_replicas: this.#options.replicas,
            storage: StorageType.File,
            allow_rollup_hdrs: true,
            discard: DiscardPolicy.New,
          }),
        );
        await contended(() =>
          this.#jsm.consumers.add(stream, changeConsumerConfig(store, this.#options.ackWaitMs)),
        );
      })();
      ensured.catch(() => this.#ensured.delete(bucket));
      this.#ensured.set(bucket, ensured);
    }
    return ensured;
  }

  #bucketsKv(): Promise<KV> {
    if (!this.#kv) {
      this.#kv = contended(() =>
        new Kvm(this.#nc).create(`${this.#options.prefix}_buckets`, {
          history: 1,
          replicas: this.#options.replicas,
          // Reads from the leader: a bucket created by one process is there for the next call.
          allow_direct: false,
        }),
      );
      this.#kv.catch(() => {
        this.#kv = undefined;
      });
    }
    return this.#kv;
  }

  #consume(bucket: string): void {
    const sink = this.#sink;
    if (!sink || this.#consumers.has(bucket)) return;
    const parts: ConsumerParts = {
      js: this.#js,
      jsm: this.#jsm,
      ground: this.#ground,
      ensure: (name) => this.#ensure(name),
      store: (name) => storeName(this.#options.prefix, name),
    };
    this.#consumers.set(bucket, new ChangeConsumer(parts, bucket, sink));
  }
}

function ids(change: ObjectChange): Pick<Facts, 'requestId' | 'hostId'> {
  return {
    ...(change.requestId === undefined ? {} : { requestId: change.requestId }),
    ...(change.hostId === undefined ? {} : { hostId: change.hostId }),
  };
}
