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
import { fail } from '../errors.js';
import { md5Hex } from '../hash.js';
import { anyValue, readOptions } from '../validation/options.js';
import {
  type BucketService,
  type BucketServiceDeps,
  BucketService as Service,
  type StoredObject,
} from './bucket-service.js';
import type { ListObjectsOptions, ListObjectsResult } from './listing.js';
import type { NotificationConfiguration, NotificationConfigurationInput } from './notification-config.js';
import type { S3EventRecord } from './notification-sink.js';
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

/** A bucket as `create` describes it. */
export interface BucketDescription extends BucketSummary {
  /** `arn:aws:s3:::<name>`. */
  arn: string;
}

const PUT_OPTIONS = { contentType: anyValue(), metadata: anyValue() } as const;

export class Buckets {
  readonly #ctx: EngineContext;
  readonly #service: BucketService;

  /** @internal built by the engine. */
  constructor(ctx: EngineContext, deps: BucketServiceDeps = {}) {
    this.#ctx = ctx;
    this.#service = new Service(ctx, deps);
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

  /** Runs a producer's put under backpressure (see Backpressure). */
  #throttled<T>(bucket: string, key: string, bytes: number, put: () => Promise<T>): Promise<T> {
    return this.#ctx.backpressure.run('SlowDown', `a put of '${String(bucket)}/${key}'`, bytes, put);
  }

  /** Runs one operation on the service once it is loaded; close() waits for it to finish. */
  #call<T>(op: (service: BucketService) => Promise<T> | T): Promise<T> {
    this.#ctx.lifecycle.assertOpen();
    return this.#service.track(async () => {
      if (!this.#loaded) {
        await this.#service.ready;
        this.#loaded = true;
      }
      return op(this.#service);
    });
  }

  /** Creates a bucket; `BucketAlreadyOwnedByYou` if it exists, `InvalidBucketName` for a bad name. */
  async create(name: string): Promise<BucketDescription> {
    assertBucketName(name);
    const record = await this.#call((s) => s.createBucket(name));
    return { name, arn: this.#ctx.arns.bucket(name), creationDate: new Date(record.creationDate) };
  }

  /** Deletes an empty bucket; `BucketNotEmpty` while it holds objects. */
  async delete(name: string): Promise<void> {
    await this.#call((s) => s.deleteBucket(String(name)));
  }

  /** Buckets in name order. */
  async list(): Promise<BucketSummary[]> {
    const buckets = await this.#call((s) => s.listBuckets());
    return buckets.map((b) => ({ name: b.name, creationDate: new Date(b.creationDate) }));
  }

  /** Stores an object (replacing any with that key) and emits ObjectCreated:Put. */
  async putObject(
    bucket: string,
    key: string,
    body: Buffer | Uint8Array | string,
    options?: PutObjectOptions,
  ): Promise<PutObjectResult> {
    return this.#putObject(bucket, key, body, options, true);
  }

  /**
   * @internal putObject for the engine's own writes (destination records), which backpressure
   * never refuses: they settle work already accepted.
   */
  putObjectUnthrottled(
    bucket: string,
    key: string,
    body: Buffer | Uint8Array | string,
    options?: PutObjectOptions,
  ): Promise<PutObjectResult> {
    return this.#putObject(bucket, key, body, options, false);
  }

  async #putObject(
    bucket: string,
    key: string,
    body: Buffer | Uint8Array | string,
    options: PutObjectOptions | undefined,
    throttled: boolean,
  ): Promise<PutObjectResult> {
    assertKey(key);
    const o = readOptions(options, PUT_OPTIONS, 'InvalidArgument');
    const buffer = bodyBuffer(body);
    const write = {
      body: buffer,
      contentType: normaliseContentType(o.contentType),
      metadata: normaliseMetadata(o.metadata),
      eTag: md5Hex(buffer),
    };
    const put = () => this.#call((s) => s.writeObject(String(bucket), key, write, 'ObjectCreated:Put'));
    const record = await (throttled ? this.#throttled(bucket, key, buffer.length, put) : put());
    return { eTag: record.eTag, size: record.size };
  }

  /** The object with its body; `NoSuchKey` when absent. */
  async getObject(bucket: string, key: string): Promise<GetObjectResult> {
    assertKey(key);
    const found = await this.#call((s) => s.getObject(String(bucket), key, true));
    return { body: found.body, ...head(found) };
  }

  /** The object's metadata without its body; `NoSuchKey` when absent. */
  async headObject(bucket: string, key: string): Promise<HeadObjectResult> {
    assertKey(key);
    return head(await this.#call((s) => s.getObject(String(bucket), key, false)));
  }

  /** Deletes an object; deleting a missing key succeeds and emits nothing, as in S3. */
  async deleteObject(bucket: string, key: string): Promise<void> {
    assertKey(key);
    await this.#call((s) => s.deleteObject(String(bucket), key));
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
    if (srcBucket === dstBucket && srcKey === dstKey) {
      // S3 refuses a copy that would change nothing; this API copies metadata as is, always.
      fail(
        'InvalidRequest',
        `This copy request is illegal because it is trying to copy an object to itself (${String(dstBucket)}/${dstKey}) without changing the object's metadata, storage class, website redirect location or encryption attributes.`,
      );
    }
    // The copy's size is known only once the source is read: it counts as a call without a body.
    const record = await this.#throttled(dstBucket, dstKey, 0, () =>
      this.#call(async (s) => {
        await s.bucket(String(dstBucket));
        const source = await s.getObject(String(srcBucket), srcKey, true);
        const write = {
          body: source.body,
          contentType: source.record.contentType,
          metadata: source.record.metadata,
          eTag: source.record.eTag,
        };
        return s.writeObject(String(dstBucket), dstKey, write, 'ObjectCreated:Copy');
      }),
    );
    return { eTag: record.eTag, size: record.size };
  }

  /** ListObjectsV2: see {@link ListObjectsOptions}. */
  async listObjects(bucket: string, options?: ListObjectsOptions): Promise<ListObjectsResult> {
    return this.#call((s) => s.list(String(bucket), options));
  }

  /** Replaces the bucket's whole notification configuration; an empty list removes it. */
  async putNotificationConfiguration(bucket: string, config: NotificationConfigurationInput): Promise<void> {
    await this.#call((s) => s.putNotificationConfiguration(String(bucket), config));
  }

  async getNotificationConfiguration(bucket: string): Promise<NotificationConfiguration> {
    return this.#call((s) => s.getNotificationConfiguration(String(bucket)));
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
