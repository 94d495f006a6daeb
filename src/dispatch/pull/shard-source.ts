/**
 * The seam between shard logs (Kinesis-style streams and DynamoDB-style table streams) and the
 * event-source-mapping pollers. The streams service provides one ShardSource per stream ARN.
 */
import type { Observable } from 'rxjs';

export type SourceKind = 'kinesis' | 'dynamodb';

export interface SourceShard {
  shardId: string;
  /** Parent shard ids (one after a split, two after a merge); drained before this shard. */
  parentShardIds: string[];
  /** True once the shard was split or merged: it takes no more writes. */
  closed: boolean;
}

/** One stored record of a shard, in the shape the poller turns into a Lambda event record. */
export interface SourceRecord {
  sequenceNumber: string;
  /** Arrival time on the engine clock, epoch milliseconds. */
  arrivalMs: number;
  /** Kinesis: partition key and raw data. */
  partitionKey?: string;
  data?: Buffer;
  /**
   * DynamoDB: the stream record exactly as DynamoDB Streams delivers it (eventID, eventName,
   * eventVersion, eventSource, awsRegion, dynamodb {...}, eventSourceARN); the poller adds
   * nothing but may override eventSourceARN.
   */
  change?: Record<string, unknown>;
}

/** Where to start reading a shard that has no checkpoint yet. */
export type StartPosition =
  | { type: 'TRIM_HORIZON' }
  | { type: 'LATEST' }
  | { type: 'AT_TIMESTAMP'; timestampMs: number };

export interface ShardSource {
  readonly kind: SourceKind;
  /** Stream ARN (Kinesis) or table stream ARN (DynamoDB). */
  readonly arn: string;
  /** Current shards, open and closed-but-unexpired, parents before children. */
  listShards(): Promise<SourceShard[]>;
  /**
   * Up to `limit` records with sequence number strictly greater than `afterSequence` (from the
   * oldest unexpired record when undefined), in sequence order, excluding expired records.
   */
  read(shardId: string, afterSequence: string | undefined, limit: number): Promise<SourceRecord[]>;
  /** The sequence number a LATEST / AT_TIMESTAMP start resolves to, as an exclusive lower bound. */
  resolveStart(shardId: string, position: StartPosition): Promise<string | undefined>;
  /** True when the shard is closed and every record up to its end was read past `afterSequence`. */
  isDrained(shardId: string, afterSequence: string | undefined): Promise<boolean>;
  /** Emits when `shardId` gets new records (or any shard when omitted) or the shard set changes. */
  changes$(shardId?: string): Observable<void>;
  /** True when the source was deleted. */
  exists(): Promise<boolean>;
}
