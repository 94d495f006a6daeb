/**
 * Builds S3 event notification records exactly as reference §1.1 shapes them, fields in the
 * order AWS documents.
 */
import type { S3EventRecord } from './notification-sink.js';
import { pooledRandom } from './random-pool.js';

/** Event names this engine produces (without the `s3:` prefix, as records carry them). */
export type BucketEventName = 'ObjectCreated:Put' | 'ObjectCreated:Copy' | 'ObjectRemoved:Delete';

export interface RecordInput {
  region: string;
  /** Engine clock, ms since the epoch. */
  time: number;
  eventName: BucketEventName;
  principalId: string;
  bucket: string;
  bucketArn: string;
  key: string;
  /** Absent for removals. */
  size?: number;
  eTag?: string;
  sequencer: string;
  /** The write's request ids (`x-amz-request-id`, `x-amz-id-2`); fresh ones when absent. */
  requestId?: string;
  hostId?: string;
}

const KEEP = /[A-Za-z0-9*\-._/]/;
const ALL_KEPT = /^[A-Za-z0-9*\-._/]*$/;

/**
 * application/x-www-form-urlencoded encoding of a key as S3 puts it in records: space becomes
 * '+', every byte outside `A-Z a-z 0-9 * - . _` is percent-encoded (upper-case hex). '/' stays
 * as is, as in the keys S3 delivers ("photos/red+flower.jpg").
 */
export function formEncodeKey(key: string): string {
  if (ALL_KEPT.test(key)) return key;
  let out = '';
  for (const ch of key) {
    if (ch === ' ') out += '+';
    else if (KEEP.test(ch)) out += ch;
    else
      for (const byte of Buffer.from(ch, 'utf8'))
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Inverse of {@link formEncodeKey}, as AWS tells handlers to decode. */
export function formDecodeKey(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}

/** A request id like S3's: 16 upper-case hex characters. */
export function requestId(): string {
  return pooledRandom(8).toString('hex').toUpperCase();
}

/** A host id like S3's x-amz-id-2: a long base64 string. */
export function hostId(): string {
  return pooledRandom(48).toString('base64');
}

/** One record; `configurationId` is '' until a matching configuration stamps its id. */
export function buildRecord(input: RecordInput): S3EventRecord {
  const key = formEncodeKey(input.key);
  const { size, eTag, sequencer } = input;
  const object: S3EventRecord['s3']['object'] =
    size === undefined || eTag === undefined ? { key, sequencer } : { key, size, eTag, sequencer };
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: input.region,
    eventTime: new Date(input.time).toISOString(),
    eventName: input.eventName,
    userIdentity: { principalId: input.principalId },
    requestParameters: { sourceIPAddress: '127.0.0.1' },
    responseElements: {
      'x-amz-request-id': input.requestId ?? requestId(),
      'x-amz-id-2': input.hostId ?? hostId(),
    },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: '',
      bucket: { name: input.bucket, ownerIdentity: { principalId: input.principalId }, arn: input.bucketArn },
      object,
    },
  };
}

/** A copy of `record` stamped with one configuration's id. */
export function withConfigurationId(record: S3EventRecord, configurationId: string): S3EventRecord {
  return { ...record, s3: { ...record.s3, configurationId } };
}
