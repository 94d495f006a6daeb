/**
 * DescribeLogGroups, DescribeLogStreams, GetLogEvents, FilterLogEvents (what `aws logs tail`
 * polls), PutRetentionPolicy, DeleteRetentionPolicy, DeleteLogGroup. Times are epoch ms on both
 * sides, as CloudWatch Logs has them.
 */
import type { Engine } from '../../engine.js';
import type { LogGroup, LogStream } from '../../observe/logs/types.js';
import { bool, type JsonObject, list, num, str } from '../protocols/json.js';

function group(g: LogGroup): Record<string, unknown> {
  return {
    logGroupName: g.logGroupName,
    arn: g.arn,
    creationTime: g.creationTime,
    storedBytes: g.storedBytes,
    metricFilterCount: 0,
    ...(g.retentionInDays === undefined ? {} : { retentionInDays: g.retentionInDays }),
  };
}

function stream(s: LogStream): Record<string, unknown> {
  return {
    logStreamName: s.logStreamName,
    arn: s.arn,
    creationTime: s.creationTime,
    storedBytes: s.storedBytes,
    ...(s.firstEventTimestamp === undefined ? {} : { firstEventTimestamp: s.firstEventTimestamp }),
    ...(s.lastEventTimestamp === undefined ? {} : { lastEventTimestamp: s.lastEventTimestamp }),
    ...(s.lastIngestionTime === undefined ? {} : { lastIngestionTime: s.lastIngestionTime }),
  };
}

/** Drops absent members so the engine sees only what the caller sent. */
function defined<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function logsOperations(engine: Engine) {
  return {
    async DescribeLogGroups(input: JsonObject) {
      const groups = await engine.logs.describeLogGroups(
        defined({ prefix: str(input, 'logGroupNamePrefix') }),
      );
      return { logGroups: groups.map(group) };
    },
    async DescribeLogStreams(input: JsonObject) {
      const orderBy = str(input, 'orderBy') as 'LogStreamName' | 'LastEventTime' | undefined;
      const streams = await engine.logs.describeLogStreams(
        str(input, 'logGroupName', true),
        defined({
          prefix: str(input, 'logStreamNamePrefix'),
          orderBy,
          descending: bool(input, 'descending'),
        }),
      );
      return { logStreams: streams.map(stream) };
    },
    async GetLogEvents(input: JsonObject) {
      const out = await engine.logs.getLogEvents({
        logGroupName: str(input, 'logGroupName', true),
        logStreamName: str(input, 'logStreamName', true),
        ...defined({
          startTime: num(input, 'startTime'),
          endTime: num(input, 'endTime'),
          limit: num(input, 'limit'),
          startFromHead: bool(input, 'startFromHead'),
          nextToken: str(input, 'nextToken'),
        }),
      });
      return {
        events: out.events,
        nextForwardToken: out.nextForwardToken,
        nextBackwardToken: out.nextBackwardToken,
      };
    },
    async FilterLogEvents(input: JsonObject) {
      const names = list(input, 'logStreamNames')?.map(String);
      const out = await engine.logs.filter({
        logGroupName: str(input, 'logGroupName', true),
        ...defined({
          logStreamNames: names,
          logStreamNamePrefix: str(input, 'logStreamNamePrefix'),
          startTime: num(input, 'startTime'),
          endTime: num(input, 'endTime'),
          filterPattern: str(input, 'filterPattern'),
          limit: num(input, 'limit'),
          nextToken: str(input, 'nextToken'),
        }),
      });
      return {
        events: out.events,
        searchedLogStreams: [],
        ...(out.nextToken === undefined ? {} : { nextToken: out.nextToken }),
      };
    },
    async PutRetentionPolicy(input: JsonObject) {
      await engine.logs.putRetentionPolicy(
        str(input, 'logGroupName', true),
        num(input, 'retentionInDays') ?? Number.NaN,
      );
      return {};
    },
    async DeleteRetentionPolicy(input: JsonObject) {
      await engine.logs.deleteRetentionPolicy(str(input, 'logGroupName', true));
      return {};
    },
    async DeleteLogGroup(input: JsonObject) {
      await engine.logs.deleteLogGroup(str(input, 'logGroupName', true));
      return {};
    },
  };
}
