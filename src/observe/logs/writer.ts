/**
 * The log writer: the runtime's {@link LogSink}. Each line is stamped with the engine clock and
 * appended to its stream's buffer; every buffered stream becomes one chunk (one LevelDB put)
 * plus its metadata, all in one batch of the storage's group commit, {@link FLUSH_MS} after the
 * first line buffered (at once when a stream holds {@link FLUSH_LINES}), and before every read,
 * retention sweep and close. A tail of the group sees the line at once, before it is stored.
 */
import type { Clock } from '../../clock.js';
import type { LogSink, LogStreamWriter } from '../../runtime/log-sink.js';
import { type BatchOp, putJsonTextOp, putOp } from '../../storage/storage.js';
import type { SharedFeed } from '../shared-feed.js';
import { LogCatalog, position, type StreamState } from './catalog.js';
import { publishChunks, type SharedChunk } from './shared.js';
import type { LogTails } from './tails.js';
import type { WriteQueue } from './write-queue.js';

export interface WriterSettings {
  /** Store lines (false: only tails see them). */
  persist: boolean;
  /** Retention of new groups, days; undefined keeps events forever. */
  retentionInDays: number | undefined;
  /** A stream received its first event at `ts` (retention schedules its sweep). */
  onFirstEvent(stream: StreamState, ts: number): void;
  /** A clustered backend's feed: each flush's chunks are published to it after being stored. */
  feed?: SharedFeed;
  /** Publishing to the feed failed (other processes will not see those lines). */
  onPublishError?(err: unknown): void;
}

/**
 * How long lines wait to be stored, at most (wall-clock ms). A flush per I/O turn made one batch
 * per warm invocation (its START / END / REPORT lines), which cost more than the invocation's
 * own bookkeeping; waiting joins hundreds of invocations' lines into one batch. It is the crash
 * window of the lines (kill -9 loses at most this much); nothing acknowledged depends on them,
 * and reads flush first. A wall-clock timer, not the engine clock: it batches I/O and changes
 * nothing a reader can see, and a ManualClock that never moves would hold the lines until a read.
 */
export const FLUSH_MS = 20;
/** Lines one stream buffers before it is flushed without waiting (bounds a chunk's size). */
export const FLUSH_LINES = 512;

export class LogWriter implements LogSink {
  #dirty: StreamState[] = [];
  #timer: NodeJS.Timeout | undefined;
  #soon = false;
  /** The feed publishes so far, in flush order. */
  #published: Promise<void> = Promise.resolve();
  readonly #flush = (): void => {
    this.#soon = false;
    this.flush();
  };

  constructor(
    private readonly catalog: LogCatalog,
    private readonly queue: WriteQueue,
    private readonly clock: Clock,
    private readonly tails: LogTails,
    private readonly settings: WriterSettings,
  ) {}

  open(logGroupName: string, logStreamName: string): LogStreamWriter {
    let stream: StreamState | undefined;
    return {
      write: (line: string): void => {
        // Created on the first line, and again after its group was deleted, as Lambda does.
        if (stream === undefined || stream.removed) {
          stream = this.catalog.stream(
            logGroupName,
            logStreamName,
            this.clock.now(),
            this.settings.retentionInDays,
          );
        }
        this.append(stream, line);
      },
    };
  }

  append(stream: StreamState, message: string): void {
    const ts = this.clock.now();
    const meta = stream.meta;
    const seq = meta.nextSeq++;
    if (meta.firstEventTimestamp === undefined) {
      meta.firstEventTimestamp = ts;
      this.settings.onFirstEvent(stream, ts);
    }
    meta.lastEventTimestamp = ts;
    meta.lastIngestionTime = ts;
    if (this.settings.persist) {
      if (stream.buffer.length === 0) {
        stream.bufferSeq = seq;
        if (this.#dirty.push(stream) === 1) this.#timer = setTimeout(this.#flush, FLUSH_MS);
      }
      // The buffer holds [ts, message] pairs.
      if (stream.buffer.push(ts, message) >= 2 * FLUSH_LINES && !this.#soon) {
        this.#soon = true;
        setImmediate(this.#flush);
      }
    }
    if (this.tails.active) {
      const subject = this.tails.subject(stream.group.name);
      if (subject) {
        subject.next({
          logGroupName: stream.group.name,
          logStreamName: stream.name,
          timestamp: ts,
          ingestionTime: ts,
          message,
          eventId: position(ts, seq) + stream.tag,
        });
      }
    }
  }

  /** Writes every buffered line now (one batch); later reads see them once the queue settles. */
  flush(): void {
    const dirty = this.#dirty;
    if (dirty.length === 0) return;
    this.#dirty = [];
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const ops: BatchOp[] = [];
    const shared: SharedChunk[] = [];
    for (const stream of dirty) {
      const buffer = stream.buffer;
      stream.buffer = [];
      if (stream.removed || buffer.length === 0) continue;
      const group = stream.group;
      if (!group.persisted) {
        group.persisted = true;
        ops.push(putOp(this.catalog.groupsDb, group.name, { ...group.meta }));
      }
      const chunk = JSON.stringify(buffer);
      stream.meta.storedBytes += Buffer.byteLength(chunk);
      ops.push(
        putOp(this.catalog.eventsDb, stream.prefix + position(buffer[0] as number, stream.bufferSeq), chunk),
      );
      if (this.settings.feed) shared.push({ stream, seq: stream.bufferSeq, lines: buffer });
      ops.push(
        putJsonTextOp(this.catalog.streamsDb, LogCatalog.streamKey(stream), JSON.stringify(stream.meta)),
      );
    }
    this.queue.write(ops);
    const feed = this.settings.feed;
    if (feed && shared.length > 0) {
      const settled = this.queue.settled();
      this.#published = this.#published
        .then(() => settled)
        .then(() => publishChunks(feed, shared))
        .catch((err: unknown) => this.settings.onPublishError?.(err));
    }
  }

  /** Resolves once every flush so far is published to the feed (at once without one). */
  published(): Promise<void> {
    return this.#published;
  }
}
