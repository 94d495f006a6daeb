/**
 * The engine as apply sees it: only its public services. A read of something missing answers
 * `undefined` instead of the engine's not-found error, so planning reads state plainly.
 */
import type { Engine } from '../engine.js';
import { type ErrorCode, isLambdaliteError } from '../errors.js';

export type PipelineEngine = Pick<
  Engine,
  'region' | 'accountId' | 'iam' | 'buckets' | 'streams' | 'tables' | 'functions' | 'mappings'
>;

/** Runs a read; `undefined` when it fails with one of the not-found codes. */
export async function readOrUndefined<T>(
  read: () => Promise<T>,
  notFound: readonly ErrorCode[] = ['ResourceNotFoundException', 'NoSuchEntity', 'NoSuchBucket'],
): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    if (isLambdaliteError(err) && notFound.includes(err.code)) return undefined;
    throw err;
  }
}

export const arns = {
  function: (e: PipelineEngine, name: string): string =>
    `arn:aws:lambda:${e.region}:${e.accountId}:function:${name}`,
  stream: (e: PipelineEngine, name: string): string =>
    `arn:aws:kinesis:${e.region}:${e.accountId}:stream/${name}`,
  table: (e: PipelineEngine, name: string): string =>
    `arn:aws:dynamodb:${e.region}:${e.accountId}:table/${name}`,
  bucket: (name: string): string => `arn:aws:s3:::${name}`,
};

/** `arn:...:table/<name>/stream/*` (a table's stream whatever its label): the table's name. */
export function tableOfStreamWildcard(arn: string): string | undefined {
  const m = /^arn:aws[a-z-]*:dynamodb:[^:]*:\d{12}:table\/([^/]+)\/stream\/\*$/.exec(arn);
  return m?.[1];
}

/** A Kinesis stream ARN's name, or a table stream ARN's table name. */
export function sourceOfArn(arn: string): { kind: 'stream' | 'table'; name: string } | undefined {
  const stream = /^arn:aws[a-z-]*:kinesis:[^:]*:\d{12}:stream\/([^/]+)$/.exec(arn);
  if (stream) return { kind: 'stream', name: stream[1]! };
  const table = /^arn:aws[a-z-]*:dynamodb:[^:]*:\d{12}:table\/([^/]+)\/stream\/.+$/.exec(arn);
  if (table) return { kind: 'table', name: table[1]! };
  return undefined;
}
