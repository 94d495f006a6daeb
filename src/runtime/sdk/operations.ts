/**
 * The one table of `lambdalite/sdk` operations: each service's methods (their signatures in
 * {@link SdkApi}), and for each the IAM permissions a call needs, computed from its arguments.
 * The worker side (./index.ts) makes one client method per entry; the engine side
 * (src/wiring/sdk-host.ts) checks an entry's needs against the execution role and runs the
 * method on a {@link SdkApi} the services implement. Types only are imported: this module loads
 * inside the worker.
 */
import type { Arns } from '../../arn.js';
import type {
  GetObjectResult,
  HeadObjectResult,
  PutObjectOptions,
  PutObjectResult,
} from '../../buckets/buckets.js';
import type { ListObjectsOptions, ListObjectsResult } from '../../buckets/listing.js';
import type { InvokeOptions, InvokeResult } from '../../functions/types.js';
import type { RequestContext } from '../../iam/types.js';
import type { PutRecordInput, PutRecordOutput, PutRecordsOutput } from '../../streams/model.js';
import type { Item, ItemUpdate, QueryInput, QueryOutput, WriteOptions } from '../../tables/model.js';

/** What a function reaches through `lambdalite/sdk`: a subset of the engine's services. */
export interface SdkApi {
  readonly buckets: {
    putObject(
      bucket: string,
      key: string,
      body: Buffer | Uint8Array | string,
      options?: PutObjectOptions,
    ): Promise<PutObjectResult>;
    getObject(bucket: string, key: string): Promise<GetObjectResult>;
    headObject(bucket: string, key: string): Promise<HeadObjectResult>;
    deleteObject(bucket: string, key: string): Promise<void>;
    listObjects(bucket: string, options?: ListObjectsOptions): Promise<ListObjectsResult>;
    copyObject(
      srcBucket: string,
      srcKey: string,
      dstBucket: string,
      dstKey: string,
    ): Promise<PutObjectResult>;
  };
  readonly streams: {
    putRecord(stream: string, record: PutRecordInput): Promise<PutRecordOutput>;
    putRecords(stream: string, records: readonly PutRecordInput[]): Promise<PutRecordsOutput>;
  };
  readonly tables: {
    putItem(table: string, item: Item, options?: WriteOptions): Promise<void>;
    getItem(table: string, key: Item): Promise<Item | undefined>;
    updateItem(
      table: string,
      key: Item,
      update: ItemUpdate,
      options?: WriteOptions,
    ): Promise<Item | undefined>;
    deleteItem(table: string, key: Item, options?: WriteOptions): Promise<void>;
    query(table: string, input: QueryInput): Promise<QueryOutput>;
  };
  readonly functions: {
    invoke(name: string, payload?: unknown, options?: InvokeOptions): Promise<InvokeResult>;
    invokeAsync(name: string, payload?: unknown): Promise<InvokeResult>;
  };
}

export type SdkService = keyof SdkApi;

/** One permission a call needs. */
export interface Need {
  readonly action: string;
  readonly resource: string;
  readonly context?: RequestContext;
  /** Allowed when any of these actions is (lambda:InvokeAsync or lambda:InvokeFunction). */
  readonly anyOf?: readonly string[];
}

/** The ARNs a call's resources have, in the engine's account and region. */
export type ResourceArns = Pick<Arns, 'bucket' | 'object' | 'stream' | 'table' | 'function'>;

type Needs<F> = F extends (...args: infer A) => unknown ? (arns: ResourceArns, ...args: A) => Need[] : never;

/** For each operation, the permissions a call with these arguments needs. */
export type SdkNeeds = {
  readonly [S in SdkService]: { readonly [M in keyof SdkApi[S]]: Needs<SdkApi[S][M]> };
};

// Arguments arrive from the function as plain data, not always of the declared type: resources
// are named from their text, and the service then rejects a wrong shape with its own error code.
const text = (value: unknown): string => (typeof value === 'string' ? value : String(value));
const named = (make: (name: string) => string, name: unknown): string =>
  text(name).startsWith('arn:') ? text(name) : make(text(name));

const s3 = (action: string, arns: ResourceArns, bucket: string, key: string): Need => ({
  action: `s3:${action}`,
  resource: arns.object(text(bucket), text(key)),
});
const dynamodb = (action: string) => (arns: ResourceArns, table: string) => [
  { action: `dynamodb:${action}`, resource: named((n) => arns.table(n), table) },
];

function listContext(options: ListObjectsOptions | undefined): RequestContext {
  const o = options ?? {};
  return {
    ...(o.prefix === undefined ? {} : { 's3:prefix': o.prefix }),
    ...(o.delimiter === undefined ? {} : { 's3:delimiter': o.delimiter }),
    ...(o.maxKeys === undefined ? {} : { 's3:max-keys': o.maxKeys }),
  };
}

/** The enforcement table of docs/notes/iam.md, as code. */
export const SDK_OPERATIONS: SdkNeeds = {
  buckets: {
    putObject: (arns, bucket, key) => [s3('PutObject', arns, bucket, key)],
    getObject: (arns, bucket, key) => [s3('GetObject', arns, bucket, key)],
    headObject: (arns, bucket, key) => [s3('GetObject', arns, bucket, key)],
    deleteObject: (arns, bucket, key) => [s3('DeleteObject', arns, bucket, key)],
    listObjects: (arns, bucket, options) => [
      { action: 's3:ListBucket', resource: arns.bucket(text(bucket)), context: listContext(options) },
    ],
    copyObject: (arns, srcBucket, srcKey, dstBucket, dstKey) => [
      s3('GetObject', arns, srcBucket, srcKey),
      s3('PutObject', arns, dstBucket, dstKey),
    ],
  },
  streams: {
    putRecord: (arns, stream) => [
      { action: 'kinesis:PutRecord', resource: named((n) => arns.stream(n), stream) },
    ],
    putRecords: (arns, stream) => [
      { action: 'kinesis:PutRecords', resource: named((n) => arns.stream(n), stream) },
    ],
  },
  tables: {
    putItem: dynamodb('PutItem'),
    getItem: dynamodb('GetItem'),
    updateItem: dynamodb('UpdateItem'),
    deleteItem: dynamodb('DeleteItem'),
    query: dynamodb('Query'),
  },
  functions: {
    invoke: (arns, name) => [
      { action: 'lambda:InvokeFunction', resource: named((n) => arns.function(n), name) },
    ],
    invokeAsync: (arns, name) => [
      {
        action: 'lambda:InvokeAsync',
        resource: named((n) => arns.function(n), name),
        anyOf: ['lambda:InvokeAsync', 'lambda:InvokeFunction'],
      },
    ],
  },
};

/** An operation with its arguments' types erased, as a call from the worker finds it. */
export interface UntypedOperation {
  needs(arns: ResourceArns, args: readonly unknown[]): Need[];
  run(api: SdkApi, args: readonly unknown[]): Promise<unknown>;
}

/**
 * The entry of `service.method`, or undefined when there is none (names come from the function:
 * only own keys of the table count). The arguments are passed on as received: each service
 * validates them as it does for any caller.
 */
export function findOperation(service: string, method: string): UntypedOperation | undefined {
  if (!Object.hasOwn(SDK_OPERATIONS, service)) return undefined;
  const methods: object = SDK_OPERATIONS[service as SdkService];
  if (!Object.hasOwn(methods, method)) return undefined;
  const needs = Reflect.get(methods, method) as (arns: ResourceArns, ...args: unknown[]) => Need[];
  return {
    needs: (arns, args) => needs(arns, ...args),
    run: (api, args) => {
      const target: object = api[service as SdkService];
      const fn = Reflect.get(target, method) as (...args: unknown[]) => Promise<unknown>;
      return Reflect.apply(fn, target, args);
    },
  };
}

/** The operations' names, per service (the worker makes one client method from each). */
export function operationNames<S extends SdkService>(service: S): Array<keyof SdkApi[S] & string> {
  return Object.keys(SDK_OPERATIONS[service]) as Array<keyof SdkApi[S] & string>;
}
