/**
 * Retention: removes events older than their group's retention with range deletes, on an
 * engine-clock timer set for the moment the oldest event expires (no periodic polling). A
 * stream with nothing newer than the cutoff goes whole (keys and metadata); a longer-lived one
 * loses the chunks that start before the cutoff. Reads never return expired events even before
 * a sweep, so the sweep only bounds storage.
 */
import type { Clock, TimerHandle } from '../../clock.js';
import type { EventHub } from '../../events.js';
import { type GroupState, LogCatalog, position, positionTime, type StreamState } from './catalog.js';
import { chunkEventBytes } from './chunk.js';
import type { WriteQueue } from './write-queue.js';

export const DAY_MS = 86_400_000;

/** The oldest timestamp a group still keeps at `now`. */
export function retentionCutoff(group: GroupState, now: number): number {
  const days = group.meta.retentionInDays;
  return days === undefined ? 0 : Math.max(0, now - days * DAY_MS);
}

export class LogRetention {
  #timer: TimerHandle | undefined;
  #dueAt = Number.POSITIVE_INFINITY;
  #running: Promise<void> | undefined;
  #again = false;
  #closed = false;

  constructor(
    private readonly catalog: LogCatalog,
    private readonly queue: WriteQueue,
    private readonly clock: Clock,
    private readonly events: EventHub,
    /** Stores the lines buffered so far, so a sweep sees every stream's chunks. */
    private readonly flushLines: () => void,
  ) {}

  /** A stream's oldest event is `ts`: make sure a sweep runs when it expires. */
  noteEvent(group: GroupState, ts: number): void {
    const days = group.meta.retentionInDays;
    if (days !== undefined) this.scheduleAt(ts + days * DAY_MS);
  }

  /** Sets the timer for the earliest expiry among all groups (after open or a policy change). */
  reschedule(): void {
    for (const group of this.catalog.groups()) {
      for (const stream of group.streams.values()) {
        const first = stream.meta.firstEventTimestamp;
        if (first !== undefined) this.noteEvent(group, first);
      }
    }
  }

  scheduleAt(at: number): void {
    if (this.#closed || at >= this.#dueAt) return;
    if (this.#timer) this.clock.clearTimeout(this.#timer);
    this.#dueAt = at;
    this.#timer = this.clock.setTimeout(
      () => {
        this.#timer = undefined;
        this.#dueAt = Number.POSITIVE_INFINITY;
        void this.sweep();
      },
      Math.max(0, at - this.clock.now()),
    );
  }

  /** One sweep at a time; a request during one runs another after it. */
  sweep(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      try {
        do {
          this.#again = false;
          this.flushLines();
          await this.queue.exclusive(() => this.#sweepOnce());
        } while (this.#again && !this.#closed);
      } finally {
        this.#running = undefined;
      }
      this.reschedule();
    })();
    return this.#running;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  async #sweepOnce(): Promise<void> {
    // Read after the timer's turn: a ManualClock advanced past several days is at its target now.
    const now = this.clock.now();
    for (const group of [...this.catalog.groups()]) {
      if (this.#closed) return;
      const before = retentionCutoff(group, now);
      if (before === 0) continue;
      let deletedBytes = 0;
      let deletedStreams = 0;
      for (const stream of [...group.streams.values()]) {
        const first = stream.meta.firstEventTimestamp;
        if (first === undefined || first >= before) continue;
        if ((stream.meta.lastEventTimestamp ?? 0) < before && stream.buffer === undefined) {
          deletedBytes += stream.meta.storedBytes;
          deletedStreams++;
          await this.#dropStream(stream);
        } else {
          deletedBytes += await this.#trimStream(stream, before);
        }
      }
      if (deletedBytes > 0 || deletedStreams > 0) {
        this.events.emit('logs.expired', { logGroupName: group.name, before, deletedBytes, deletedStreams });
      }
    }
  }

  async #dropStream(stream: StreamState): Promise<void> {
    this.catalog.removeStream(stream);
    await this.catalog.eventsDb.clear({ gte: stream.prefix, lt: `${stream.prefix.slice(0, -1)}\x01` });
    await this.catalog.streamsDb.del(LogCatalog.streamKey(stream));
  }

  /** Deletes the chunks that start before `before`; returns their bytes. */
  async #trimStream(stream: StreamState, before: number): Promise<number> {
    const range = { gte: stream.prefix, lt: stream.prefix + position(before, 0) };
    let bytes = 0;
    for await (const value of this.catalog.eventsDb.values(range)) bytes += chunkEventBytes(value);
    await this.catalog.eventsDb.clear(range);
    let first: number | undefined;
    for await (const key of this.catalog.eventsDb.keys({
      gte: stream.prefix,
      lt: `${stream.prefix.slice(0, -1)}\x01`,
      limit: 1,
    })) {
      first = positionTime(key.slice(stream.prefix.length));
    }
    const meta = stream.meta;
    meta.storedBytes = Math.max(0, meta.storedBytes - bytes);
    if (first === undefined) delete meta.firstEventTimestamp;
    else meta.firstEventTimestamp = first;
    await this.catalog.streamsDb.put(LogCatalog.streamKey(stream), { ...meta });
    return bytes;
  }
}
