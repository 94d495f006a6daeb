/**
 * Multipart upload (the aws CLI switches to it from 8 MB). The engine stores whole objects, so
 * parts wait here, in memory, and CompleteMultipartUpload writes the assembled object with one
 * `putObject`: the object and its notification events stay one atomic write. Uploads in progress
 * do not survive a restart (the client then gets NoSuchUpload and starts over). Memory is
 * bounded: past a number of uploads in progress or of part bytes held, new ones are refused with
 * S3's retriable `SlowDown` until uploads complete or are aborted.
 */
import { createHash, randomUUID } from 'node:crypto';
import { xmlChild, xmlList, xmlText } from '../protocols/xml.js';
import { header } from '../wire.js';
import { WireError } from '../wire-error.js';
import { assertBucket, empty, quoted, type S3Call, xmlBody, xmlReply } from './common.js';
import { metadataOf } from './objects.js';
import { objectPayload } from './payload.js';

const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_PART_NUMBER = 10_000;

/** How much multipart state the server holds in memory at most. */
export interface MultipartLimits {
  /** Uploads in progress (each holds its metadata even with no parts). */
  readonly maxUploads: number;
  /** Bytes of parts held across all uploads. */
  readonly maxBytes: number;
}

export const MULTIPART_LIMITS: MultipartLimits = Object.freeze({
  maxUploads: 10_000,
  maxBytes: 2 * 1024 ** 3,
});

interface Upload {
  readonly bucket: string;
  readonly key: string;
  readonly contentType: string | undefined;
  readonly metadata: Record<string, string>;
  readonly parts: Map<number, { body: Buffer; eTag: string }>;
}

export class MultipartUploads {
  readonly #uploads = new Map<string, Upload>();
  #heldBytes = 0;

  constructor(private readonly limits: MultipartLimits = MULTIPART_LIMITS) {}

  /** Part bytes held now, across uploads. */
  get heldBytes(): number {
    return this.#heldBytes;
  }

  #drop(id: string): void {
    const upload = this.#uploads.get(id);
    if (upload === undefined) return;
    for (const part of upload.parts.values()) this.#heldBytes -= part.body.length;
    this.#uploads.delete(id);
  }

  #upload(call: S3Call): Upload {
    const id = call.req.query.get('uploadId') ?? '';
    const upload = this.#uploads.get(id);
    if (upload === undefined || upload.bucket !== call.bucket || upload.key !== call.key) {
      throw new WireError('NoSuchUpload', 404, `The specified upload does not exist: ${id}`);
    }
    return upload;
  }

  create = async (call: S3Call) => {
    await assertBucket(call.engine, call.bucket);
    if (this.#uploads.size >= this.limits.maxUploads) {
      throw new WireError(
        'SlowDown',
        503,
        `${this.#uploads.size} multipart uploads are in progress, the most this server holds; complete or abort some and retry`,
      );
    }
    const uploadId = randomUUID().replace(/-/g, '');
    this.#uploads.set(uploadId, {
      bucket: call.bucket,
      key: call.key,
      contentType: header(call.req, 'content-type'),
      metadata: metadataOf(call),
      parts: new Map(),
    });
    return xmlReply([
      'InitiateMultipartUploadResult',
      [
        ['Bucket', call.bucket],
        ['Key', call.key],
        ['UploadId', uploadId],
      ],
    ]);
  };

  uploadPart = async (call: S3Call) => {
    const upload = this.#upload(call);
    const partNumber = Number(call.req.query.get('partNumber'));
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
      throw new WireError(
        'InvalidArgument',
        400,
        `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive`,
      );
    }
    const body = objectPayload(call.req);
    const held = this.#heldBytes - (upload.parts.get(partNumber)?.body.length ?? 0) + body.length;
    if (held > this.limits.maxBytes) {
      throw new WireError(
        'SlowDown',
        503,
        `Multipart parts held in memory would pass ${this.limits.maxBytes} bytes; complete or abort uploads in progress and retry`,
      );
    }
    const eTag = createHash('md5').update(body).digest('hex');
    upload.parts.set(partNumber, { body, eTag });
    this.#heldBytes = held;
    return empty(200, { etag: quoted(eTag) });
  };

  complete = async (call: S3Call) => {
    const upload = this.#upload(call);
    const doc = xmlBody(call.req);
    const listed = xmlList(xmlChild(xmlChild(doc, 'CompleteMultipartUpload'), 'Part')).map((p) => ({
      partNumber: Number(xmlText(p, 'PartNumber')),
      eTag: (xmlText(p, 'ETag') ?? '').replace(/"/g, ''),
    }));
    if (listed.length === 0)
      throw new WireError('MalformedXML', 400, 'CompleteMultipartUpload lists no parts');
    const bodies: Buffer[] = [];
    listed.forEach(({ partNumber, eTag }, i) => {
      if (i > 0 && partNumber <= listed[i - 1]!.partNumber) {
        throw new WireError(
          'InvalidPartOrder',
          400,
          'The list of parts was not in ascending order. Parts must be ordered by part number.',
        );
      }
      const part = upload.parts.get(partNumber);
      if (part === undefined || part.eTag !== eTag) {
        throw new WireError(
          'InvalidPart',
          400,
          `One or more of the specified parts could not be found: part ${partNumber}`,
        );
      }
      if (i < listed.length - 1 && part.body.length < MIN_PART_BYTES) {
        throw new WireError(
          'EntityTooSmall',
          400,
          `Your proposed upload is smaller than the minimum allowed size: part ${partNumber} has ${part.body.length} bytes`,
        );
      }
      bodies.push(part.body);
    });
    const { eTag } = await call.engine.buckets.putObject(call.bucket, call.key, Buffer.concat(bodies), {
      ...(upload.contentType === undefined ? {} : { contentType: upload.contentType }),
      metadata: upload.metadata,
    });
    this.#drop(call.req.query.get('uploadId') ?? '');
    return xmlReply([
      'CompleteMultipartUploadResult',
      [
        ['Location', `/${call.bucket}/${call.key}`],
        ['Bucket', call.bucket],
        ['Key', call.key],
        ['ETag', quoted(eTag)],
      ],
    ]);
  };

  abort = async (call: S3Call) => {
    this.#upload(call);
    this.#drop(call.req.query.get('uploadId') ?? '');
    return empty(204);
  };
}
