/**
 * ListObjectsV2 (reference §1.5): keys in UTF-8 binary order (a backend's {@link ListSource}), delimiter roll-up into common prefixes that count toward maxKeys,
 * an opaque continuation token. A common prefix is skipped in one seek to the first string past
 * every key that starts with it, so a page boundary inside a run of rolled-up keys never
 * repeats the prefix on the next page.
 */
import { createHash } from 'node:crypto';
import { fail } from '../errors.js';
import { by, readOptions, stringValue } from '../validation/options.js';

export interface ListObjectsOptions {
  prefix?: string;
  delimiter?: string;
  /** 0 to 1000, default 1000; larger values are capped at 1000 as S3 does. */
  maxKeys?: number;
  /** Start strictly after this key; ignored once a continuation token is used. */
  startAfter?: string;
  continuationToken?: string;
}

export interface ObjectSummary {
  key: string;
  lastModified: Date;
  /** Lower-case hex MD5, without S3's surrounding quotes. */
  eTag: string;
  size: number;
  storageClass: 'STANDARD';
}

export interface ListObjectsResult {
  name: string;
  prefix: string;
  delimiter?: string;
  maxKeys: number;
  contents: ObjectSummary[];
  /** Common prefixes as plain strings (S3's `CommonPrefixes[].Prefix`). */
  commonPrefixes: string[];
  keyCount: number;
  isTruncated: boolean;
  nextContinuationToken?: string;
}

export const MAX_KEYS = 1000;

/** What a listing needs of one stored object. */
export interface ListedObject {
  /** The key within its bucket. */
  key: string;
  /** Engine clock, ms. */
  lastModified: number;
  eTag: string;
  size: number;
}

/** Bounds of a listing, as keys within the bucket; an absent `lt` means no upper bound. */
export interface ListRange {
  gt?: string;
  gte?: string;
  lt?: string;
}

/** A bucket's keys in UTF-8 byte order from a start position, with a seek forward. */
export interface ListCursor {
  /** Up to `count` next objects; empty at the end. */
  nextv(count: number): Promise<ListedObject[]>;
  /** Continues at the first key >= `key` (within the range). */
  seek(key: string): void;
  close(): Promise<void>;
}

/** Where a backend's objects are listed from. */
export type ListSource = (bucket: string, range: ListRange) => ListCursor | Promise<ListCursor>;

/** Compares as UTF-8 bytes (JS `<` compares UTF-16 code units, which differs above U+FFFF). */
export function utf8Compare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * The smallest string greater than every string that starts with `text` (code-point order,
 * which equals UTF-8 byte order). Undefined when there is none (all code points maximal).
 */
export function successor(text: string): string | undefined {
  const points = Array.from(text);
  while (points.length > 0) {
    const last = points.pop() ?? '';
    const cp = last.codePointAt(0) ?? 0;
    if (cp < 0x10ffff) {
      const next = cp === 0xd7ff ? 0xe000 : cp + 1;
      return points.join('') + String.fromCodePoint(next);
    }
  }
  return undefined;
}

interface Position {
  /** 'k': resume strictly after this key; 'p': resume past every key under this prefix. */
  kind: 'k' | 'p';
  value: string;
}

function checksum(bucket: string, prefix: string, body: string): string {
  return createHash('md5').update(`${bucket}\n${prefix}\n${body}`).digest('base64url').slice(0, 12);
}

export function encodeToken(bucket: string, prefix: string, position: Position): string {
  const body = Buffer.from(`${position.kind}${position.value}`, 'utf8').toString('base64url');
  return `${body}.${checksum(bucket, prefix, body)}`;
}

export function decodeToken(bucket: string, prefix: string, token: string): Position {
  const invalid = (): never =>
    fail('InvalidArgument', `The continuation token provided is incorrect: ${JSON.stringify(token)}`);
  if (typeof token !== 'string') return invalid();
  const [body, sum, ...rest] = token.split('.');
  if (body === undefined || sum === undefined || rest.length > 0 || checksum(bucket, prefix, body) !== sum)
    return invalid();
  const text = Buffer.from(body, 'base64url').toString('utf8');
  const kind = text[0];
  const value = text.slice(1);
  if ((kind !== 'k' && kind !== 'p') || !value.startsWith(prefix)) return invalid();
  return { kind, value };
}

export function resolveMaxKeys(maxKeys: unknown): number {
  if (maxKeys === undefined) return MAX_KEYS;
  if (typeof maxKeys !== 'number' || !Number.isInteger(maxKeys) || maxKeys < 0) {
    fail('InvalidArgument', `options.maxKeys must be an integer >= 0, got ${JSON.stringify(maxKeys)}`);
  }
  return Math.min(maxKeys, MAX_KEYS);
}

const LIST_OPTIONS = {
  prefix: stringValue({ empty: true }),
  delimiter: stringValue({ empty: true }),
  maxKeys: by(resolveMaxKeys),
  startAfter: stringValue({ empty: true }),
  continuationToken: stringValue({ empty: true }),
} as const;

/** Lists one bucket's keys; the caller has checked the bucket exists. */
export async function listObjects(
  source: ListSource,
  bucket: string,
  options: ListObjectsOptions | undefined,
): Promise<ListObjectsResult> {
  const o = readOptions(options, LIST_OPTIONS, 'InvalidArgument');
  const prefix = o.prefix ?? '';
  const delimiter = o.delimiter || undefined;
  const startAfter = o.startAfter;
  const token = o.continuationToken;
  const maxKeys = o.maxKeys ?? MAX_KEYS;
  const position = token === undefined ? undefined : decodeToken(bucket, prefix, token);

  const upperPrefix = successor(prefix);
  const lt = upperPrefix === undefined || prefix === '' ? undefined : upperPrefix;
  // Where to start: a token wins over startAfter.
  let gt: string | undefined;
  let gte = prefix;
  if (position?.kind === 'k') gt = position.value;
  else if (position?.kind === 'p') gte = successor(position.value) ?? '\u{10ffff}';
  else if (startAfter !== undefined) gt = startAfter;

  const result: ListObjectsResult = {
    name: bucket,
    prefix,
    maxKeys,
    contents: [],
    commonPrefixes: [],
    keyCount: 0,
    isTruncated: false,
  };
  if (delimiter !== undefined) result.delimiter = delimiter;
  if (maxKeys === 0) return result;

  const from: ListRange = gt !== undefined && utf8Compare(gt, gte) >= 0 ? { gt } : { gte };
  if (lt !== undefined) from.lt = lt;
  const iterator = await source(bucket, from);
  let last: Position | undefined;
  try {
    let done = false;
    while (!done) {
      const entries = await iterator.nextv(64);
      if (entries.length === 0) break;
      for (const object of entries) {
        if (result.keyCount === maxKeys) {
          // One more item exists past a full page.
          result.isTruncated = true;
          done = true;
          break;
        }
        const { key } = object;
        const cut = delimiter === undefined ? -1 : key.indexOf(delimiter, prefix.length);
        if (delimiter !== undefined && cut >= 0) {
          const common = key.slice(0, cut + delimiter.length);
          result.commonPrefixes.push(common);
          result.keyCount++;
          last = { kind: 'p', value: common };
          // Skip every key under this prefix in one seek; the rest of this read is stale.
          const next = successor(common);
          if (next === undefined) done = true;
          else iterator.seek(next);
          break;
        }
        result.contents.push({
          key,
          lastModified: new Date(object.lastModified),
          eTag: object.eTag,
          size: object.size,
          storageClass: 'STANDARD',
        });
        result.keyCount++;
        last = { kind: 'k', value: key };
      }
    }
  } finally {
    await iterator.close();
  }
  if (result.isTruncated && last) result.nextContinuationToken = encodeToken(bucket, prefix, last);
  return result;
}
