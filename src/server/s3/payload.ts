/**
 * Object bodies as S3 receives them: `aws-chunked` framing removed (SDK v3 streams send it even
 * over plain HTTP, with the checksum in a trailer), and the checksums the client sent verified
 * (`BadDigest` on a mismatch), whether in headers or in the trailer.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { header, type WireRequest } from '../wire.js';
import { WireError } from '../wire-error.js';

export interface DecodedPayload {
  readonly body: Buffer;
  /** Headers of the aws-chunked trailer, lower-case. */
  readonly trailers: ReadonlyMap<string, string>;
}

function malformed(why: string): WireError {
  return new WireError('IncompleteBody', 400, `The aws-chunked body is malformed: ${why}`);
}

/** Removes `<hex>[;chunk-signature=...]\r\n<bytes>\r\n` framing; reads the trailer after `0\r\n`. */
export function decodeAwsChunked(raw: Buffer): DecodedPayload {
  const parts: Buffer[] = [];
  const trailers = new Map<string, string>();
  let at = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    if (eol < 0) throw malformed('a chunk size line has no end');
    const sizeText = raw.toString('latin1', at, eol).split(';')[0]!.trim();
    const size = Number.parseInt(sizeText, 16);
    if (!/^[0-9a-fA-F]+$/.test(sizeText) || Number.isNaN(size))
      throw malformed(`bad chunk size '${sizeText}'`);
    at = eol + 2;
    if (size === 0) break;
    if (at + size + 2 > raw.length) throw malformed('a chunk is shorter than its size');
    parts.push(raw.subarray(at, at + size));
    at += size + 2;
  }
  while (at < raw.length) {
    const eol = raw.indexOf('\r\n', at);
    const line = raw.toString('utf8', at, eol < 0 ? raw.length : eol);
    at = eol < 0 ? raw.length : eol + 2;
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon > 0) trailers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { body: Buffer.concat(parts), trailers };
}

function isAwsChunked(req: WireRequest): boolean {
  const encoding = header(req, 'content-encoding') ?? '';
  const sha = header(req, 'x-amz-content-sha256') ?? '';
  return encoding.split(',').some((e) => e.trim() === 'aws-chunked') || sha.startsWith('STREAMING-');
}

/** The `Content-Encoding` to store: the client's, minus the `aws-chunked` transfer framing. */
export function storedContentEncoding(req: WireRequest): string | undefined {
  const kept = (header(req, 'content-encoding') ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '' && e !== 'aws-chunked');
  return kept.length === 0 ? undefined : kept.join(',');
}

const DIGESTS: ReadonlyArray<readonly [string, (b: Buffer) => string]> = [
  [
    'x-amz-checksum-crc32',
    (b) => {
      const out = Buffer.alloc(4);
      out.writeUInt32BE(crc32(b) >>> 0);
      return out.toString('base64');
    },
  ],
  ['x-amz-checksum-sha1', (b) => createHash('sha1').update(b).digest('base64')],
  ['x-amz-checksum-sha256', (b) => createHash('sha256').update(b).digest('base64')],
  ['content-md5', (b) => createHash('md5').update(b).digest('base64')],
];

/** The request's body, unframed and checked against every checksum the client sent. */
export function objectPayload(req: WireRequest): Buffer {
  const { body, trailers } = isAwsChunked(req)
    ? decodeAwsChunked(req.body)
    : { body: req.body, trailers: new Map() };
  const declared = header(req, 'x-amz-decoded-content-length');
  if (declared !== undefined && Number(declared) !== body.length) {
    throw new WireError(
      'IncompleteBody',
      400,
      `x-amz-decoded-content-length is ${declared} but the body has ${body.length} bytes`,
    );
  }
  for (const [name, digest] of DIGESTS) {
    const expected = trailers.get(name) ?? header(req, name);
    if (expected === undefined) continue;
    if (digest(body) !== expected) {
      const what = name === 'content-md5' ? 'Content-MD5' : name;
      throw new WireError(
        'BadDigest',
        400,
        `The ${what} you specified did not match the calculated checksum (${expected}).`,
      );
    }
  }
  return body;
}
