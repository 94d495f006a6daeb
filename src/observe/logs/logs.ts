/**
 * `engine.logs`: CloudWatch Logs inside the engine. Every function whose execution role may
 * write logs gets the group `/aws/lambda/<name>` and one stream per container, holding every
 * line the runtime writes (START / END / REPORT, the code's output, errors and timeouts). This
 * facade validates and delegates: the writer stores lines, the retention sweeper bounds them,
 * the operations read them back.
 *
 * @example
 * const { events } = await engine.logs.filter({ logGroupName: '/aws/lambda/resize',
 *   filterPattern: '?ERROR ?"Task timed out"' });
 * engine.logs.tail('/aws/lambda/resize').subscribe((e) => console.log(e.message));
 */
import type { Observable } from 'rxjs';
import type { EngineContext } from '../../context.js';
import { fail } from '../../errors.js';
import type { LogSink } from '../../runtime/log-sink.js';
import { anyValue, readOptions } from '../../validation/options.js';
import type { SharedFeed } from '../shared-feed.js';
import { type GroupState, LogCatalog, type StreamState } from './catalog.js';
import { filterLogEvents } from './filter-log-events.js';
import { compileFilterPattern } from './filter-pattern.js';
import { getLogEvents } from './get-log-events.js';
import { LogRetention, retentionCutoff } from './retention.js';
import { applyShared } from './shared.js';
import { LogTails } from './tails.js';
import type {
  DescribeLogGroupsOptions,
  DescribeLogStreamsOptions,
  FilterLogEventsOptions,
  FilterLogEventsResult,
  GetLogEventsOptions,
  GetLogEventsResult,
  LogGroup,
  LogStream,
  TailedLogEvent,
  TailLogOptions,
} from './types.js';
import {
  groupNotFound,
  type ResolvedLogsOptions,
  streamNotFound,
  validateGroupName,
  validateLimit,
  validateRetention,
  validateStreamName,
  validateTime,
} from './validate.js';
import { WriteQueue } from './write-queue.js';
import { LogWriter } from './writer.js';

const MAX_STREAM_NAMES = 100;

// Known keys only (a misspelt option is refused); values are checked by the methods, in
// CloudWatch Logs' wording.
const DESCRIBE_GROUPS_OPTIONS = { prefix: anyValue<string>() } as const;
const DESCRIBE_STREAMS_OPTIONS = {
  prefix: anyValue<string>(),
  orderBy: anyValue<DescribeLogStreamsOptions['orderBy']>(),
  descending: anyValue<boolean>(),
} as const;
const RANGE_OPTIONS = {
  startTime: anyValue<number>(),
  endTime: anyValue<number>(),
  limit: anyValue<number>(),
  nextToken: anyValue<string>(),
} as const;
const GET_EVENTS_OPTIONS = {
  logGroupName: anyValue<string>(),
  logStreamName: anyValue<string>(),
  startFromHead: anyValue<boolean>(),
  ...RANGE_OPTIONS,
} as const;
const FILTER_OPTIONS = {
  logGroupName: anyValue<string>(),
  logStreamNames: anyValue<string[]>(),
  logStreamNamePrefix: anyValue<string>(),
  filterPattern: anyValue<string>(),
  ...RANGE_OPTIONS,
} as const;
const TAIL_OPTIONS = { filterPattern: anyValue<string>() } as const;

export class Logs {
  readonly #ctx: EngineContext;
  readonly #catalog: LogCatalog;
  readonly #queue: WriteQueue;
  readonly #writer: LogWriter;
  readonly #tails: LogTails;
  readonly #retention: LogRetention;
  readonly #feed: SharedFeed | undefined;

  /**
   * @internal built by the engine with {@link Logs.open}. With a clustered backend's `feed`,
   * stored lines are published to it and the other processes' lines copied from it.
   */
  constructor(ctx: EngineContext, catalog: LogCatalog, options: ResolvedLogsOptions, feed?: SharedFeed) {
    this.#ctx = ctx;
    this.#catalog = catalog;
    this.#queue = new WriteQueue(ctx.storage, (err) =>
      ctx.events.emit('logs.error', { message: err instanceof Error ? err.message : String(err) }),
    );
    this.#tails = new LogTails();
    this.#retention = new LogRetention(catalog, this.#queue, ctx.clock, ctx.events, () =>
      this.#writer.flush(),
    );
    this.#writer = new LogWriter(catalog, this.#queue, ctx.clock, this.#tails, {
      persist: options.persist,
      retentionInDays: options.retentionInDays,
      onFirstEvent: (stream, ts) => this.#retention.noteEvent(stream.group, ts),
      feed,
      onPublishError: (err, kept) =>
        ctx.events.emit('logs.error', {
          message: `lines stored here ${kept ? 'are kept to publish to the other engine processes (retried while this engine runs, and when it opens again)' : 'will not reach the other engine processes'}: ${err instanceof Error ? err.message : String(err)}`,
        }),
    });
    this.#retention.reschedule();
    this.#feed = feed;
    const unfollow = feed?.follow((delivery) =>
      applyShared(
        {
          catalog,
          queue: this.#queue,
          clock: ctx.clock,
          retentionInDays: options.retentionInDays,
          onFirstEvent: (stream, ts) => this.#retention.noteEvent(stream.group, ts),
        },
        delivery,
      ),
    );
    ctx.lifecycle.onClose(async () => {
      this.#writer.flush();
      await unfollow?.();
      await this.#retention.close();
      await this.#queue.settled();
      await this.#writer.published();
      this.#tails.complete();
    });
  }

  /** @internal built by the engine: loads the groups and streams stored in its LevelDB. */
  static async open(ctx: EngineContext, options: ResolvedLogsOptions, feed?: SharedFeed): Promise<Logs> {
    return new Logs(ctx, await LogCatalog.open(ctx.storage), options, feed);
  }

  /** @internal where the runtime writes containers' lines. */
  get sink(): LogSink {
    return this.#writer;
  }

  /** Log groups by name, optionally only those starting with `prefix` (DescribeLogGroups). */
  async describeLogGroups(rawOptions?: DescribeLogGroupsOptions): Promise<LogGroup[]> {
    this.#ctx.lifecycle.assertOpen();
    const options = readOptions(rawOptions, DESCRIBE_GROUPS_OPTIONS, 'InvalidParameterException');
    const prefix = options.prefix ?? '';
    if (typeof prefix !== 'string')
      fail('InvalidParameterException', `prefix must be a string, got ${JSON.stringify(prefix)}`);
    await this.#caughtUp();
    const groups = [...this.#catalog.groups()].filter((g) => g.name.startsWith(prefix));
    return groups.sort((a, b) => (a.name < b.name ? -1 : 1)).map((g) => this.#describeGroup(g));
  }

  /** The streams of a group (DescribeLogStreams): one per container, named like AWS's. */
  async describeLogStreams(
    logGroupName: string,
    rawOptions?: DescribeLogStreamsOptions,
  ): Promise<LogStream[]> {
    await this.#caughtUp();
    const group = this.#group(logGroupName);
    const options = readOptions(rawOptions, DESCRIBE_STREAMS_OPTIONS, 'InvalidParameterException');
    const prefix = options.prefix ?? '';
    const streams = [...group.streams.values()].filter((s) => s.name.startsWith(prefix));
    if (options.orderBy === 'LastEventTime') {
      streams.sort((a, b) => (a.meta.lastEventTimestamp ?? 0) - (b.meta.lastEventTimestamp ?? 0));
    } else {
      streams.sort((a, b) => (a.name < b.name ? -1 : 1));
    }
    if (options.descending) streams.reverse();
    return streams.map((s) => this.#describeStream(s));
  }

  /**
   * One stream's events (GetLogEvents), oldest first. Without a token: the newest `limit`
   * events, or the oldest with `startFromHead`. Page on with `nextForwardToken` (newer) or
   * `nextBackwardToken` (older); a token answered back unchanged means nothing more that way.
   */
  async getLogEvents(rawOptions: GetLogEventsOptions): Promise<GetLogEventsResult> {
    this.#ctx.lifecycle.assertOpen();
    const options = readOptions(rawOptions, GET_EVENTS_OPTIONS, 'InvalidParameterException');
    await this.#caughtUp();
    const group = this.#group(options.logGroupName);
    const name = validateStreamName(options.logStreamName);
    const stream = group.streams.get(name) ?? streamNotFound(group.name, name);
    const range = this.#range(group, options);
    await this.#settle();
    return getLogEvents(this.#catalog.eventsDb, stream, {
      ...range,
      startFromHead: options.startFromHead === true,
    });
  }

  /**
   * Events of a group's streams matching a CloudWatch filter pattern (FilterLogEvents), in
   * timestamp order; `nextToken` is set while more may follow.
   */
  async filter(rawOptions: FilterLogEventsOptions): Promise<FilterLogEventsResult> {
    this.#ctx.lifecycle.assertOpen();
    const options = readOptions(rawOptions, FILTER_OPTIONS, 'InvalidParameterException');
    await this.#caughtUp();
    const group = this.#group(options.logGroupName);
    const matches = compileFilterPattern(options.filterPattern);
    const range = this.#range(group, options);
    const streams = this.#selectStreams(group, options);
    await this.#settle();
    return filterLogEvents(this.#catalog.eventsDb, { ...range, streams, matches });
  }

  /**
   * Every line written to the group from now on, the moment the runtime receives it (while the
   * invocation still runs), optionally only those matching a filter pattern. The group need not
   * exist yet. Nothing is built per line while nobody tails.
   */
  tail(logGroupName: string, rawOptions?: TailLogOptions): Observable<TailedLogEvent> {
    this.#ctx.lifecycle.assertOpen();
    const options = readOptions(rawOptions, TAIL_OPTIONS, 'InvalidParameterException');
    return this.#tails.tail$(validateGroupName(logGroupName), options.filterPattern);
  }

  /** Sets how long the group keeps events (PutRetentionPolicy); CloudWatch's day values only. */
  async putRetentionPolicy(logGroupName: string, retentionInDays: number): Promise<void> {
    const group = this.#group(logGroupName);
    const days = validateRetention(retentionInDays);
    group.meta = { ...group.meta, retentionInDays: days };
    await this.#saveGroup(group);
    this.#retention.reschedule();
  }

  /** Keeps the group's events forever (DeleteRetentionPolicy). */
  async deleteRetentionPolicy(logGroupName: string): Promise<void> {
    const group = this.#group(logGroupName);
    group.meta = { creationTime: group.meta.creationTime };
    await this.#saveGroup(group);
  }

  /**
   * Deletes the group, its streams and their events (DeleteLogGroup). A container still running
   * creates it again with its next line, as Lambda does.
   */
  async deleteLogGroup(logGroupName: string): Promise<void> {
    const group = this.#group(logGroupName);
    this.#catalog.remove(group);
    const { groupsDb, streamsDb, eventsDb } = this.#catalog;
    await this.#queue.exclusive(async () => {
      await eventsDb.clear({ gte: `${group.name}\0`, lt: `${group.name}\x01` });
      await streamsDb.clear({ gte: `${group.name}\0`, lt: `${group.name}\x01` });
      await groupsDb.del(group.name);
    });
  }

  #group(name: unknown): GroupState {
    this.#ctx.lifecycle.assertOpen();
    const valid = validateGroupName(name);
    return this.#catalog.get(valid) ?? groupNotFound(valid);
  }

  /** The checked time range, limit and token of a read; it starts no earlier than retention keeps. */
  #range(
    group: GroupState,
    options: { startTime?: number; endTime?: number; limit?: number; nextToken?: string },
  ): { startTime: number; endTime: number | undefined; limit: number; nextToken: string | undefined } {
    const startTime = validateTime(options.startTime, 'startTime') ?? 0;
    const endTime = validateTime(options.endTime, 'endTime');
    const limit = validateLimit(options.limit);
    if (options.nextToken !== undefined && typeof options.nextToken !== 'string') {
      fail(
        'InvalidParameterException',
        `nextToken must be a string, got ${JSON.stringify(options.nextToken)}`,
      );
    }
    return {
      startTime: Math.max(startTime, retentionCutoff(group, this.#ctx.clock.now())),
      endTime,
      limit,
      nextToken: options.nextToken,
    };
  }

  #selectStreams(
    group: GroupState,
    options: Pick<FilterLogEventsOptions, 'logStreamNames' | 'logStreamNamePrefix'>,
  ): StreamState[] {
    const { logStreamNames: names, logStreamNamePrefix: prefix } = options;
    if (names !== undefined && prefix !== undefined) {
      fail('InvalidParameterException', 'logStreamNames and logStreamNamePrefix cannot both be given');
    }
    if (names !== undefined) {
      if (!Array.isArray(names) || names.length === 0 || names.length > MAX_STREAM_NAMES) {
        fail(
          'InvalidParameterException',
          `logStreamNames must list 1-${MAX_STREAM_NAMES} names, got ${JSON.stringify(names)}`,
        );
      }
      const wanted = new Set(names.map((n) => validateStreamName(n)));
      return [...group.streams.values()].filter((s) => wanted.has(s.name));
    }
    const streams = [...group.streams.values()];
    return prefix === undefined ? streams : streams.filter((s) => s.name.startsWith(prefix));
  }

  async #saveGroup(group: GroupState): Promise<void> {
    if (!group.persisted) return;
    const meta = { ...group.meta };
    await this.#queue.exclusive(() => this.#catalog.groupsDb.put(group.name, meta));
  }

  /** Lines received so far are stored (reads see everything written before the call). */
  async #settle(): Promise<void> {
    this.#writer.flush();
    await this.#queue.settled();
    await this.#writer.published();
  }

  /**
   * With a feed: every line other processes published before the call is stored here (reads
   * then see their groups, streams and events). Without one: nothing to wait for.
   */
  async #caughtUp(): Promise<void> {
    await this.#feed?.caughtUp();
  }

  #describeGroup(g: GroupState): LogGroup {
    let storedBytes = 0;
    for (const s of g.streams.values()) storedBytes += s.meta.storedBytes;
    const out: LogGroup = {
      logGroupName: g.name,
      arn: `${this.#ctx.arns.logGroup(g.name)}`,
      creationTime: g.meta.creationTime,
      storedBytes,
    };
    if (g.meta.retentionInDays !== undefined) out.retentionInDays = g.meta.retentionInDays;
    return out;
  }

  #describeStream(s: StreamState): LogStream {
    const { creationTime, firstEventTimestamp, lastEventTimestamp, lastIngestionTime, storedBytes } = s.meta;
    const out: LogStream = {
      logStreamName: s.name,
      arn: `${this.#ctx.arns.logGroup(s.group.name).replace(/:\*$/, '')}:log-stream:${s.name}`,
      creationTime,
      storedBytes,
    };
    if (firstEventTimestamp !== undefined) out.firstEventTimestamp = firstEventTimestamp;
    if (lastEventTimestamp !== undefined) out.lastEventTimestamp = lastEventTimestamp;
    if (lastIngestionTime !== undefined) out.lastIngestionTime = lastIngestionTime;
    return out;
  }
}
