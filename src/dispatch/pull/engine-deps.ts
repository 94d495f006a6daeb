/**
 * The pull dispatcher's seams implemented over the engine's real services: the function
 * directory over the function registry, and on-failure destinations routed by the ARN's service
 * (a function gets an asynchronous invoke, a stream a record, a bucket an object).
 */
import { randomUUID } from 'node:crypto';
import { parseArn } from '../../arn.js';
import type { Clock } from '../../clock.js';
import { isLambdaliteError, LambdaliteError } from '../../errors.js';
import type { FailureDestinations, FailureRecord, FunctionDirectory } from './deps.js';

type FunctionFacts = { functionName: string; functionArn: string; role: string };

export interface DirectoryTarget {
  get(name: string): Promise<FunctionFacts>;
  /** The cached configuration when there is one (no storage read): the poller asks per batch. */
  peekConfiguration?(name: string): FunctionFacts | undefined;
}

export function functionDirectoryOver(functions: DirectoryTarget): FunctionDirectory {
  return {
    async get(name) {
      const cached = functions.peekConfiguration?.(name);
      if (cached)
        return { functionName: cached.functionName, functionArn: cached.functionArn, role: cached.role };
      try {
        const { functionName, functionArn, role } = await functions.get(name);
        return { functionName, functionArn, role };
      } catch (err) {
        if (isLambdaliteError(err, 'ResourceNotFoundException')) return undefined;
        throw err;
      }
    },
  };
}

export interface DestinationServices {
  /** Queues an asynchronous invocation (fails when the function does not exist). */
  invokeAsync(functionNameOrArn: string, payload: unknown): Promise<unknown>;
  putStreamRecord(streamArn: string, partitionKey: string, data: Buffer): Promise<void>;
  putBucketObject(bucket: string, key: string, body: Buffer): Promise<void>;
  clock: Clock;
}

/**
 * Object key of an on-failure record sent to a bucket, after AWS's layout for stream mappings:
 * aws/lambda/<mapping uuid>/<shardId>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<random uuid>.
 */
export function failureObjectKey(uuid: string, shardId: string, now: number): string {
  const iso = new Date(now).toISOString();
  const stamp = iso.slice(0, 19).replaceAll(':', '.');
  return `aws/lambda/${uuid}/${shardId}/${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${stamp}-${randomUUID()}`;
}

export function failureDestinationsOver(services: DestinationServices): FailureDestinations {
  return {
    async send(destinationArn: string, record: FailureRecord, from?: { uuid: string; shardId: string }) {
      const arn = parseArn(destinationArn);
      const body = Buffer.from(JSON.stringify(record));
      if (arn.service === 'lambda') {
        await services.invokeAsync(destinationArn, record);
      } else if (arn.service === 'kinesis' && arn.resource.startsWith('stream/')) {
        await services.putStreamRecord(destinationArn, record.requestContext.requestId, body);
      } else if (arn.service === 's3') {
        const bucket = arn.resource.split('/')[0] ?? '';
        const shardId =
          from?.shardId ?? (record.KinesisBatchInfo ?? record.DDBStreamBatchInfo)?.shardId ?? 'shard';
        await services.putBucketObject(
          bucket,
          failureObjectKey(from?.uuid ?? 'mapping', shardId, services.clock.now()),
          body,
        );
      } else {
        throw new LambdaliteError(
          'InvalidParameterValueException',
          `unsupported on-failure destination ${destinationArn}: use a function, a stream or a bucket ARN`,
        );
      }
    },
  };
}
