/**
 * Where buckets and objects live in LevelDB.
 *
 * - `objects` (buffer): `bucket NUL key` -> [u32 header length][header JSON][inline body]. One
 *   bucket's keys are a contiguous range in UTF-8 byte order. Bodies up to {@link INLINE_BYTES}
 *   travel inline, so a small put is one value and a small get one read.
 * - `object-chunks` (buffer): larger bodies in 1 MiB chunks keyed `objectId NUL index(8 digits)`,
 *   written as views of the caller's buffer. Every version has a fresh id (its sequencer), so a
 *   reader never mixes two bodies.
 * - `object-chunk-index` (json): `bucket NUL key` -> { id, chunks } for chunked objects only,
 *   mirrored in memory, so an overwrite knows which chunks to drop without reading first.
 */
import { childRange, encodeUint, joinKey } from '../storage/keys.js';
import { type BatchOp, delOp, putOp, type Storage, type Sub } from '../storage/storage.js';
import type { NotificationConfiguration } from './notification-config.js';

export const CHUNK_BYTES = 1024 * 1024;
/** Bodies up to this size are stored inline with their metadata. */
export const INLINE_BYTES = 4096;

export interface BucketRecord {
  name: string;
  /** Engine clock, ms. */
  creationDate: number;
  notification: NotificationConfiguration;
}

export interface ObjectRecord {
  /** The sequencer of the write that created this version; names its chunks. */
  id: string;
  size: number;
  eTag: string;
  /** Engine clock, ms. */
  lastModified: number;
  contentType: string;
  metadata: Record<string, string>;
  /** Number of body chunks; 0 when the body is inline. */
  chunks: number;
}

export interface StoredValue {
  record: ObjectRecord;
  /** The body when it is stored inline. */
  inline: Buffer | undefined;
}

interface ChunkRef {
  id: string;
  chunks: number;
}

export function encodeObject(record: ObjectRecord, inline: Buffer | undefined): Buffer {
  // One allocation, one copy of the inline body: this runs on every small put.
  const header = JSON.stringify(record);
  const headerLength = Buffer.byteLength(header, 'utf8');
  const value = Buffer.allocUnsafe(4 + headerLength + (inline?.length ?? 0));
  value.writeUInt32BE(headerLength, 0);
  value.write(header, 4, 'utf8');
  if (inline) inline.copy(value, 4 + headerLength);
  return value;
}

export function decodeObject(value: Buffer): StoredValue {
  const headerLength = value.readUInt32BE(0);
  const record = JSON.parse(value.toString('utf8', 4, 4 + headerLength)) as ObjectRecord;
  return { record, inline: record.chunks === 0 ? value.subarray(4 + headerLength) : undefined };
}

export class ObjectStore {
  readonly buckets: Sub<BucketRecord>;
  readonly objects: Sub<Buffer>;
  readonly chunks: Sub<Buffer>;
  readonly chunkIndex: Sub<ChunkRef>;
  readonly meta: Sub<number>;
  readonly #chunked = new Map<string, ChunkRef>();

  constructor(readonly storage: Storage) {
    this.buckets = storage.sublevel<BucketRecord>('buckets');
    this.objects = storage.sublevel<Buffer>('objects', 'buffer');
    this.chunks = storage.sublevel<Buffer>('object-chunks', 'buffer');
    this.chunkIndex = storage.sublevel<ChunkRef>('object-chunk-index');
    this.meta = storage.sublevel<number>('buckets-meta');
  }

  async open(): Promise<void> {
    for (const [key, ref] of await this.chunkIndex.iterator().all()) this.#chunked.set(key, ref);
  }

  static objectKey(bucket: string, key: string): string {
    return joinKey(bucket, key);
  }

  async get(bucket: string, key: string): Promise<StoredValue | undefined> {
    const value = await this.objects.get(ObjectStore.objectKey(bucket, key));
    return value === undefined ? undefined : decodeObject(value);
  }

  async hasObjects(bucket: string): Promise<boolean> {
    const keys = await this.objects.keys({ ...childRange(bucket), limit: 1 }).all();
    return keys.length > 0;
  }

  /** The record for a new version of `body` (inline or chunked by size). */
  newRecord(id: string, body: Buffer, fields: Omit<ObjectRecord, 'id' | 'size' | 'chunks'>): ObjectRecord {
    return {
      id,
      size: body.length,
      eTag: fields.eTag,
      lastModified: fields.lastModified,
      contentType: fields.contentType,
      metadata: fields.metadata,
      chunks: body.length <= INLINE_BYTES ? 0 : Math.ceil(body.length / CHUNK_BYTES),
    };
  }

  /** Operations that store `record` with `body`, dropping the chunks of the version it replaces. */
  writeOps(bucket: string, key: string, record: ObjectRecord, body: Buffer): BatchOp[] {
    const objectKey = ObjectStore.objectKey(bucket, key);
    const ops = [
      putOp(this.objects, objectKey, encodeObject(record, record.chunks === 0 ? body : undefined)),
    ];
    for (let i = 0; i < record.chunks; i++) {
      const view = body.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES);
      ops.push(putOp(this.chunks, joinKey(record.id, encodeUint(i, 8)), view));
    }
    const previous = this.#chunked.get(objectKey);
    if (previous) ops.push(...this.#dropChunks(previous));
    if (record.chunks > 0)
      ops.push(putOp(this.chunkIndex, objectKey, { id: record.id, chunks: record.chunks }));
    else if (previous) ops.push(delOp(this.chunkIndex, objectKey));
    return ops;
  }

  /** Call once the batch of {@link writeOps} committed. */
  written(bucket: string, key: string, record: ObjectRecord): void {
    const objectKey = ObjectStore.objectKey(bucket, key);
    if (record.chunks > 0) this.#chunked.set(objectKey, { id: record.id, chunks: record.chunks });
    else this.#chunked.delete(objectKey);
  }

  deleteOps(bucket: string, key: string, previous: ObjectRecord): BatchOp[] {
    const objectKey = ObjectStore.objectKey(bucket, key);
    const ops = [delOp(this.objects, objectKey)];
    if (previous.chunks > 0) ops.push(...this.#dropChunks(previous), delOp(this.chunkIndex, objectKey));
    return ops;
  }

  /** Call once the batch of {@link deleteOps} committed. */
  deleted(bucket: string, key: string): void {
    this.#chunked.delete(ObjectStore.objectKey(bucket, key));
  }

  #dropChunks(ref: ChunkRef): BatchOp[] {
    const ops: BatchOp[] = [];
    for (let i = 0; i < ref.chunks; i++) ops.push(delOp(this.chunks, joinKey(ref.id, encodeUint(i, 8))));
    return ops;
  }

  /**
   * The body of one version, or undefined when an overwrite removed its chunks meanwhile (the
   * caller reads the record again). Chunks of one id are written and removed in one batch.
   */
  async readBody(stored: StoredValue): Promise<Buffer | undefined> {
    if (stored.inline) return stored.inline;
    const { record } = stored;
    const keys = Array.from({ length: record.chunks }, (_, i) => joinKey(record.id, encodeUint(i, 8)));
    const chunks = await this.chunks.getMany(keys);
    const present = chunks.filter((c): c is Buffer => c !== undefined);
    if (present.length !== record.chunks) return undefined;
    return present.length === 1 && present[0] ? present[0] : Buffer.concat(present, record.size);
  }
}
