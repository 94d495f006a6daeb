/** PutObject, GetObject (with Range), HeadObject, DeleteObject, CopyObject. */
import type { HeadObjectResult } from '../../buckets/buckets.js';
import { header } from '../wire.js';
import { decodePathPart, WireError } from '../wire-error.js';
import { empty, isoTime, quoted, type S3Call, xmlReply } from './common.js';
import { objectPayload } from './payload.js';

/** `x-amz-meta-*` request headers as the engine's metadata. */
export function metadataOf(call: S3Call): Record<string, string> {
  const metadata: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(call.req.headers)) {
    if (name.startsWith('x-amz-meta-') && value !== undefined) {
      metadata[name.slice('x-amz-meta-'.length)] = Array.isArray(value) ? value.join(',') : value;
    }
  }
  return metadata;
}

export function objectHeaders(head: HeadObjectResult): Record<string, string> {
  const headers: Record<string, string> = {
    etag: quoted(head.eTag),
    'last-modified': head.lastModified.toUTCString(),
    'content-type': head.contentType,
    'accept-ranges': 'bytes',
  };
  for (const [name, value] of Object.entries(head.metadata)) headers[`x-amz-meta-${name}`] = value;
  return headers;
}

export async function putObject(call: S3Call) {
  const body = objectPayload(call.req);
  const contentType = header(call.req, 'content-type');
  const { eTag } = await call.engine.buckets.putObject(call.bucket, call.key, body, {
    ...(contentType === undefined ? {} : { contentType }),
    metadata: metadataOf(call),
  });
  return empty(200, { etag: quoted(eTag) });
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` as an inclusive [start, end], or undefined when unsatisfiable. */
function parseRange(range: string, size: number): [number, number] | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
  if (m === null || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    return suffix === 0 || size === 0 ? undefined : [Math.max(0, size - suffix), size - 1];
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  return start >= size || end < start ? undefined : [start, end];
}

export async function getObject(call: S3Call) {
  const object = await call.engine.buckets.getObject(call.bucket, call.key);
  const headers = objectHeaders(object);
  const range = header(call.req, 'range');
  if (range === undefined) return { status: 200, headers, body: object.body };
  const span = parseRange(range, object.size);
  if (span === undefined) {
    throw new WireError(
      'InvalidRange',
      416,
      `The requested range ${range} is not satisfiable (object size ${object.size})`,
    );
  }
  const [start, end] = span;
  headers['content-range'] = `bytes ${start}-${end}/${object.size}`;
  return { status: 206, headers, body: object.body.subarray(start, end + 1) };
}

export async function headObject(call: S3Call) {
  const head = await call.engine.buckets.headObject(call.bucket, call.key);
  return empty(200, { ...objectHeaders(head), 'content-length': String(head.size) });
}

export async function deleteObject(call: S3Call) {
  await call.engine.buckets.deleteObject(call.bucket, call.key);
  return empty(204);
}

/** `x-amz-copy-source: /bucket/key` or `bucket/key`, URL-encoded, maybe with `?versionId=`. */
function copySource(value: string): { bucket: string; key: string } {
  const path = value.split('?')[0]!.replace(/^\//, '');
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1) {
    throw new WireError(
      'InvalidArgument',
      400,
      `Copy Source must mention the source bucket and key: sourcebucket/sourcekey, got ${value}`,
    );
  }
  return {
    bucket: decodePathPart(path.slice(0, slash), 'InvalidArgument'),
    key: decodePathPart(path.slice(slash + 1), 'InvalidArgument'),
  };
}

export async function copyObject(call: S3Call) {
  const source = copySource(header(call.req, 'x-amz-copy-source') ?? '');
  await call.engine.buckets.copyObject(source.bucket, source.key, call.bucket, call.key);
  const head = await call.engine.buckets.headObject(call.bucket, call.key);
  return xmlReply([
    'CopyObjectResult',
    [
      ['LastModified', isoTime(head.lastModified)],
      ['ETag', quoted(head.eTag)],
    ],
  ]);
}
