/**
 * Types of the stream API (public) and of what the shard log persists (internal).
 */
import type { DynamoDBStreamRecord } from '../tables/model.js';

export type ShardIteratorType =
  | 'TRIM_HORIZON'
  | 'LATEST'
  | 'AT_SEQUENCE_NUMBER'
  | 'AFTER_SEQUENCE_NUMBER'
  | 'AT_TIMESTAMP';

export const SHARD_ITERATOR_TYPES: readonly ShardIteratorType[] = Object.freeze([
  'TRIM_HORIZON',
  'LATEST',
  'AT_SEQUENCE_NUMBER',
  'AFTER_SEQUENCE_NUMBER',
  'AT_TIMESTAMP',
]);

export interface CreateStreamOptions {
  /** Number of shards, 1 or more (default 1). */
  shardCount?: number;
  /** Hours records stay readable: 24 (default) up to `quotas.streamRetentionMaxHours`. */
  retentionHours?: number;
}

export const STREAM_DEFAULTS = Object.freeze({ shardCount: 1, retentionHours: 24 });

export interface HashKeyRange {
  startingHashKey: string;
  endingHashKey: string;
}

export interface ShardDescription {
  shardId: string;
  parentShardId?: string;
  adjacentParentShardId?: string;
  hashKeyRange: HashKeyRange;
  sequenceNumberRange: { startingSequenceNumber: string; endingSequenceNumber?: string };
}

export type StreamStatus = 'CREATING' | 'ACTIVE' | 'UPDATING' | 'DELETING';

export interface StreamDescription {
  streamName: string;
  streamArn: string;
  streamStatus: StreamStatus;
  retentionPeriodHours: number;
  streamCreationTimestamp: Date;
  /** Open and closed shards; expired parents are no longer listed. */
  shards: ShardDescription[];
  /** Shards that accept writes. */
  openShardCount: number;
}

export interface PutRecordInput {
  partitionKey: string;
  data: Buffer | Uint8Array | string;
  explicitHashKey?: string;
}

export interface PutRecordOutput {
  shardId: string;
  sequenceNumber: string;
}

export type PutRecordsResultEntry =
  | { shardId: string; sequenceNumber: string }
  | { errorCode: 'InternalFailure' | 'ProvisionedThroughputExceededException'; errorMessage: string };

export interface PutRecordsOutput {
  failedRecordCount: number;
  /** Index-aligned with the request. */
  records: PutRecordsResultEntry[];
}

export interface GetShardIteratorOptions {
  type: ShardIteratorType;
  /** For AT_SEQUENCE_NUMBER and AFTER_SEQUENCE_NUMBER. */
  sequenceNumber?: string;
  /** For AT_TIMESTAMP: a Date or epoch milliseconds. */
  timestamp?: Date | number;
}

export interface StreamRecord {
  sequenceNumber: string;
  /** Engine-clock time the record was written. */
  approximateArrivalTimestamp: Date;
  data: Buffer;
  partitionKey: string;
  /** Table streams only: the DynamoDB Streams record (reference §3.2); `data` is its JSON. */
  change?: DynamoDBStreamRecord;
}

export interface ChildShard {
  shardId: string;
  parentShards: string[];
  hashKeyRange: HashKeyRange;
}

export interface GetRecordsOutput<R = StreamRecord> {
  records: R[];
  /** null once a closed shard has been read to its end (SHARD_END). */
  nextShardIterator: string | null;
  millisBehindLatest: number;
  /** Present at SHARD_END: the shards that took over this shard's hash range. */
  childShards?: ChildShard[];
}

/** Persisted per shard inside its stream's meta. Hash keys as decimal strings. */
export interface ShardMeta {
  index: number;
  shardId: string;
  start: string;
  end: string;
  parentShardId?: string;
  adjacentParentShardId?: string;
  startingSequenceNumber: string;
  endingSequenceNumber?: string;
  /** Engine-clock ms the shard was closed by a split or merge. */
  closedAt?: number;
}

export type StreamKind = 'kinesis' | 'dynamodb';

/** Persisted per stream (Kinesis stream or table stream), keyed by ARN. */
export interface StreamMeta {
  arn: string;
  name: string;
  /** Unique per incarnation: records of a deleted stream never meet a new one of the same name. */
  uid: string;
  kind: StreamKind;
  createdAt: number;
  retentionHours: number;
  nextShardIndex: number;
  shards: ShardMeta[];
}

export function shardIdOf(index: number): string {
  return `shardId-${String(index).padStart(12, '0')}`;
}

const SHARD_ID_PATTERN = /^shardId-(\d{12})$/;

/** The shard index named by a shard id, or undefined when the text is not a shard id. */
export function shardIndexOf(shardId: unknown): number | undefined {
  if (typeof shardId !== 'string') return undefined;
  const match = SHARD_ID_PATTERN.exec(shardId);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
