/**
 * What the pull dispatcher needs from the rest of the engine, as interfaces it owns; the engine
 * passes their implementations to the constructors: ShardSources over the shard log,
 * FunctionDirectory over the function registry, FailureDestinations over functions / streams /
 * buckets, MappingAuthorizer over IAM (src/wiring/enforcement.ts).
 */
import type { Verdict } from '../../errors.js';
import type { ShardSource } from './shard-source.js';

/** Finds the shard source of a stream ARN or table stream ARN. */
export interface ShardSources {
  get(eventSourceArn: string): Promise<ShardSource | undefined>;
}

export interface FunctionInfo {
  functionName: string;
  /** Unqualified function ARN. */
  functionArn: string;
  /** Execution role ARN (shown as invokeIdentityArn unless the mapping has an invocation role). */
  role: string;
}

/** Looks functions up by name. */
export interface FunctionDirectory {
  get(functionName: string): Promise<FunctionInfo | undefined>;
}

/** What a poller needs to be allowed to do: read the source and invoke the function. */
export interface PollAccessRequest {
  functionName: string;
  eventSourceArn: string;
  sourceKind: 'kinesis' | 'dynamodb';
  /** The mapping's 2014 invocation role, if any. */
  role: string | undefined;
  /** The function's execution role (checked when the mapping has no role). */
  executionRole: string;
}

/** IAM for mappings; the engine's wiring implements it over `engine.iam`. */
export interface MappingAuthorizer {
  /** Whether the poller may read the source and invoke the function (AWS's code and text if not). */
  check(request: PollAccessRequest): Promise<Verdict>;
  /** Throws AccessDeniedException unless the engine's caller may pass `roleArn` (iam:PassRole). */
  passRole(roleArn: string): Promise<void>;
}

/** Delivers an on-failure record (reference §4.4) to a destination ARN. */
export interface FailureDestinations {
  /** `from` names the mapping and shard that gave the batch up (used for S3 object keys). */
  send(
    destinationArn: string,
    record: FailureRecord,
    from?: { uuid: string; shardId: string },
  ): Promise<void>;
}

export interface BatchInfo {
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
  approximateArrivalOfFirstRecord: string;
  approximateArrivalOfLastRecord: string;
  batchSize: number;
  streamArn: string;
}

export type GiveUpCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

/** The on-failure record of a stream mapping (reference §4.4). */
export interface FailureRecord {
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: GiveUpCondition;
    approximateInvokeCount: number;
  };
  responseContext: { statusCode: number; executedVersion: string; functionError: string };
  version: '1.0';
  timestamp: string;
  KinesisBatchInfo?: BatchInfo;
  DDBStreamBatchInfo?: BatchInfo;
}
