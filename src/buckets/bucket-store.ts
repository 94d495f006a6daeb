/**
 * The seam in front of bucket and object storage. {@link BucketService} keeps every S3 rule
 * (validation, per-key order, the bucket gate, notification configurations and their checks,
 * `events$`); a `BucketStore` only stores, and turns each object change into notification
 * deliveries for the sink in a way that survives a crash between the write and the event:
 * the embedded store writes the deliveries in the object's own LevelDB batch, the JetStream store
 * hands them over from the object store's change subject (src/backends/jetstream/).
 */
import type { Arns } from '../arn.js';
import type { Storage } from '../storage/storage.js';
import { type BucketEventName, buildRecord, withConfigurationId } from './event-record.js';
import type { ListSource } from './listing.js';
import type { NotificationDelivery, NotificationSink, S3EventRecord } from './notification-sink.js';
import type { BucketRecord, ObjectRecord } from './object-store.js';

/** One matching notification configuration, as the change is made. */
export interface NotificationTarget {
  functionArn: string;
  invocationRole?: string;
  configurationId: string;
}

/** What an object write or delete tells its notifications. */
export interface ObjectChange {
  eventName: BucketEventName;
  /** Engine clock, ms: the event's time. */
  time: number;
  /** The configurations the event matched when it was made (may be empty). */
  targets: readonly NotificationTarget[];
  /**
   * The write's `x-amz-request-id` and `x-amz-id-2`: every record of one change carries the
   * same, whichever process builds it. Absent when no record was wanted as the change was made.
   */
  requestId?: string;
  hostId?: string;
}

/** The fields of a new object version besides its body. */
export interface ObjectFields {
  eTag: string;
  /** Engine clock, ms. */
  lastModified: number;
  contentType: string;
  metadata: Record<string, string>;
}

export interface StoredObject {
  record: ObjectRecord;
  body: Buffer;
}

/** @internal a backend's storage of buckets and objects (one per engine). */
export interface BucketStore {
  /** Loads what the store keeps in memory; called once before any other call. */
  open(): Promise<void>;
  /** The bucket's record as every engine on the backend sees it now. */
  bucket(name: string): Promise<BucketRecord | undefined>;
  /** Every bucket, in any order. */
  buckets(): Promise<BucketRecord[]>;
  /** Stores a new bucket; false when one of that name exists (nothing is changed then). */
  createBucket(record: BucketRecord): Promise<boolean>;
  /** Replaces an existing bucket's record (its notification configuration). */
  updateBucket(record: BucketRecord): Promise<void>;
  deleteBucket(name: string): Promise<void>;
  hasObjects(bucket: string): Promise<boolean>;
  /** The object's record and (when `withBody`) its body; undefined when absent. */
  read(bucket: string, key: string, withBody: boolean): Promise<StoredObject | undefined>;
  /**
   * Stores a new version of `key` and makes the change's deliveries durable with it. Resolves
   * with the version's record (its `id` is the event's sequencer) once both are durable; the
   * caller serialises writes of one key within the engine.
   */
  write(
    bucket: string,
    key: string,
    body: Buffer,
    fields: ObjectFields,
    change: ObjectChange,
  ): Promise<ObjectRecord>;
  /** Deletes `key`; resolves with the event's sequencer, or undefined when there was no object. */
  delete(bucket: string, key: string, change: ObjectChange): Promise<string | undefined>;
  /** Where ListObjectsV2 reads keys from. */
  readonly list: ListSource;
  /** Stops background work (the JetStream store's change consumers); storage is still open. */
  close(): Promise<void>;
}

/** What a bucket store is built on: the engine's storage and what event records name. */
export interface BucketStoreGround {
  readonly storage: Storage;
  readonly region: string;
  readonly accountId: string;
  readonly arns: Arns;
}

/** Builds a backend's bucket store once the engine's notification sink exists. */
export type BucketStoreFactory = (
  ground: BucketStoreGround,
  sink: NotificationSink | undefined,
) => BucketStore;

/** The bucket's own event record of a change (`s3.configurationId` ''). */
export function changeRecord(
  ctx: BucketStoreGround,
  bucket: string,
  key: string,
  change: ObjectChange,
  sequencer: string,
  created: { size: number; eTag: string } | undefined,
): S3EventRecord {
  return buildRecord({
    region: ctx.region,
    time: change.time,
    eventName: change.eventName,
    principalId: ctx.accountId,
    bucket,
    bucketArn: ctx.arns.bucket(bucket),
    key,
    ...(created ? { size: created.size, eTag: created.eTag } : {}),
    sequencer,
    ...(change.requestId === undefined ? {} : { requestId: change.requestId }),
    ...(change.hostId === undefined ? {} : { hostId: change.hostId }),
  });
}

/** One delivery per matching configuration, each record stamped with its configuration's id. */
export function deliveriesOf(
  record: S3EventRecord,
  bucket: string,
  targets: readonly NotificationTarget[],
): NotificationDelivery[] {
  return targets.map((t) => ({
    functionArn: t.functionArn,
    ...(t.invocationRole === undefined ? {} : { invocationRole: t.invocationRole }),
    bucket,
    record: withConfigurationId(record, t.configurationId),
  }));
}

/** The event's sequencer from a number that grows with every change of a key. */
export function formatSequencer(n: number): string {
  return n.toString(16).toUpperCase().padStart(18, '0');
}
