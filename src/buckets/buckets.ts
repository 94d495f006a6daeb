/**
 * `engine.buckets`: S3-style buckets. A thin facade: it checks and normalises arguments, then
 * delegates to the private {@link BucketService}.
 *
 * @example
 * await engine.buckets.create('photos');
 * const { eTag } = await engine.buckets.putObject('photos', 'cat.jpg', bytes, { contentType: 'image/jpeg' });
 * engine.buckets.events$.subscribe((record) => console.log(record.eventName, record.s3.object.key));
 */
import type { Observable } from 'rxjs';
import type { EngineContext } from '../context.js';
import { type BucketService, md5Hex, BucketService as Service, type StoredObject } from './bucket-service.js';
import type { FunctionDirectory } from './function-directory.js';
import type { ListObjectsOptions, ListObjectsResult } from './listing.js';
import type { NotificationConfiguration, NotificationConfigurationInput } from './notification-config.js';
import type { NotificationSink, S3EventRecord } from './notification-sink.js';
import {
  assertBucketName,
  assertKey,
  bodyBuffer,
  normaliseContentType,
  normaliseMetadata,
} from './validate.js';

export interface PutObjectOptions {
  /** Default 'binary/octet-stream', as S3 stores a PUT without Content-Type. */
  contentType?: string;
  /** User metadata; names are lower-cased; at most 2 KB of names plus values. */
  metadata?: Record<string, string>;
}

export interface PutObjectResult {
  /** Lower-case hex MD5 of the body, WITHOUT the double quotes S3 puts around it in HTTP. */
  eTag: string;
  size: number;
}

export interface HeadObjectResult {
  eTag: string;
  size: number;
  lastModified: Date;
  contentType: string;
  metadata: Record<string, string>;
}

export interface GetObjectResult extends HeadObjectResult {
  body: Buffer;
}

export interface BucketSummary {
  name: string;
  creationDate: Date;
}

export interface BucketsOptions {
  sink?: NotificationSink;
  directory?: FunctionDirectory;
}

const internals = new WeakMap<Buckets, BucketService>();

/**
 * Internal, for the composition root (not exported from the package): plugs in the push
 * queue, whose operations then join every object write's batch.
 */
export function attachNotificationSink(buckets: Buckets, sink: NotificationSink | undefined): void {
  internals.get(buckets)?.attachNotificationSink(sink);
}

/** Internal: plugs in the functions registry so notification configs check their functions. */
export function attachFunctionDirectory(buckets: Buckets, directory: FunctionDirectory | undefined): void {
  internals.get(buckets)?.attachFunctionDirectory(directory);
}

export class Buckets {
  readonly #ctx: EngineContext;
  readonly #service: BucketService;

  /** @internal built by the engine. */
  constructor(ctx: EngineContext, options: BucketsOptions = {}) {
    this.#ctx = ctx;
    this.#service = new Service(ctx, options);
    internals.set(this, this.#service);
  }

  /**
   * One S3 event record per successful object write or delete, emitted after its batch
   * committed. `s3.configurationId` is '' here: this stream is the bucket's own, not one
   * configuration's (deliveries to functions carry their configuration's id).
   */
  get events$(): Observable<S3EventRecord> {
    return this.#service.events$;
  }

  #loaded = false;

  async #open(): Promise<BucketService> {
    this.#ctx.lifecycle.assertOpen();
    if (!this.#loaded) {
      await this.#service.ready;
      this.#loaded = true;
    }
    return this.#service;
  }

  /** Creates a bucket; `BucketAlreadyOwnedByYou` if it exists, `InvalidBucketName` for a bad name. */
  async create(name: string): Promise<void> {
    assertBucketName(name);
    await (await this.#open()).createBucket(name);
  }

  /** Deletes an empty bucket; `BucketNotEmpty` while it holds objects. */
  async delete(name: string): Promise<void> {
    await (await this.#open()).deleteBucket(String(name));
  }

  /** Buckets in name order. */
  async list(): Promise<BucketSummary[]> {
    const service = await this.#open();
    return service.listBuckets().map((b) => ({ name: b.name, creationDate: new Date(b.creationDate) }));
  }

  /** Stores an object (replacing any with that key) and emits ObjectCreated:Put. */
  async putObject(
    bucket: string,
    key: string,
    body: Buffer | Uint8Array | string,
    options: PutObjectOptions = {},
  ): Promise<PutObjectResult> {
    assertKey(key);
    const buffer = bodyBuffer(body);
    const write = {
      body: buffer,
      contentType: normaliseContentType(options.contentType),
      metadata: normaliseMetadata(options.metadata),
      eTag: md5Hex(buffer),
    };
    const service = await this.#open();
    const record = await service.writeObject(String(bucket), key, write, 'ObjectCreated:Put');
    return { eTag: record.eTag, size: record.size };
  }

  /** The object with its body; `NoSuchKey` when absent. */
  async getObject(bucket: string, key: string): Promise<GetObjectResult> {
    assertKey(key);
    const found = await (await this.#open()).getObject(String(bucket), key, true);
    return { body: found.body, ...head(found) };
  }

  /** The object's metadata without its body; `NoSuchKey` when absent. */
  async headObject(bucket: string, key: string): Promise<HeadObjectResult> {
    assertKey(key);
    return head(await (await this.#open()).getObject(String(bucket), key, false));
  }

  /** Deletes an object; deleting a missing key succeeds and emits nothing, as in S3. */
  async deleteObject(bucket: string, key: string): Promise<void> {
    assertKey(key);
    await (await this.#open()).deleteObject(String(bucket), key);
  }

  /** Copies body, content type and metadata; emits ObjectCreated:Copy for the destination. */
  async copyObject(
    srcBucket: string,
    srcKey: string,
    dstBucket: string,
    dstKey: string,
  ): Promise<PutObjectResult> {
    assertKey(srcKey, 'source key');
    assertKey(dstKey, 'destination key');
    const service = await this.#open();
    service.bucket(String(dstBucket));
    const source = await service.getObject(String(srcBucket), srcKey, true);
    const write = {
      body: source.body,
      contentType: source.record.contentType,
      metadata: source.record.metadata,
      eTag: source.record.eTag,
    };
    const record = await service.writeObject(String(dstBucket), dstKey, write, 'ObjectCreated:Copy');
    return { eTag: record.eTag, size: record.size };
  }

  /** ListObjectsV2: see {@link ListObjectsOptions}. */
  async listObjects(bucket: string, options?: ListObjectsOptions): Promise<ListObjectsResult> {
    return (await this.#open()).list(String(bucket), options);
  }

  /** Replaces the bucket's whole notification configuration; an empty list removes it. */
  async putNotificationConfiguration(bucket: string, config: NotificationConfigurationInput): Promise<void> {
    await (await this.#open()).putNotificationConfiguration(String(bucket), config);
  }

  async getNotificationConfiguration(bucket: string): Promise<NotificationConfiguration> {
    return (await this.#open()).getNotificationConfiguration(String(bucket));
  }
}

function head(found: StoredObject): HeadObjectResult {
  const { record } = found;
  return {
    eTag: record.eTag,
    size: record.size,
    lastModified: new Date(record.lastModified),
    contentType: record.contentType,
    metadata: { ...record.metadata },
  };
}
