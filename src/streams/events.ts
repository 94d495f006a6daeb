/** Events of streams and table streams (shard logs). */
export interface StreamEventMap {
  'stream.created': { streamName: string; streamArn: string; shardCount: number; retentionHours: number };
  'stream.deleted': { streamName: string; streamArn: string };
  /** One committed batch of records in one shard. */
  'stream.appended': {
    streamArn: string;
    shardId: string;
    count: number;
    firstSequenceNumber: string;
    lastSequenceNumber: string;
  };
  'stream.resharded': {
    streamArn: string;
    operation: 'split' | 'merge';
    closedShardIds: string[];
    childShardIds: string[];
  };
  'stream.retentionChanged': { streamArn: string; retentionHours: number };
  /** A retention sweep removed records written before `before` (engine-clock ms). */
  'stream.trimmed': { streamArn: string; shardId: string; before: number };
  /** A closed parent shard outlived the retention period and is no longer listed. */
  'stream.shardExpired': { streamArn: string; shardId: string };
  /** A change another engine process made to a shared stream could not be taken here. */
  'stream.error': { streamArn: string; message: string };
}
