import { Subject } from 'rxjs';
import type { EngineContext } from '../context.js';
import { fail } from '../errors.js';
import { KeyedMutex } from '../storage/keyed-mutex.js';
import { type BatchOp, delOp, putOp } from '../storage/storage.js';
import { BucketGate } from './bucket-gate.js';
import { type BucketEventName, buildRecord, withConfigurationId } from './event-record.js';
import type { DeliveryCheck, FunctionDirectory } from './function-directory.js';
import { type ListObjectsOptions, type ListObjectsResult, listObjects } from './listing.js';
import {
  matchingConfigurations,
  type NotificationConfiguration,
  type NotificationConfigurationInput,
  validateNotificationConfiguration,
} from './notification-config.js';
import type { NotificationDelivery, NotificationSink, S3EventRecord } from './notification-sink.js';
import { type BucketRecord, type ObjectRecord, ObjectStore } from './object-store.js';
import { Sequencer } from './sequencer.js';

export interface ObjectWrite {
  body: Buffer;
  contentType: string;
  metadata: Record<string, string>;
  /** Precomputed lowercase hex MD5 of body. */
  eTag: string;
}

export interface StoredObject {
  record: ObjectRecord;
  body: Buffer;
}

/**
 * What the bucket service is built with; each part is optional so buckets work alone (no
 * notifications queued, no function or IAM check of configurations).
 */
export interface BucketServiceDeps {
  /** Where notification deliveries go (the push queue), in the object write's batch. */
  readonly sink?: NotificationSink | undefined;
  /** Whether a configured function exists. */
  readonly directory?: FunctionDirectory | undefined;
  /** Whether S3 may invoke a configured function (IAM). */
  readonly deliveryCheck?: DeliveryCheck | undefined;
}

export class BucketService {
  readonly store: ObjectStore;
  readonly #ctx: EngineContext;
  readonly #sequencer: Sequencer;
  readonly #bucketCache = new Map<string, BucketRecord>();
  readonly #keys = new KeyedMutex();
  readonly #inflight = new Set<Promise<unknown>>();
  readonly #gate = new BucketGate();
  readonly #events = new Subject<S3EventRecord>();
  readonly events$ = this.#events.asObservable();
  readonly #sink: NotificationSink | undefined;
  readonly #directory: FunctionDirectory | undefined;
  readonly #deliveryCheck: DeliveryCheck | undefined;
  readonly ready: Promise<void>;

  constructor(ctx: EngineContext, options: BucketServiceDeps = {}) {
    this.#ctx = ctx;
    this.store = new ObjectStore(ctx.storage);
    this.#sequencer = new Sequencer(ctx.storage, this.store.meta);
    this.#sink = options.sink;
    this.#directory = options.directory;
    this.#deliveryCheck = options.deliveryCheck;
    this.ready = this.#load();
    this.ready.catch(() => undefined);
    ctx.lifecycle.onClose(async () => {
      // Runs before storage closes: let loading and every accepted call finish first.
      await this.ready.catch(() => undefined);
      while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
      this.#events.complete();
    });
  }

  async #load(): Promise<void> {
    for (const record of await this.store.buckets.values().all()) this.#bucketCache.set(record.name, record);
    await this.store.open();
    await this.#sequencer.open();
  }

  /** Runs `op`, remembering it until it settles so close() can drain. */
  track<T>(op: () => Promise<T>): Promise<T> {
    const running = op();
    this.#inflight.add(running);
    const forget = (): void => {
      this.#inflight.delete(running);
    };
    running.then(forget, forget);
    return running;
  }

  bucket(name: string): BucketRecord {
    return (
      this.#bucketCache.get(name) ?? fail('NoSuchBucket', `The specified bucket does not exist: '${name}'`)
    );
  }

  listBuckets(): BucketRecord[] {
    return [...this.#bucketCache.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  createBucket(name: string): Promise<BucketRecord> {
    return this.#gate.exclusive(name, async () => {
      if (this.#bucketCache.has(name)) {
        fail(
          'BucketAlreadyOwnedByYou',
          `Your previous request to create the named bucket succeeded and you already own it: '${name}'`,
        );
      }
      const record: BucketRecord = {
        name,
        creationDate: this.#ctx.clock.now(),
        notification: { lambdaFunctionConfigurations: [] },
      };
      await this.#ctx.storage.batch([putOp(this.store.buckets, name, record)]);
      this.#bucketCache.set(name, record);
      return record;
    });
  }

  deleteBucket(name: string): Promise<void> {
    return this.#gate.exclusive(name, async () => {
      this.bucket(name);
      if (await this.store.hasObjects(name)) {
        fail('BucketNotEmpty', `The bucket you tried to delete is not empty: '${name}'`);
      }
      await this.#ctx.storage.batch([delOp(this.store.buckets, name)]);
      this.#bucketCache.delete(name);
    });
  }

  async putNotificationConfiguration(name: string, input: NotificationConfigurationInput): Promise<void> {
    this.bucket(name);
    const config = validateNotificationConfiguration(input, this.#ctx);
    const directory = this.#directory;
    if (directory) {
      const missing: string[] = [];
      for (const c of config.lambdaFunctionConfigurations) {
        if (!(await directory.exists(c.functionArn))) missing.push(c.functionArn);
      }
      if (missing.length > 0) {
        fail(
          'InvalidArgument',
          `Unable to validate the following destination configurations: function not found: ${missing.join(', ')}`,
        );
      }
    }
    const check = this.#deliveryCheck;
    if (check) {
      const refused: string[] = [];
      for (const c of config.lambdaFunctionConfigurations) {
        const verdict = await check({ ...c, bucket: name });
        if (!verdict.allowed) refused.push(`${c.functionArn}: ${verdict.reason}`);
      }
      if (refused.length > 0) {
        fail(
          'InvalidArgument',
          `Unable to validate the following destination configurations: ${refused.join('; ')}`,
        );
      }
    }
    await this.#gate.exclusive(name, async () => {
      const record: BucketRecord = { ...this.bucket(name), notification: config };
      await this.#ctx.storage.batch([putOp(this.store.buckets, name, record)]);
      this.#bucketCache.set(name, record);
      return record;
    });
  }

  getNotificationConfiguration(name: string): NotificationConfiguration {
    return structuredClone(this.bucket(name).notification);
  }

  /** Reads an object; retries when an overwrite replaced the body between the two reads. */
  async getObject(bucket: string, key: string, withBody: boolean): Promise<StoredObject> {
    this.bucket(bucket);
    for (;;) {
      const stored = await this.store.get(bucket, key);
      if (!stored)
        return fail('NoSuchKey', `The specified key does not exist: '${key}' in bucket '${bucket}'`);
      if (!withBody) return { record: stored.record, body: Buffer.alloc(0) };
      const body = await this.store.readBody(stored);
      if (body) return { record: stored.record, body };
    }
  }

  /** Creates or replaces an object; the event is ObjectCreated:Put or :Copy. */
  writeObject(
    bucket: string,
    key: string,
    write: ObjectWrite,
    eventName: BucketEventName,
  ): Promise<ObjectRecord> {
    return this.#gate.shared(bucket, () =>
      this.#keys.run(ObjectStore.objectKey(bucket, key), async () => {
        this.bucket(bucket);
        const record = this.store.newRecord(await this.#sequencer.next(), write.body, {
          eTag: write.eTag,
          lastModified: this.#ctx.clock.now(),
          contentType: write.contentType,
          metadata: write.metadata,
        });
        const ops = this.store.writeOps(bucket, key, record, write.body);
        await this.#commit(bucket, key, eventName, record.id, ops, record, () =>
          this.store.written(bucket, key, record),
        );
        return record;
      }),
    );
  }

  /** Deletes an object; a missing key succeeds with no event, as in S3. */
  deleteObject(bucket: string, key: string): Promise<void> {
    return this.#gate.shared(bucket, () =>
      this.#keys.run(ObjectStore.objectKey(bucket, key), async () => {
        this.bucket(bucket);
        const previous = await this.store.get(bucket, key);
        if (!previous) return;
        const ops = this.store.deleteOps(bucket, key, previous.record);
        const sequencer = await this.#sequencer.next();
        await this.#commit(bucket, key, 'ObjectRemoved:Delete', sequencer, ops, undefined, () =>
          this.store.deleted(bucket, key),
        );
      }),
    );
  }

  async #commit(
    bucket: string,
    key: string,
    eventName: BucketEventName,
    sequencer: string,
    objectOps: BatchOp[],
    created: ObjectRecord | undefined,
    afterBatch: () => void,
  ): Promise<void> {
    const time = this.#ctx.clock.now();
    // A record is built only when someone consumes it: a matching configuration or a subscriber.
    const build = (): S3EventRecord =>
      buildRecord({
        region: this.#ctx.region,
        time,
        eventName,
        principalId: this.#ctx.accountId,
        bucket,
        bucketArn: this.#ctx.arns.bucket(bucket),
        key,
        ...(created ? { size: created.size, eTag: created.eTag } : {}),
        sequencer,
      });
    const configs = matchingConfigurations(this.bucket(bucket).notification, eventName, key);
    const sink = this.#sink;
    let record = configs.length > 0 ? build() : undefined;
    const deliveries: NotificationDelivery[] = [];
    if (record && sink) {
      for (const c of configs) {
        deliveries.push({
          functionArn: c.functionArn,
          ...(c.invocationRole === undefined ? {} : { invocationRole: c.invocationRole }),
          bucket,
          record: withConfigurationId(record, c.id),
        });
      }
    }
    const deliveryOps = sink && deliveries.length > 0 ? sink.deliveryOps(deliveries) : [];
    await this.#ctx.storage.batch(deliveryOps.length === 0 ? objectOps : [...objectOps, ...deliveryOps]);
    afterBatch();
    if (sink && deliveries.length > 0) sink.committed(deliveries);
    if (this.#events.observed) {
      record ??= build();
      this.#events.next(record);
    }
  }

  list(bucket: string, options: ListObjectsOptions | undefined): Promise<ListObjectsResult> {
    this.bucket(bucket);
    return listObjects(this.store, bucket, options);
  }
}
