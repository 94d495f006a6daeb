/** The engine's stream shapes as Kinesis's wire shapes (PascalCase, epoch seconds, base64 data). */
import type { ShardDescription, StreamDescription } from '../../streams/model.js';

export function shard(s: ShardDescription): Record<string, unknown> {
  return {
    ShardId: s.shardId,
    ...(s.parentShardId === undefined ? {} : { ParentShardId: s.parentShardId }),
    ...(s.adjacentParentShardId === undefined ? {} : { AdjacentParentShardId: s.adjacentParentShardId }),
    HashKeyRange: {
      StartingHashKey: s.hashKeyRange.startingHashKey,
      EndingHashKey: s.hashKeyRange.endingHashKey,
    },
    SequenceNumberRange: {
      StartingSequenceNumber: s.sequenceNumberRange.startingSequenceNumber,
      ...(s.sequenceNumberRange.endingSequenceNumber === undefined
        ? {}
        : { EndingSequenceNumber: s.sequenceNumberRange.endingSequenceNumber }),
    },
  };
}

export function streamSummary(d: StreamDescription): Record<string, unknown> {
  return {
    StreamName: d.streamName,
    StreamARN: d.streamArn,
    StreamStatus: d.streamStatus,
    RetentionPeriodHours: d.retentionPeriodHours,
    StreamCreationTimestamp: d.streamCreationTimestamp.getTime() / 1000,
    EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
    EncryptionType: 'NONE',
    StreamModeDetails: { StreamMode: 'PROVISIONED' },
  };
}
