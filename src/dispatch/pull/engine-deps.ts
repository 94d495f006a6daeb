/**
 * The pull dispatcher's seams implemented over the engine's real services: the function
 * directory over the function registry, and on-failure destinations routed by the ARN's service
 * (a function gets an asynchronous invoke, a stream a record, a bucket an object).
 */
import { randomUUID } from 'node:crypto';
import type { EngineContext } from '../../context.js';
import { isLambdaliteError } from '../../errors.js';
import { datedObjectKey, parseDestinationArn } from '../push/destinations.js';
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
  /** Region, account and clock of the engine: destinations must belong to it. */
  ctx: EngineContext;
}

/**
 * Object key of an on-failure record sent to a bucket, after AWS's layout for stream mappings:
 * aws/lambda/<mapping uuid>/<shardId>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<random uuid>.
 */
export function failureObjectKey(uuid: string, shardId: string, now: number): string {
  return datedObjectKey(`aws/lambda/${uuid}/${shardId}`, now, randomUUID());
}

export function failureDestinationsOver(services: DestinationServices): FailureDestinations {
  return {
    async send(destinationArn: string, record: FailureRecord, from?: { uuid: string; shardId: string }) {
      // The same routing and checks as async-invocation destinations (function, stream, bucket).
      const target = parseDestinationArn(services.ctx, destinationArn, 'onFailure');
      const body = Buffer.from(JSON.stringify(record));
      if (target.kind === 'function') {
        await services.invokeAsync(destinationArn, record);
      } else if (target.kind === 'stream') {
        await services.putStreamRecord(destinationArn, record.requestContext.requestId, body);
      } else {
        const shardId =
          from?.shardId ?? (record.KinesisBatchInfo ?? record.DDBStreamBatchInfo)?.shardId ?? 'shard';
        await services.putBucketObject(
          target.name,
          failureObjectKey(from?.uuid ?? 'mapping', shardId, services.ctx.clock.now()),
          body,
        );
      }
    },
  };
}
