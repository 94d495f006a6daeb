/**
 * The log writer: the runtime's {@link LogSink}. Each line is stamped with the engine clock and
 * encoded into its stream's chunk of the window (chunk.ts: the text format's START / END /
 * REPORT as records, rendered when read); every buffered stream becomes one chunk (one LevelDB put)
 * plus its metadata, all in one batch of the storage's group commit, {@link FLUSH_MS} after the
 * first line buffered (at once when a stream holds {@link FLUSH_LINES} lines or
 * {@link FLUSH_TEXT} characters of text), and before every read,
 * retention sweep and close. A tail of the group sees the line at once, before it is stored.
 */
import type { Clock } from '../../clock.js';
import { endLine, type ReportFigures, reportLine, startLine } from '../../runtime/log-lines.js';
import type { LogSink, LogStreamWriter } from '../../runtime/log-sink.js';
import {
  type BatchOp,
  type PrefixedPutOp,
  prefixedPutOp,
  putJsonTextOp,
  putOp,
} from '../../storage/storage.js';
import type { SharedFeed, StagedPayloads } from '../shared-feed.js';
import { LogCatalog, position, type StreamState } from './catalog.js';
import { ChunkBuilder, decodeChunk } from './chunk.js';
import { chunkPayloads, type SharedChunk } from './shared.js';
import type { LogTails } from './tails.js';
import type { TailedLogEvent } from './types.js';
import type { WriteQueue } from './write-queue.js';

export interface WriterSettings {
  /** Store lines (false: only tails see them). */
  persist: boolean;
  /** Retention of new groups, days; undefined keeps events forever. */
  retentionInDays: number | undefined;
  /** A stream received its first event at `ts` (retention schedules its sweep). */
  onFirstEvent(stream: StreamState, ts: number): void;
  /** A clustered backend's feed: each flush's chunks are staged in its batch and published once stored. */
  feed?: SharedFeed;
  /**
   * Publishing to the feed failed: the lines wait in its outbox for the next open (`kept`), or
   * the other processes will never see them.
   */
  onPublishError?(err: unknown, kept: boolean): void;
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
/**
 * Lines one stream buffers before it is flushed without waiting. At a warm invocation's rate a
 * 20 ms window holds over a thousand platform lines: a lower cap (it was 512) made a store batch,
 * a window copy and a stored value per ~170 invocations instead of one per window.
 */
export const FLUSH_LINES = 2048;
/** Characters of text lines one stream buffers before it is flushed without waiting (bounds a chunk's size). */
export const FLUSH_TEXT = 1 << 20;

/** What one line is: text, or platform records of the text format rendered when read. */
enum Line {
  Text,
  Start,
  /** END and REPORT. */
  End,
}

export class LogWriter implements LogSink {
  #dirty: StreamState[] = [];
  #timer: NodeJS.Timeout | undefined;
  #soon = false;
  /** A settle of the buffered windows is scheduled for the check phase. */
  #settling = false;
  /** The buffer of the last window written, for the next window to encode into. */
  #spare: Buffer | undefined;
  /** The feed publishes so far, in flush order. */
  #published: Promise<void> = Promise.resolve();
  readonly #flush = (): void => {
    this.#soon = false;
    this.flush();
  };
  /**
   * Encodes the lines noted during the I/O phase just over. A warm invocation's caller has by
   * then sent its next call, so the encoding runs while the container works on it, not between
   * an answer and the next call (as one flush encoding a whole window would, every 20 ms).
   */
  readonly #settle = (): void => {
    this.#settling = false;
    for (const stream of this.#dirty) stream.buffer?.settle();
  };

  constructor(
    private readonly catalog: LogCatalog,
    private readonly queue: WriteQueue,
    private readonly clock: Clock,
    private readonly tails: LogTails,
    private readonly settings: WriterSettings,
  ) {}

  open(logGroupName: string, logStreamName: string): LogStreamWriter {
    let current: StreamState | undefined;
    // Created on the first line, and again after its group was deleted, as Lambda does.
    const stream = (): StreamState => {
      if (current === undefined || current.removed) {
        current = this.catalog.stream(
          logGroupName,
          logStreamName,
          this.clock.now(),
          this.settings.retentionInDays,
        );
      }
      return current;
    };
    return {
      write: (line) => this.append(stream(), Line.Text, line, undefined, this.clock.now()),
      start: (requestId, at) => this.append(stream(), Line.Start, requestId, undefined, at),
      end: (requestId, figures, at) => this.append(stream(), Line.End, requestId, figures, at),
    };
  }

  /** A line (END + REPORT: two): `text` is the line itself, or the requestId of platform records. */
  append(
    stream: StreamState,
    kind: Line,
    text: string,
    figures: ReportFigures | undefined,
    ts: number,
  ): void {
    const meta = stream.meta;
    const seq = meta.nextSeq;
    meta.nextSeq += kind === Line.End ? 2 : 1;
    if (meta.firstEventTimestamp === undefined) {
      meta.firstEventTimestamp = ts;
      this.settings.onFirstEvent(stream, ts);
    }
    meta.lastEventTimestamp = ts;
    meta.lastIngestionTime = ts;
    if (this.settings.persist) {
      let chunk = stream.buffer;
      if (chunk === undefined) {
        chunk = new ChunkBuilder(this.#spare);
        this.#spare = undefined;
        stream.buffer = chunk;
        stream.bufferSeq = seq;
        if (this.#dirty.push(stream) === 1) this.#timer = setTimeout(this.#flush, FLUSH_MS);
      }
      if (kind === Line.Text) chunk.text(ts, text);
      else if (kind === Line.Start) chunk.start(ts, text);
      else chunk.end(ts, text, figures as ReportFigures);
      if (!this.#settling) {
        this.#settling = true;
        setImmediate(this.#settle);
      }
      if ((chunk.count >= FLUSH_LINES || chunk.textLength >= FLUSH_TEXT) && !this.#soon) {
        this.#soon = true;
        setImmediate(this.#flush);
      }
    }
    if (this.tails.active) this.#tail(stream, kind, text, figures, ts, seq);
  }

  #tail(
    stream: StreamState,
    kind: Line,
    text: string,
    figures: ReportFigures | undefined,
    ts: number,
    seq: number,
  ): void {
    const subject = this.tails.subject(stream.group.name);
    if (subject === undefined) return;
    const event = (message: string, at: number): TailedLogEvent => ({
      logGroupName: stream.group.name,
      logStreamName: stream.name,
      timestamp: ts,
      ingestionTime: ts,
      message,
      eventId: position(ts, at) + stream.tag,
    });
    if (kind === Line.Text) subject.next(event(text, seq));
    else if (kind === Line.Start) subject.next(event(startLine(text), seq));
    else {
      subject.next(event(endLine(text), seq));
      subject.next(event(reportLine(text, figures as ReportFigures), seq + 1));
    }
  }

  /** Writes every buffered line now (one batch); later reads see them once the queue settles. */
  flush(): void {
    const dirty = this.#dirty;
    if (dirty.length === 0) return;
    this.#dirty = [];
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const ops: Array<BatchOp | PrefixedPutOp> = [];
    const shared: SharedChunk[] = [];
    for (const stream of dirty) {
      const chunk = stream.buffer;
      stream.buffer = undefined;
      if (stream.removed || chunk === undefined) continue;
      const group = stream.group;
      if (!group.persisted) {
        group.persisted = true;
        ops.push(putOp(this.catalog.groupsDb, group.name, { ...group.meta }));
      }
      const value = chunk.finish();
      stream.meta.storedBytes += chunk.eventBytes;
      this.#spare = chunk.release();
      ops.push(
        prefixedPutOp(
          this.catalog.eventsDb,
          stream.prefix + position(chunk.firstTs, stream.bufferSeq),
          value,
        ),
      );
      // The feed carries text lines (`[ts, message, ...]`): other processes store them as
      // windows of their own (shared.ts).
      if (this.settings.feed) shared.push({ stream, seq: stream.bufferSeq, lines: decodeChunk(value) });
      ops.push(
        putJsonTextOp(this.catalog.streamsDb, LogCatalog.streamKey(stream), JSON.stringify(stream.meta)),
      );
    }
    // The publish is recorded in the batch itself (the feed's outbox): a kill -9 before it is
    // sent leaves it there, sent when the engine opens again.
    let staged: StagedPayloads | undefined;
    if (this.settings.feed && shared.length > 0) {
      try {
        staged = this.settings.feed.stage(chunkPayloads(shared));
        ops.push(...staged.ops);
      } catch (err) {
        // A payload the feed refuses (a single line past its size): stored here only.
        this.settings.onPublishError?.(err, false);
      }
    }
    this.queue.write(ops);
    if (staged) {
      const settled = this.queue.settled();
      this.#published = this.#published
        .then(() => settled)
        .then(() => staged.send())
        .catch((err: unknown) => this.settings.onPublishError?.(err, true));
    }
  }

  /** Resolves once every flush so far is published to the feed (at once without one). */
  published(): Promise<void> {
    return this.#published;
  }
}
