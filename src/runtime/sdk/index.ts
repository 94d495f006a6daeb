/**
 * `lambdalite/sdk`: the engine's services as seen from inside a function, the way the AWS SDK
 * came preinstalled in Lambda. Every call crosses the container's channel to the engine, which
 * checks it against the function's execution role (AccessDenied for S3, AccessDeniedException
 * otherwise, naming the assumed role, action and resource) and runs it. Engine errors arrive
 * as errors whose `name` and `code` are AWS's code.
 *
 * @example
 * import { buckets } from 'lambdalite/sdk';
 * export const handler = async (event) => {
 *   const { bucket, object } = event.Records[0].s3;
 *   const original = await buckets.getObject(bucket.name, decodeURIComponent(object.key.replace(/\+/g, ' ')));
 *   await buckets.putObject(bucket.name, `thumbnails/${object.key}`, original.body);
 * };
 */
import type {
  GetObjectResult,
  HeadObjectResult,
  PutObjectOptions,
  PutObjectResult,
} from '../../buckets/buckets.js';
import type { ListObjectsOptions, ListObjectsResult, ObjectSummary } from '../../buckets/listing.js';
import type { InvokeOptions, InvokeResult } from '../../functions/types.js';
import type {
  PutRecordInput,
  PutRecordOutput,
  PutRecordsOutput,
  PutRecordsResultEntry,
} from '../../streams/model.js';
import type {
  Item,
  ItemCondition,
  ItemUpdate,
  QueryInput,
  QueryOutput,
  SortKeyCondition,
  WriteOptions,
} from '../../tables/model.js';
import { currentChannel, SdkError } from './channel.js';

export type {
  GetObjectResult,
  HeadObjectResult,
  InvokeOptions,
  InvokeResult,
  Item,
  ItemCondition,
  ItemUpdate,
  ListObjectsOptions,
  ListObjectsResult,
  ObjectSummary,
  PutObjectOptions,
  PutObjectResult,
  PutRecordInput,
  PutRecordOutput,
  PutRecordsOutput,
  PutRecordsResultEntry,
  QueryInput,
  QueryOutput,
  SortKeyCondition,
  WriteOptions,
};
export { SdkError };

function call<T>(service: string, method: string, args: unknown[]): Promise<T> {
  return currentChannel().call(service, method, args) as Promise<T>;
}

/** Bodies cross the channel as Uint8Array (structured clone); give functions Buffers back. */
function withBuffer<T extends { body: Uint8Array }>(result: T): T & { body: Buffer } {
  const { body } = result;
  return { ...result, body: Buffer.from(body.buffer, body.byteOffset, body.byteLength) };
}

export const buckets = Object.freeze({
  putObject: (bucket: string, key: string, body: Buffer | Uint8Array | string, options?: PutObjectOptions) =>
    call<PutObjectResult>('buckets', 'putObject', [bucket, key, body, options]),
  getObject: async (bucket: string, key: string): Promise<GetObjectResult> =>
    withBuffer(await call<GetObjectResult>('buckets', 'getObject', [bucket, key])),
  headObject: (bucket: string, key: string) => call<HeadObjectResult>('buckets', 'headObject', [bucket, key]),
  deleteObject: (bucket: string, key: string) => call<void>('buckets', 'deleteObject', [bucket, key]),
  listObjects: (bucket: string, options?: ListObjectsOptions) =>
    call<ListObjectsResult>('buckets', 'listObjects', [bucket, options]),
  copyObject: (srcBucket: string, srcKey: string, dstBucket: string, dstKey: string) =>
    call<PutObjectResult>('buckets', 'copyObject', [srcBucket, srcKey, dstBucket, dstKey]),
});

export const streams = Object.freeze({
  putRecord: (stream: string, record: PutRecordInput) =>
    call<PutRecordOutput>('streams', 'putRecord', [stream, record]),
  putRecords: (stream: string, records: readonly PutRecordInput[]) =>
    call<PutRecordsOutput>('streams', 'putRecords', [stream, records]),
});

export const tables = Object.freeze({
  putItem: (table: string, item: Item, options?: WriteOptions) =>
    call<void>('tables', 'putItem', [table, item, options]),
  getItem: (table: string, key: Item) => call<Item | undefined>('tables', 'getItem', [table, key]),
  updateItem: (table: string, key: Item, update: ItemUpdate, options?: WriteOptions) =>
    call<Item | undefined>('tables', 'updateItem', [table, key, update, options]),
  deleteItem: (table: string, key: Item, options?: WriteOptions) =>
    call<void>('tables', 'deleteItem', [table, key, options]),
  query: (table: string, input: QueryInput) => call<QueryOutput>('tables', 'query', [table, input]),
});

export const functions = Object.freeze({
  invoke: (name: string, payload?: unknown, options?: InvokeOptions) =>
    call<InvokeResult>('functions', 'invoke', [name, payload, options]),
  invokeAsync: (name: string, payload?: unknown) =>
    call<InvokeResult>('functions', 'invokeAsync', [name, payload]),
});
