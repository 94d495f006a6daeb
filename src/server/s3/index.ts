/**
 * S3 over REST-XML, path-style (`/bucket/key`), the fallback service for anything the router
 * does not recognise. Operations are chosen by method, bucket/key presence and subresource.
 */
import type { Engine } from '../../engine.js';
import { xmlDocument } from '../protocols/xml.js';
import { S3_AUTH_CODES, type ServiceModule } from '../service.js';
import { header, type WireRequest, type WireResponse } from '../wire.js';
import { decodePathPart, type ErrorDialect, WireError, wireErrorOf } from '../wire-error.js';
import { createBucket, deleteBucket, getBucketLocation, headBucket, listBuckets } from './buckets.js';
import type { S3Call, S3Operation } from './common.js';
import { deleteObjects } from './delete-objects.js';
import { listObjectsV2 } from './list-objects.js';
import { MultipartUploads } from './multipart.js';
import { getBucketNotificationConfiguration, putBucketNotificationConfiguration } from './notification.js';
import { copyObject, deleteObject, getObject, headObject, putObject } from './objects.js';

/** S3's single PUT limit is 5 GB; a Node Buffer holds at most this much. */
const MAX_BODY = Math.min(5 * 1024 ** 3, 2 ** 32 - 1);

const DIALECT: ErrorDialect = Object.freeze({
  internalCode: 'InternalError',
  unavailableCode: 'ServiceUnavailable',
});

function s3Error(err: unknown, req: WireRequest): WireResponse {
  const { code, status, message } = wireErrorOf(err, DIALECT);
  const headers = { 'x-amz-request-id': req.requestId };
  // Errors on HEAD have no body: the SDK names them by status (NotFound).
  if (req.method === 'HEAD') return { status, headers };
  const body = xmlDocument([
    'Error',
    [
      ['Code', code],
      ['Message', message],
      ['Resource', req.rawPath],
      ['RequestId', req.requestId],
    ],
  ]);
  return { status, headers: { ...headers, 'content-type': 'application/xml' }, body };
}

/** Presigned URLs carry their signature (and hoisted x-amz-* headers) in the query. */
function isSignatureParam(name: string): boolean {
  return name.toLowerCase().startsWith('x-amz-');
}

/** The operation S3 would run for a request we do not support, for the NotImplemented message. */
function operationName(req: WireRequest, hasKey: boolean): string {
  const verb =
    ({ GET: 'Get', PUT: 'Put', DELETE: 'Delete', POST: 'Post', HEAD: 'Head' } as Record<string, string>)[
      req.method
    ] ?? req.method;
  const sub = [...req.query.keys()].find((k) => !isSignatureParam(k) && k !== 'x-id') ?? '';
  const cap = sub.charAt(0).toUpperCase() + sub.slice(1);
  return `${verb}${hasKey ? 'Object' : 'Bucket'}${cap}`;
}

export function s3Service(engine: Engine): ServiceModule {
  const uploads = new MultipartUploads();

  function choose(req: WireRequest, hasBucket: boolean, hasKey: boolean): S3Operation | undefined {
    const q = req.query;
    const m = req.method;
    if (!hasBucket) return m === 'GET' ? listBuckets : undefined;
    if (!hasKey) {
      if (q.has('notification'))
        return m === 'PUT'
          ? putBucketNotificationConfiguration
          : m === 'GET'
            ? getBucketNotificationConfiguration
            : undefined;
      if (q.has('location')) return m === 'GET' ? getBucketLocation : undefined;
      if (q.has('delete')) return m === 'POST' ? deleteObjects : undefined;
      if (
        [...q.keys()].some(
          (k) =>
            ![
              'list-type',
              'prefix',
              'delimiter',
              'max-keys',
              'continuation-token',
              'start-after',
              'encoding-type',
              'fetch-owner',
              'x-id',
            ].includes(k) && !isSignatureParam(k),
        )
      )
        return undefined;
      if (m === 'GET') return q.get('list-type') === '2' ? listObjectsV2 : undefined;
      return ({ PUT: createBucket, HEAD: headBucket, DELETE: deleteBucket } as Record<string, S3Operation>)[
        m
      ];
    }
    if (q.has('uploads')) return m === 'POST' ? uploads.create : undefined;
    if (q.has('uploadId')) {
      if (m === 'PUT') return header(req, 'x-amz-copy-source') === undefined ? uploads.uploadPart : undefined;
      return m === 'POST' ? uploads.complete : m === 'DELETE' ? uploads.abort : undefined;
    }
    if (
      [...q.keys()].some(
        (k) =>
          !['x-id', 'partNumber', 'versionId'].includes(k) &&
          !isSignatureParam(k) &&
          !k.startsWith('response-'),
      )
    )
      return undefined;
    if (m === 'PUT') return header(req, 'x-amz-copy-source') === undefined ? putObject : copyObject;
    return ({ GET: getObject, HEAD: headObject, DELETE: deleteObject } as Record<string, S3Operation>)[m];
  }

  return {
    name: 's3',
    signingName: 's3',
    maxBodyBytes: () => MAX_BODY,
    bodyTooLarge: ['EntityTooLarge', 400],
    authCodes: S3_AUTH_CODES,
    errorResponse: s3Error,
    async handle(req) {
      const path = req.rawPath;
      const slash = path.indexOf('/', 1);
      const rawBucket = slash < 0 ? path.slice(1) : path.slice(1, slash);
      const rawKey = slash < 0 ? '' : path.slice(slash + 1);
      const call: S3Call = {
        engine,
        req,
        bucket: decodePathPart(rawBucket, 'InvalidURI'),
        key: decodePathPart(rawKey, 'InvalidURI'),
      };
      const operation = choose(req, call.bucket !== '', call.key !== '');
      if (operation === undefined) {
        throw new WireError(
          'NotImplemented',
          501,
          `${operationName(req, call.key !== '')} is not implemented by lambdalite`,
        );
      }
      const response = await operation(call);
      return { ...response, headers: { 'x-amz-request-id': req.requestId, ...response.headers } };
    },
  };
}
