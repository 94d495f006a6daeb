/**
 * The embedded bucket store: buckets and objects in the engine's LevelDB (object-store.ts), a
 * hi-lo sequencer, and each change's notification deliveries written in the SAME batch as the
 * object, so a crash can never keep the object and lose its event (DESIGN.md §2.1).
 */
import { SEP, SEP_END } from '../storage/keys.js';
import { type BatchOp, delOp, putOp } from '../storage/storage.js';
import {
  type BucketStore,
  type BucketStoreGround,
  changeRecord,
  deliveriesOf,
  type ObjectChange,
  type ObjectFields,
  type StoredObject,
} from './bucket-store.js';
import type { ListCursor, ListedObject, ListRange } from './listing.js';
import type { NotificationSink } from './notification-sink.js';
import { type BucketRecord, decodeObject, type ObjectRecord, ObjectStore } from './object-store.js';
import { Sequencer } from './sequencer.js';

export class LevelBucketStore implements BucketStore {
  readonly #ctx: BucketStoreGround;
  readonly #sink: NotificationSink | undefined;
  readonly #store: ObjectStore;
  readonly #sequencer: Sequencer;
  readonly #cache = new Map<string, BucketRecord>();

  constructor(ctx: BucketStoreGround, sink: NotificationSink | undefined) {
    this.#ctx = ctx;
    this.#sink = sink;
    this.#store = new ObjectStore(ctx.storage);
    this.#sequencer = new Sequencer(ctx.storage, this.#store.meta);
  }

  async open(): Promise<void> {
    for (const record of await this.#store.buckets.values().all()) this.#cache.set(record.name, record);
    await this.#store.open();
    await this.#sequencer.open();
  }

  async bucket(name: string): Promise<BucketRecord | undefined> {
    return this.#cache.get(name);
  }

  async buckets(): Promise<BucketRecord[]> {
    return [...this.#cache.values()];
  }

  async createBucket(record: BucketRecord): Promise<boolean> {
    if (this.#cache.has(record.name)) return false;
    await this.updateBucket(record);
    return true;
  }

  async updateBucket(record: BucketRecord): Promise<void> {
    await this.#ctx.storage.batch([putOp(this.#store.buckets, record.name, record)]);
    this.#cache.set(record.name, record);
  }

  async deleteBucket(name: string): Promise<void> {
    await this.#ctx.storage.batch([delOp(this.#store.buckets, name)]);
    this.#cache.delete(name);
  }

  hasObjects(bucket: string): Promise<boolean> {
    return this.#store.hasObjects(bucket);
  }

  /** Retries when an overwrite replaced the body between the two reads. */
  async read(bucket: string, key: string, withBody: boolean): Promise<StoredObject | undefined> {
    for (;;) {
      const stored = await this.#store.get(bucket, key);
      if (!stored) return undefined;
      if (!withBody) return { record: stored.record, body: Buffer.alloc(0) };
      const body = await this.#store.readBody(stored);
      if (body) return { record: stored.record, body };
    }
  }

  async write(
    bucket: string,
    key: string,
    body: Buffer,
    fields: ObjectFields,
    change: ObjectChange,
  ): Promise<ObjectRecord> {
    const record = this.#store.newRecord(await this.#sequencer.next(), body, fields);
    const ops = this.#store.writeOps(bucket, key, record, body);
    await this.#commit(bucket, key, change, record.id, ops, record, () =>
      this.#store.written(bucket, key, record),
    );
    return record;
  }

  async delete(bucket: string, key: string, change: ObjectChange): Promise<string | undefined> {
    const previous = await this.#store.get(bucket, key);
    if (!previous) return undefined;
    const ops = this.#store.deleteOps(bucket, key, previous.record);
    const sequencer = await this.#sequencer.next();
    await this.#commit(bucket, key, change, sequencer, ops, undefined, () =>
      this.#store.deleted(bucket, key),
    );
    return sequencer;
  }

  async #commit(
    bucket: string,
    key: string,
    change: ObjectChange,
    sequencer: string,
    objectOps: BatchOp[],
    created: ObjectRecord | undefined,
    afterBatch: () => void,
  ): Promise<void> {
    const sink = this.#sink;
    // A record is built only when a configuration matched.
    const deliveries =
      sink && change.targets.length > 0
        ? deliveriesOf(
            changeRecord(this.#ctx, bucket, key, change, sequencer, created),
            bucket,
            change.targets,
          )
        : [];
    const deliveryOps = sink && deliveries.length > 0 ? sink.deliveryOps(deliveries) : [];
    await this.#ctx.storage.batch(deliveryOps.length === 0 ? objectOps : [...objectOps, ...deliveryOps]);
    afterBatch();
    if (sink && deliveries.length > 0) sink.committed(deliveries);
  }

  readonly list = (bucket: string, range: ListRange): ListCursor => {
    const base = bucket + SEP;
    const iterator = this.#store.objects.iterator({
      ...(range.gt === undefined ? {} : { gt: base + range.gt }),
      ...(range.gte === undefined ? {} : { gte: base + range.gte }),
      lt: range.lt === undefined ? bucket + SEP_END : base + range.lt,
    });
    return {
      nextv: async (count) => {
        const entries = await iterator.nextv(count);
        return entries.map(([fullKey, value]): ListedObject => {
          const { record } = decodeObject(value);
          return {
            key: fullKey.slice(base.length),
            lastModified: record.lastModified,
            eTag: record.eTag,
            size: record.size,
          };
        });
      },
      seek: (key) => iterator.seek(base + key),
      close: () => iterator.close(),
    };
  };

  async close(): Promise<void> {}
}
