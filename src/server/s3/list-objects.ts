/** ListObjectsV2 (`GET /bucket?list-type=2`), with `encoding-type=url` as the aws CLI asks for it. */
import type { ListObjectsOptions } from '../../buckets/listing.js';
import type { XmlNode } from '../protocols/xml.js';
import { WireError } from '../wire-error.js';
import { isoTime, quoted, type S3Call, xmlReply } from './common.js';

export async function listObjectsV2(call: S3Call) {
  const q = call.req.query;
  const encodingType = q.get('encoding-type') ?? undefined;
  if (encodingType !== undefined && encodingType !== 'url') {
    throw new WireError(
      'InvalidArgument',
      400,
      `Invalid Encoding Method specified in Request: ${encodingType}`,
    );
  }
  // The CLI decodes keys only when the answer says EncodingType url.
  const enc = (text: string | undefined) =>
    text === undefined || encodingType === undefined ? text : encodeURIComponent(text).replace(/%2F/g, '/');
  const options: ListObjectsOptions = {};
  const prefix = q.get('prefix');
  const delimiter = q.get('delimiter');
  const startAfter = q.get('start-after');
  const token = q.get('continuation-token');
  const maxKeys = q.get('max-keys');
  if (prefix !== null) options.prefix = prefix;
  if (delimiter !== null && delimiter !== '') options.delimiter = delimiter;
  if (startAfter !== null) options.startAfter = startAfter;
  if (token !== null) options.continuationToken = token;
  if (maxKeys !== null) {
    if (!/^\d+$/.test(maxKeys))
      throw new WireError(
        'InvalidArgument',
        400,
        `Provided max-keys not an integer or within integer range: ${maxKeys}`,
      );
    options.maxKeys = Number(maxKeys);
  }
  const page = await call.engine.buckets.listObjects(call.bucket, options);
  const fields: XmlNode[] = [
    ['Name', page.name],
    ['Prefix', enc(page.prefix)],
    ['Delimiter', enc(page.delimiter)],
    ['MaxKeys', page.maxKeys],
    ['KeyCount', page.keyCount],
    ['IsTruncated', page.isTruncated],
    ['EncodingType', encodingType],
    ['ContinuationToken', token ?? undefined],
    ['NextContinuationToken', page.nextContinuationToken],
    ['StartAfter', enc(startAfter ?? undefined)],
    ...page.contents.map(
      (o): XmlNode => [
        'Contents',
        [
          ['Key', enc(o.key)],
          ['LastModified', isoTime(o.lastModified)],
          ['ETag', quoted(o.eTag)],
          ['Size', o.size],
          ['StorageClass', o.storageClass],
        ],
      ],
    ),
    ...page.commonPrefixes.map((p): XmlNode => ['CommonPrefixes', [['Prefix', enc(p)]]]),
  ];
  return xmlReply(['ListBucketResult', fields]);
}
