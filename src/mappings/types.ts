/** Types of event source mappings: what the caller passes, what is stored, what get() shows. */

export type StartingPosition = 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';
export type MappingState =
  | 'Creating'
  | 'Enabled'
  | 'Disabled'
  | 'Enabling'
  | 'Disabling'
  | 'Updating'
  | 'Deleting';

export interface CreateMappingInput {
  /** Function name, ARN (same region) or partial ARN `account:function:name`. */
  functionName: string;
  /** Stream ARN or table stream ARN (same region). */
  eventSourceArn: string;
  startingPosition: StartingPosition;
  /** AT_TIMESTAMP only: epoch milliseconds (a Date is accepted too). */
  startingPositionTimestamp?: number | Date;
  batchSize?: number;
  maximumBatchingWindowMs?: number;
  maximumRetryAttempts?: number;
  maximumRecordAgeSec?: number;
  bisectBatchOnFunctionError?: boolean;
  parallelizationFactor?: number;
  reportBatchItemFailures?: boolean;
  functionResponseTypes?: Array<'ReportBatchItemFailures'>;
  /** On-failure destination ARN. */
  onFailure?: string;
  enabled?: boolean;
  /** The 2014 invocation role ARN; shown as invokeIdentityArn. */
  role?: string;
}

export type UpdateMappingInput = Partial<
  Pick<
    CreateMappingInput,
    | 'batchSize'
    | 'maximumBatchingWindowMs'
    | 'maximumRetryAttempts'
    | 'maximumRecordAgeSec'
    | 'bisectBatchOnFunctionError'
    | 'parallelizationFactor'
    | 'reportBatchItemFailures'
    | 'functionResponseTypes'
    | 'enabled'
    | 'role'
  >
> & { onFailure?: string | null; functionName?: string };

/** The settings a poller reads, normalised. */
export interface MappingSettings {
  batchSize: number;
  maximumBatchingWindowMs: number;
  maximumRetryAttempts: number;
  maximumRecordAgeSec: number;
  bisectBatchOnFunctionError: boolean;
  parallelizationFactor: number;
  reportBatchItemFailures: boolean;
  onFailure: string | undefined;
  role: string | undefined;
}

/** The persisted mapping. */
export interface MappingRecord extends MappingSettings {
  uuid: string;
  functionName: string;
  functionArn: string;
  eventSourceArn: string;
  sourceKind: 'kinesis' | 'dynamodb';
  startingPosition: StartingPosition;
  startingPositionTimestamp: number | undefined;
  enabled: boolean;
  state: MappingState;
  stateTransitionReason: string;
  /** Epoch ms. */
  lastModifiedMs: number;
}

/** Per-mapping status the pollers update (kept apart from the settings the user edits). */
export interface MappingStatus {
  lastProcessingResult: string;
}

/** A shard's checkpoint as stored. */
export interface CheckpointRecord {
  /** Last processed sequence number; undefined = read from the oldest record. */
  sequenceNumber: string | undefined;
  iteratorAgeMs: number;
  drained: boolean;
  updatedMs: number;
}

export interface ShardCheckpointView {
  shardId: string;
  sequenceNumber: string | undefined;
  iteratorAgeMs: number;
  drained: boolean;
}

/** What get(), create(), update() and list() return. */
export interface EventSourceMapping extends MappingSettings {
  uuid: string;
  functionArn: string;
  eventSourceArn: string;
  startingPosition: StartingPosition;
  startingPositionTimestamp: number | undefined;
  functionResponseTypes: Array<'ReportBatchItemFailures'>;
  state: MappingState;
  stateTransitionReason: string;
  lastProcessingResult: string;
  /** Epoch seconds with ms fraction, as AWS reports it. */
  lastModified: number;
  shards: ShardCheckpointView[];
}

/** A given-up batch kept when the mapping has no on-failure destination. */
export interface StoredFailure {
  /** The §4.4 record that would have gone to the destination. */
  record: import('../dispatch/pull/deps.js').FailureRecord;
  /** Set when a destination was configured but sending to it failed. */
  destinationError?: string;
}

export const LAST_RESULT = Object.freeze({
  none: 'No records processed',
  ok: 'OK',
  failed: 'PROBLEM: Function call failed',
  throttled: 'PROBLEM: Function call throttled',
  functionMissing: 'PROBLEM: Function does not exist',
  sourceMissing: 'PROBLEM: Event source does not exist',
  accessDenied: 'PROBLEM: Insufficient permissions to read the event source or invoke the function',
});
