/**
 * Argument checks with S3's error codes (reference §1.3, §1.4). Each throws a
 * {@link LambdaliteError} naming the offending value and the rule it broke.
 */
import { fail } from '../errors.js';

const BUCKET_CHARS = /^[a-z0-9.-]+$/;
const IPV4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
const FORBIDDEN_PREFIXES = ['xn--', 'sthree-', 'sthree-configurator', 'amzn-s3-demo-'];
const FORBIDDEN_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3'];

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

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

/** Whether `text` holds a lone surrogate, which has no UTF-8 encoding. */
function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

/**
 * A key is 1 to 1024 bytes of UTF-8. An empty key is refused with InvalidArgument (S3's REST
 * API cannot even address it: the request becomes a bucket operation; the SDKs refuse it).
 */
export function assertKey(key: unknown, what = 'key'): asserts key is string {
  if (typeof key !== 'string') fail('InvalidArgument', `${what} must be a string, got ${typeof key}`);
  if (key.length === 0) fail('InvalidArgument', `${what} must be 1 to ${MAX_KEY_BYTES} UTF-8 bytes, got ''`);
  if (hasLoneSurrogate(key)) fail('InvalidArgument', `${what} ${JSON.stringify(key)} is not valid UTF-8`);
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > MAX_KEY_BYTES) {
    fail(
      'KeyTooLongError',
      `Your key is too long: ${what} '${key.slice(0, 32)}...' is ${bytes} UTF-8 bytes, the limit is ${MAX_KEY_BYTES}`,
    );
  }
}

/** Lower-cases metadata names (they travel as HTTP headers) and enforces the 2 KB limit. */
export function normaliseMetadata(metadata: unknown): Record<string, string> {
  if (metadata === undefined) return {};
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    fail('InvalidArgument', 'options.metadata must be an object of string values');
  }
  const out: Record<string, string> = {};
  let bytes = 0;
  for (const [name, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') {
      fail('InvalidArgument', `options.metadata.${name} must be a string, got ${typeof value}`);
    }
    const lower = name.toLowerCase();
    out[lower] = value;
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
