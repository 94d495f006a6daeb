import { Subject } from 'rxjs';
import type { EngineContext } from '../context.js';
import { fail } from '../errors.js';
import { KeyedMutex } from '../storage/keyed-mutex.js';
import { BucketGate } from './bucket-gate.js';
import {
  type BucketStore,
  type BucketStoreFactory,
  changeRecord,
  type ObjectChange,
  type StoredObject,
} from './bucket-store.js';
import { type BucketEventName, hostId, requestId } from './event-record.js';
import type { DeliveryCheck, FunctionDirectory } from './function-directory.js';
import { LevelBucketStore } from './level-bucket-store.js';
import { type ListObjectsOptions, type ListObjectsResult, listObjects } from './listing.js';
import {
  matchingConfigurations,
  type NotificationConfiguration,
  type NotificationConfigurationInput,
  validateNotificationConfiguration,
} from './notification-config.js';
import type { NotificationSink, S3EventRecord } from './notification-sink.js';
import { type BucketRecord, type ObjectRecord, ObjectStore } from './object-store.js';

export interface ObjectWrite {
  body: Buffer;
  contentType: string;
  metadata: Record<string, string>;
  /** Precomputed lowercase hex MD5 of body. */
  eTag: string;
}

export type { StoredObject } from './bucket-store.js';

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
  /** Where buckets and objects are stored (the backend's); absent: the engine's LevelDB. */
  readonly store?: BucketStoreFactory | undefined;
}

export class BucketService {
  readonly #store: BucketStore;
  readonly #ctx: EngineContext;
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
    this.#store = (options.store ?? ((c, sink) => new LevelBucketStore(c, sink)))(ctx, options.sink);
    this.#sink = options.sink;
    this.#directory = options.directory;
    this.#deliveryCheck = options.deliveryCheck;
    this.ready = this.#load();
    this.ready.catch(() => undefined);
    ctx.lifecycle.onClose(async () => {
      // Runs before storage closes: let loading and every accepted call finish first.
      await this.ready.catch(() => undefined);
      while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
      await this.#store.close();
      this.#events.complete();
    });
  }

  #load(): Promise<void> {
    return this.#store.open();
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

  async bucket(name: string): Promise<BucketRecord> {
    return (
      (await this.#store.bucket(name)) ??
      fail('NoSuchBucket', `The specified bucket does not exist: '${name}'`)
    );
  }

  async listBuckets(): Promise<BucketRecord[]> {
    const buckets = await this.#store.buckets();
    return buckets.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  createBucket(name: string): Promise<BucketRecord> {
    return this.#gate.exclusive(name, async () => {
      const record: BucketRecord = {
        name,
        creationDate: this.#ctx.clock.now(),
        notification: { lambdaFunctionConfigurations: [] },
      };
      if (!(await this.#store.createBucket(record))) {
        fail(
          'BucketAlreadyOwnedByYou',
          `Your previous request to create the named bucket succeeded and you already own it: '${name}'`,
        );
      }
      return record;
    });
  }

  deleteBucket(name: string): Promise<void> {
    return this.#gate.exclusive(name, async () => {
      await this.bucket(name);
      if (await this.#store.hasObjects(name)) {
        fail('BucketNotEmpty', `The bucket you tried to delete is not empty: '${name}'`);
      }
      await this.#store.deleteBucket(name);
    });
  }

  async putNotificationConfiguration(name: string, input: NotificationConfigurationInput): Promise<void> {
    await this.bucket(name);
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
      const record: BucketRecord = { ...(await this.bucket(name)), notification: config };
      await this.#store.updateBucket(record);
      return record;
    });
  }

  async getNotificationConfiguration(name: string): Promise<NotificationConfiguration> {
    return structuredClone((await this.bucket(name)).notification);
  }

  async getObject(bucket: string, key: string, withBody: boolean): Promise<StoredObject> {
    await this.bucket(bucket);
    return (
      (await this.#store.read(bucket, key, withBody)) ??
      fail('NoSuchKey', `The specified key does not exist: '${key}' in bucket '${bucket}'`)
    );
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
        const found = await this.bucket(bucket);
        const lastModified = this.#ctx.clock.now();
        const change = this.#change(found, key, eventName);
        const record = await this.#store.write(
          bucket,
          key,
          write.body,
          { eTag: write.eTag, lastModified, contentType: write.contentType, metadata: write.metadata },
          change,
        );
        this.#emit(bucket, key, change, record.id, record);
        return record;
      }),
    );
  }

  /** Deletes an object; a missing key succeeds with no event, as in S3. */
  deleteObject(bucket: string, key: string): Promise<void> {
    return this.#gate.shared(bucket, () =>
      this.#keys.run(ObjectStore.objectKey(bucket, key), async () => {
        const found = await this.bucket(bucket);
        const change = this.#change(found, key, 'ObjectRemoved:Delete');
        const sequencer = await this.#store.delete(bucket, key, change);
        if (sequencer !== undefined) this.#emit(bucket, key, change, sequencer, undefined);
      }),
    );
  }

  /** The change's time and the configurations it matches now (none without a sink). */
  #change(bucket: BucketRecord, key: string, eventName: BucketEventName): ObjectChange {
    const time = this.#ctx.clock.now();
    const targets = this.#sink
      ? matchingConfigurations(bucket.notification, eventName, key).map((c) => ({
          functionArn: c.functionArn,
          ...(c.invocationRole === undefined ? {} : { invocationRole: c.invocationRole }),
          configurationId: c.id,
        }))
      : [];
    // Request ids only when a record will be built: a put nobody hears of skips that work.
    if (targets.length === 0 && !this.#events.observed) return { eventName, time, targets };
    return { eventName, time, targets, requestId: requestId(), hostId: hostId() };
  }

  /** `events$`: the bucket's own record, built only when someone listens. */
  #emit(
    bucket: string,
    key: string,
    change: ObjectChange,
    sequencer: string,
    created: ObjectRecord | undefined,
  ): void {
    if (this.#events.observed) {
      this.#events.next(changeRecord(this.#ctx, bucket, key, change, sequencer, created));
    }
  }

  async list(bucket: string, options: ListObjectsOptions | undefined): Promise<ListObjectsResult> {
    await this.bucket(bucket);
    return listObjects(this.#store.list, bucket, options);
  }
}
