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
import { operationNames, type SdkApi, type SdkService } from './operations.js';

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
  SdkApi,
  SdkService,
  SortKeyCondition,
  WriteOptions,
};
export { SdkError };

/** Errors of this copy's class (see SdkChannel.call). */
const sdkError = (code: string, message: string): Error => new SdkError(code, message);

/** The worker side of one service: a method per entry of the operations table. */
function client<S extends SdkService>(service: S): SdkApi[S] {
  const methods = operationNames(service).map((method) => [
    method,
    (...args: unknown[]) => currentChannel().call(service, method, args, sdkError),
  ]);
  return Object.fromEntries(methods) as SdkApi[S];
}

/** Bodies cross the channel as Uint8Array (structured clone); give functions Buffers back. */
function withBuffer<T extends { body: Uint8Array }>(result: T): T & { body: Buffer } {
  const { body } = result;
  return { ...result, body: Buffer.from(body.buffer, body.byteOffset, body.byteLength) };
}

const bucketCalls = client('buckets');

export const buckets: SdkApi['buckets'] = Object.freeze({
  ...bucketCalls,
  getObject: async (bucket: string, key: string): Promise<GetObjectResult> =>
    withBuffer(await bucketCalls.getObject(bucket, key)),
});

export const streams: SdkApi['streams'] = Object.freeze(client('streams'));

export const tables: SdkApi['tables'] = Object.freeze(client('tables'));

export const functions: SdkApi['functions'] = Object.freeze(client('functions'));
