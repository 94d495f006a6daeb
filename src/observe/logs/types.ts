/** Public shapes of `engine.logs`, CloudWatch Logs' fields in camelCase. */

export interface LogsOptions {
  /**
   * Retention given to each new log group, in days (one of CloudWatch's values, see
   * {@link RETENTION_DAYS}); `null` keeps events forever. Default 30: the engine's storage stays
   * bounded unless asked otherwise. `putRetentionPolicy` changes it per group.
   */
  retentionDays?: number | null;
  /** False: lines are not stored (tails and `function.log` events still see them). Default true. */
  persist?: boolean;
}

export interface LogGroup {
  logGroupName: string;
  /** `arn:aws:logs:<region>:<account>:log-group:<name>:*`. */
  arn: string;
  creationTime: number;
  /** Undefined: events never expire. */
  retentionInDays?: number;
  /** Bytes of the stored events as CloudWatch counts them: each message's UTF-8 bytes plus 26. */
  storedBytes: number;
}

export interface LogStream {
  logStreamName: string;
  arn: string;
  creationTime: number;
  firstEventTimestamp?: number;
  lastEventTimestamp?: number;
  lastIngestionTime?: number;
  /** Bytes of the stream's events: each message's UTF-8 bytes plus 26 (CloudWatch's count). */
  storedBytes: number;
}

export interface DescribeLogGroupsOptions {
  /** Only groups whose name starts with this. */
  prefix?: string;
}

export interface DescribeLogStreamsOptions {
  /** Only streams whose name starts with this. */
  prefix?: string;
  /** 'LogStreamName' (default) or 'LastEventTime' (most recent last, or first when descending). */
  orderBy?: 'LogStreamName' | 'LastEventTime';
  descending?: boolean;
}

export interface GetLogEventsOptions {
  logGroupName: string;
  logStreamName: string;
  /** Inclusive, ms since the epoch. */
  startTime?: number;
  /** Exclusive, ms since the epoch. */
  endTime?: number;
  /** 1-10000, default 10000. */
  limit?: number;
  /** Without a token: true reads from the oldest event, false (default) returns the newest. */
  startFromHead?: boolean;
  /** A `nextForwardToken` or `nextBackwardToken` of an earlier answer. */
  nextToken?: string;
}

export interface OutputLogEvent {
  timestamp: number;
  message: string;
  ingestionTime: number;
}

export interface GetLogEventsResult {
  /** Oldest first, in both directions. */
  events: OutputLogEvent[];
  /** Reads on after the last event; answered unchanged once there is nothing newer. */
  nextForwardToken: string;
  /** Reads back before the first event; answered unchanged once there is nothing older. */
  nextBackwardToken: string;
}

export interface FilterLogEventsOptions {
  logGroupName: string;
  /** Only these streams (at most 100). */
  logStreamNames?: string[];
  /** Only streams whose name starts with this (not with logStreamNames). */
  logStreamNamePrefix?: string;
  startTime?: number;
  endTime?: number;
  /** CloudWatch filter pattern syntax; see the README's Logs section. */
  filterPattern?: string;
  /** 1-10000, default 10000. */
  limit?: number;
  nextToken?: string;
}

export interface FilteredLogEvent {
  logStreamName: string;
  timestamp: number;
  message: string;
  ingestionTime: number;
  /** Unique in the group; digits. */
  eventId: string;
}

export interface FilterLogEventsResult {
  /** Ordered by timestamp across the streams. */
  events: FilteredLogEvent[];
  nextToken?: string;
}

/** One line as `tail` shows it, the moment the engine receives it. */
export interface TailedLogEvent extends FilteredLogEvent {
  logGroupName: string;
}

export interface TailLogOptions {
  filterPattern?: string;
}
