/**
 * Argument checks with S3's error codes (reference §1.3, §1.4). Each throws a
 * {@link LambdaliteError} naming the offending value and the rule it broke.
 */
import { fail } from '../errors.js';
import { isPlainObject } from '../validation/options.js';
import { checkText, setOwn, showValue } from '../validation/text.js';

const BUCKET_CHARS = /^[a-z0-9.-]+$/;
const IPV4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
const FORBIDDEN_PREFIXES = ['xn--', 'sthree-', 'sthree-configurator', 'amzn-s3-demo-'];
const FORBIDDEN_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3'];

const KEY_TEXT = { code: 'InvalidArgument' } as const;
const METADATA_NAME = { code: 'InvalidArgument' } as const;

/** Largest key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;
/** Largest user metadata (keys plus values, UTF-8 bytes). */
export const MAX_METADATA_BYTES = 2048;

/** The rule `name` breaks, or undefined when it is a valid general purpose bucket name. */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return `must be 3 to 63 characters long (got ${name.length})`;
  if (!BUCKET_CHARS.test(name)) return 'may contain only lowercase letters, digits, dots and hyphens';
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return 'must begin and end with a letter or digit';
  if (name.includes('..')) return 'must not contain two adjacent periods';
  if (IPV4.test(name)) return 'must not be formatted as an IP address';
  const prefix = FORBIDDEN_PREFIXES.find((p) => name.startsWith(p));
  if (prefix) return `must not start with the reserved prefix '${prefix}'`;
  const suffix = FORBIDDEN_SUFFIXES.find((s) => name.endsWith(s));
  if (suffix) return `must not end with the reserved suffix '${suffix}'`;
  return undefined;
}

export function assertBucketName(name: unknown): asserts name is string {
  if (typeof name !== 'string') fail('InvalidBucketName', `bucket name must be a string, got ${typeof name}`);
  const problem = bucketNameProblem(name);
  if (problem) fail('InvalidBucketName', `The specified bucket is not valid: '${name}' ${problem}`);
}

/**
 * A key is 1 to 1024 bytes of UTF-8. An empty key is refused with InvalidArgument (S3's REST
 * API cannot even address it: the request becomes a bucket operation; the SDKs refuse it).
 */
export function assertKey(key: unknown, what = 'key'): asserts key is string {
  if (typeof key === 'string' && key.length === 0) {
    fail('InvalidArgument', `${what} must be 1 to ${MAX_KEY_BYTES} UTF-8 bytes, got ''`);
  }
  const text = checkText(key, what, KEY_TEXT);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_KEY_BYTES) {
    fail(
      'KeyTooLongError',
      `Your key is too long: ${what} '${text.slice(0, 32)}...' is ${bytes} UTF-8 bytes, the limit is ${MAX_KEY_BYTES}`,
    );
  }
}

/**
 * Lower-cases metadata names (they travel as HTTP headers, `x-amz-meta-<name>`, whose names are
 * case-insensitive) and enforces the 2 KB limit. Two names that differ only in case would be one
 * header: one value would be lost, so they are refused (InvalidArgument) rather than merged.
 */
export function normaliseMetadata(metadata: unknown): Record<string, string> {
  if (metadata === undefined) return {};
  if (!isPlainObject(metadata)) {
    fail(
      'InvalidArgument',
      `options.metadata must be an object of string values, got ${showValue(metadata)}`,
    );
  }
  const out: Record<string, string> = {};
  const given = new Map<string, string>();
  let bytes = 0;
  for (const [name, value] of Object.entries(metadata)) {
    checkText(name, `options.metadata name ${showValue(name)}`, METADATA_NAME);
    if (typeof value !== 'string') {
      fail('InvalidArgument', `options.metadata.${name} must be a string, got ${showValue(value)}`);
    }
    const lower = name.toLowerCase();
    const earlier = given.get(lower);
    if (earlier !== undefined) {
      fail(
        'InvalidArgument',
        `options.metadata names ${showValue(earlier)} and ${showValue(name)} are the same header (x-amz-meta-${lower}); give each name once`,
      );
    }
    given.set(lower, name);
    setOwn(out, lower, value);
    bytes += Buffer.byteLength(lower, 'utf8') + Buffer.byteLength(value, 'utf8');
  }
  if (bytes > MAX_METADATA_BYTES) {
    fail(
      'MetadataTooLarge',
      `Your metadata headers exceed the maximum allowed metadata size: ${bytes} bytes, the limit is ${MAX_METADATA_BYTES}`,
    );
  }
  return out;
}

/** Default content type of a PUT without one (what S3 stores). */
export const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';

export function normaliseContentType(contentType: unknown): string {
  if (contentType === undefined) return DEFAULT_CONTENT_TYPE;
  if (typeof contentType !== 'string' || contentType.length === 0) {
    fail(
      'InvalidArgument',
      `options.contentType must be a non-empty string, got ${JSON.stringify(contentType)}`,
    );
  }
  return contentType;
}

/** The body as a Buffer that shares memory with the caller's bytes (no copy) where possible. */
export function bodyBuffer(body: unknown): Buffer {
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  return fail('InvalidArgument', `body must be a Buffer, Uint8Array or string, got ${typeof body}`);
}
