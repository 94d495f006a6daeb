/**
 * CreateStream, DeleteStream, DescribeStream, DescribeStreamSummary, ListStreams, ListShards,
 * SplitShard, MergeShards, Increase/DecreaseStreamRetentionPeriod.
 */
import type { Engine } from '../../engine.js';
import { type JsonObject, num, str } from '../protocols/json.js';
import { shard, streamSummary } from './shapes.js';

/** Kinesis names a stream by StreamName or StreamARN; the engine takes either. */
export function streamOf(input: JsonObject): string {
  return str(input, 'StreamARN') ?? str(input, 'StreamName', true);
}

export function streamOperations(engine: Engine) {
  return {
    async CreateStream(input: JsonObject) {
      const shardCount = num(input, 'ShardCount');
      await engine.streams.create(
        str(input, 'StreamName', true),
        shardCount === undefined ? {} : { shardCount },
      );
      return {};
    },
    async DeleteStream(input: JsonObject) {
      await engine.streams.delete(streamOf(input));
      return {};
    },
    async DescribeStream(input: JsonObject) {
      const d = await engine.streams.describe(streamOf(input));
      return {
        StreamDescription: { ...streamSummary(d), Shards: d.shards.map(shard), HasMoreShards: false },
      };
    },
    async DescribeStreamSummary(input: JsonObject) {
      const d = await engine.streams.describe(streamOf(input));
      return {
        StreamDescriptionSummary: { ...streamSummary(d), OpenShardCount: d.openShardCount, ConsumerCount: 0 },
      };
    },
    async ListStreams() {
      const streams = await engine.streams.list();
      return {
        StreamNames: streams.map((s) => s.streamName),
        HasMoreStreams: false,
        StreamSummaries: streams.map((s) => ({
          StreamName: s.streamName,
          StreamARN: s.streamArn,
          StreamStatus: s.streamStatus,
          StreamModeDetails: { StreamMode: 'PROVISIONED' },
          StreamCreationTimestamp: s.streamCreationTimestamp.getTime() / 1000,
        })),
      };
    },
    async ListShards(input: JsonObject) {
      // Every shard fits one page, so a NextToken names the stream again.
      const d = await engine.streams.describe(str(input, 'NextToken') ?? streamOf(input));
      return { Shards: d.shards.map(shard) };
    },
    async SplitShard(input: JsonObject) {
      await engine.streams.splitShard(
        streamOf(input),
        str(input, 'ShardToSplit', true),
        str(input, 'NewStartingHashKey', true),
      );
      return {};
    },
    async MergeShards(input: JsonObject) {
      await engine.streams.mergeShards(
        streamOf(input),
        str(input, 'ShardToMerge', true),
        str(input, 'AdjacentShardToMerge', true),
      );
      return {};
    },
    async IncreaseStreamRetentionPeriod(input: JsonObject) {
      await engine.streams.increaseRetentionPeriod(
        streamOf(input),
        num(input, 'RetentionPeriodHours') ?? Number.NaN,
      );
      return {};
    },
    async DecreaseStreamRetentionPeriod(input: JsonObject) {
      await engine.streams.decreaseRetentionPeriod(
        streamOf(input),
        num(input, 'RetentionPeriodHours') ?? Number.NaN,
      );
      return {};
    },
  };
}
