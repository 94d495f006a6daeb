/**
 * Where buckets and objects live in LevelDB. Object metadata sits in one sublevel keyed
 * `bucket NUL key` (so one bucket's keys are a contiguous range in UTF-8 byte order); bodies sit
 * in another, in 1 MiB chunks keyed `objectId NUL chunkIndex(8 digits)`. A new object version
 * gets a new id, so readers never see a mix of two bodies.
 */
import { ulid } from 'ulid';
import { childRange, encodeUint, joinKey } from '../storage/keys.js';
import { type BatchOp, delOp, putOp, type Storage, type Sub } from '../storage/storage.js';
import type { NotificationConfiguration } from './notification-config.js';

export const CHUNK_BYTES = 1024 * 1024;

export interface BucketRecord {
  name: string;
  /** Engine clock, ms. */
  creationDate: number;
  notification: NotificationConfiguration;
}

export interface ObjectRecord {
  /** Identifies this version's body chunks. */
  id: string;
  size: number;
  eTag: string;
  /** Engine clock, ms. */
  lastModified: number;
  contentType: string;
  metadata: Record<string, string>;
  chunks: number;
}

export class ObjectStore {
  readonly buckets: Sub<BucketRecord>;
  readonly objects: Sub<ObjectRecord>;
  readonly chunks: Sub<Buffer>;
  readonly meta: Sub<number>;

  constructor(readonly storage: Storage) {
    this.buckets = storage.sublevel<BucketRecord>('buckets');
    this.objects = storage.sublevel<ObjectRecord>('objects');
    this.chunks = storage.sublevel<Buffer>('object-chunks', 'buffer');
    this.meta = storage.sublevel<number>('buckets-meta');
  }

  static objectKey(bucket: string, key: string): string {
    return joinKey(bucket, key);
  }

  static newId(): string {
    return ulid();
  }

  async getObject(bucket: string, key: string): Promise<ObjectRecord | undefined> {
    return this.objects.get(ObjectStore.objectKey(bucket, key));
  }

  async hasObjects(bucket: string): Promise<boolean> {
    const keys = await this.objects.keys({ ...childRange(bucket), limit: 1 }).all();
    return keys.length > 0;
  }

  /** Chunk puts for `body`: views of the caller's buffer, never copies. */
  chunkOps(id: string, body: Buffer): BatchOp[] {
    const ops: BatchOp[] = [];
    for (let i = 0, offset = 0; offset < body.length; i++, offset += CHUNK_BYTES) {
      ops.push(
        putOp(this.chunks, joinKey(id, encodeUint(i, 8)), body.subarray(offset, offset + CHUNK_BYTES)),
      );
    }
    return ops;
  }

  chunkCount(size: number): number {
    return Math.ceil(size / CHUNK_BYTES);
  }

  /** Deletes of every chunk of `record`. */
  dropChunkOps(record: ObjectRecord): BatchOp[] {
    const ops: BatchOp[] = [];
    for (let i = 0; i < record.chunks; i++)
      ops.push(delOp(this.chunks, joinKey(record.id, encodeUint(i, 8))));
    return ops;
  }

  /** The chunks of one version; an iterator reads from a snapshot, so all or none are seen. */
  async readChunks(record: ObjectRecord): Promise<Buffer[]> {
    if (record.chunks === 0) return [];
    return this.chunks.values(childRange(record.id)).all();
  }
}
