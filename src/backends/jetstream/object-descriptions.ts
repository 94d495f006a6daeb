/**
 * How buckets' objects are described in the JetStream object store (bucket-store.ts): the object
 * store's own description of a key (its `ObjectInfo`) with lambdalite's facts in its metadata,
 * and the store and subject names. Read by the store and by the change consumer.
 */
import type { NotificationTarget } from '../../buckets/bucket-store.js';
import { formatSequencer } from '../../buckets/bucket-store.js';
import type { BucketEventName } from '../../buckets/event-record.js';
import type { ObjectRecord } from '../../buckets/object-store.js';

/** What the object store's description of a key carries for lambdalite (metadata `lambdalite`). */
export interface Facts {
  eventName: BucketEventName;
  time: number;
  requestId?: string;
  hostId?: string;
  targets: NotificationTarget[];
  eTag: string;
  lastModified: number;
  contentType: string;
  metadata: Record<string, string>;
  /** Stream sequence of the first chunk (0 without chunks), where reads start. */
  firstSeq: number;
  /** Stream sequence of the description this one replaced, if any. */
  replaced?: number;
}

/** The object store's description of a key (its `ObjectInfo`), as stored. */
export interface Description {
  name: string;
  bucket: string;
  nuid: string;
  size: number;
  chunks: number;
  digest: string;
  deleted: boolean;
  mtime: string;
  options?: { max_chunk_size?: number };
  metadata?: Record<string, string>;
}

/** A description with its stream sequence (the change's sequencer) and lambdalite's facts. */
export interface Described {
  seq: number;
  description: Description;
  facts: Facts | undefined;
}

/** A description message, or undefined when it is not one. */
export function parse(seq: number, data: Uint8Array): Described | undefined {
  try {
    const description = JSON.parse(Buffer.from(data).toString('utf8')) as Description;
    const raw = description.metadata?.lambdalite;
    const facts = raw === undefined ? undefined : (JSON.parse(raw) as Facts);
    return { seq, description, facts };
  } catch {
    return undefined;
  }
}

/** The object record of a live key's description (facts present). */
export function recordOf(found: Described): ObjectRecord {
  const facts = found.facts as Facts;
  return {
    id: formatSequencer(found.seq),
    size: found.description.size,
    eTag: facts.eTag,
    lastModified: facts.lastModified,
    contentType: facts.contentType,
    metadata: facts.metadata,
    chunks: found.description.chunks,
  };
}

/** The object store of a bucket: S3 names are a-z 0-9 '.' '-', object store names allow no '.'. */
export function storeName(prefix: string, bucket: string): string {
  return `${prefix}_s3_${bucket.replaceAll('.', '_')}`;
}

/** The object store's subject of a key's description: the key in padded base64url. */
export function metaSubject(store: string, key: string): string {
  const encoded = Buffer.from(key, 'utf8').toString('base64').replaceAll('+', '-').replaceAll('/', '_');
  return `$O.${store}.M.${encoded}`;
}
