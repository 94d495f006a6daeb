/**
 * Persists the one-minute rollup: at most one batch per minute, holding every closed minute of
 * every series, written when the engine clock has entered a new minute and a value is recorded
 * (the recorder calls {@link MinuteFlusher.roll}), and one on close holding everything left. No
 * timer: an idle engine does no work for metrics (DESIGN §2.6), and the engine's clock timers
 * stay those of its dispatchers. The price: minutes recorded just before the engine went idle
 * are persisted at the next value or on close, so a kill -9 meanwhile loses them.
 *
 * With a shared feed (a clustered backend), each batch also holds its payloads for the other
 * engine processes (rollup/shared.ts) in the feed's outbox, published once it is durable, and a timer on the engine clock, armed only while minutes
 * are open, flushes at the end of each minute: the others then see a minute once it closed, not
 * only when this process records again.
 */
import { randomBytes } from 'node:crypto';
import type { Clock, TimerHandle } from '../../../clock.js';
import type { EventHub } from '../../../events.js';
import { encodeUint } from '../../../storage/keys.js';
import type { BatchOp, Storage } from '../../../storage/storage.js';
import type { SharedFeed, StagedPayloads } from '../../shared-feed.js';
import type { DirtySeriesSink } from '../recorder.js';
import { MINUTE_MS, minuteOf } from '../series/identity.js';
import type { Series } from '../series/series.js';
import type { StoredAggregate } from '../stats/aggregate.js';
import { flushPayloads, type SharedSeries } from './shared.js';
import type { RollupStore } from './store.js';

/** Told which minutes became durable (the retention sweeper arms itself from it). */
export interface PersistedListener {
  persisted(firstMinute: number): void;
}

/** Which stored records a reader must skip because it took them from memory. */
export interface FlushCut {
  readonly token: string;
  readonly fromSeq: number;
}

const SEQ_WIDTH = 10;

/** Where a clustered backend's flusher publishes, and the clock its minute timer runs on. */
export interface FlushShare {
  readonly feed: SharedFeed;
  readonly clock: Clock;
}

export class MinuteFlusher implements DirtySeriesSink {
  /** Series with open minutes. */
  #dirty: Series[] = [];
  /** The flush running now, if any; flushes never overlap. */
  #running: Promise<void> = Promise.resolve();
  /** Distinguishes this engine's flush ids from those of earlier runs on the same storage. */
  readonly #token = randomBytes(4).toString('hex');
  #nextSeq = 0;
  /** Sequence numbers of flushes whose batch is not durable yet. */
  readonly #inFlight = new Set<number>();
  #closed = false;
  /** The end-of-minute timer (only with a share), armed while minutes are open. */
  #timer: TimerHandle | undefined;

  /**
   * `settle`: records the values a feed holds back until the end of the I/O phase that made them
   * (lambda-feed.ts), so the end-of-minute flush has every value of the minute.
   */
  constructor(
    private readonly storage: Storage,
    private readonly store: RollupStore,
    private readonly events: EventHub,
    private readonly listener: PersistedListener,
    private readonly share?: FlushShare,
    private readonly settle: () => void = () => {},
  ) {}

  dirty(series: Series): void {
    if (this.#closed) return;
    series.dirty = true;
    this.#dirty.push(series);
    this.expect();
  }

  /**
   * Values are on their way (a feed holds them until the end of their I/O phase): with a share,
   * the end-of-minute flush is armed now, as their recording would have, so their minute is
   * flushed when it closes.
   */
  expect(): void {
    if (!this.#closed && this.share && this.#timer === undefined) this.#arm(this.share.clock);
  }

  /** Flushes at the start of the next minute of the engine clock, and again while minutes stay open. */
  #arm(clock: Clock): void {
    const now = clock.now();
    this.#timer = clock.setTimeout(
      () => {
        // Settled while this timer still counts as armed, so `dirty` arms no second one.
        this.settle();
        this.#timer = undefined;
        if (this.#closed || this.#dirty.length === 0) return;
        this.roll(minuteOf(clock.now()));
        this.#arm(clock);
      },
      minuteOf(now) + MINUTE_MS - now,
    );
  }

  /** The engine clock is in the minute starting at `minute`: persists the minutes before it. */
  roll(minute: number): void {
    if (this.#closed || this.#dirty.length === 0) return;
    void this.#enqueue(minute);
  }

  /**
   * Where a reader that copied the in-memory minutes now must start skipping stored records:
   * flushes from this sequence on hold only minutes it found in memory (or newer ones).
   */
  cut(): FlushCut {
    let fromSeq = this.#nextSeq;
    for (const seq of this.#inFlight) if (seq < fromSeq) fromSeq = seq;
    return { token: this.#token, fromSeq };
  }

  /** True when the stored record `flushId` is covered by a reader's in-memory copy. */
  static skips(cut: FlushCut, flushId: string): boolean {
    return flushId.startsWith(cut.token) && Number(flushId.slice(cut.token.length)) >= cut.fromSeq;
  }

  /** Persists every open minute (close), after any flush under way. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) this.share?.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#enqueue(undefined);
  }

  #enqueue(before: number | undefined): Promise<void> {
    this.#running = this.#running
      .then(() => this.#flush(before))
      .catch((err: unknown) => {
        this.events.emit('metrics.flush.failed', {
          message: err instanceof Error ? err.message : String(err),
        });
      });
    return this.#running;
  }

  /** Writes the minutes before `before` (every open minute when undefined) in one batch. */
  async #flush(before: number | undefined): Promise<void> {
    const seq = this.#nextSeq++;
    const flushId = `${this.#token}${encodeUint(seq, SEQ_WIDTH)}`;
    const ops: BatchOp[] = [];
    const flushed: Series[] = [];
    const shared: SharedSeries[] = [];
    const keep: Series[] = [];
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    let aggregates = 0;
    for (const series of this.#dirty) {
      const taken = series.take(before);
      if (taken.length > 0) {
        let lo = Number.POSITIVE_INFINITY;
        let hi = Number.NEGATIVE_INFINITY;
        const minutes: Array<[number, StoredAggregate]> = [];
        for (const [minute, aggregate] of taken) {
          const stored = aggregate.toStored();
          ops.push(this.store.aggregateOp(series.id, minute, flushId, stored));
          if (this.share) minutes.push([minute, stored]);
          series.flushing.push({ minute, aggregate, seq });
          lo = Math.min(lo, minute);
          hi = Math.max(hi, minute);
        }
        const indexOp = this.store.indexOp(series, lo, hi);
        if (indexOp) ops.push(indexOp);
        flushed.push(series);
        if (this.share) shared.push({ series, minutes });
        aggregates += taken.length;
        first = Math.min(first, lo);
        last = Math.max(last, hi);
      }
      if (series.open.size > 0) keep.push(series);
      else series.dirty = false;
    }
    this.#dirty = keep;
    if (ops.length === 0) return;
    // The publish is recorded in the batch itself: a kill -9 before it is sent leaves it in the
    // outbox, sent when the engine opens again (a failed send is retried while it runs).
    let staged: StagedPayloads | undefined;
    try {
      staged = this.share?.feed.stage(flushPayloads(flushId, shared));
      if (staged) ops.push(...staged.ops);
    } catch (err) {
      this.events.emit('metrics.flush.failed', {
        message: `the minutes are stored here only: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
    this.#inFlight.add(seq);
    try {
      await this.storage.batch(ops);
    } catch (err) {
      // Keep the minutes: back into their series' open map, flushed again next time.
      for (const series of flushed) {
        for (const f of series.flushing) if (f.seq === seq) series.minute(f.minute).merge(f.aggregate);
        if (!series.dirty) this.dirty(series);
      }
      this.events.emit('metrics.flush.failed', { message: err instanceof Error ? err.message : String(err) });
      return;
    } finally {
      this.#inFlight.delete(seq);
      for (const series of flushed) series.flushing = series.flushing.filter((f) => f.seq !== seq);
    }
    this.listener.persisted(first);
    if (staged) {
      try {
        await staged.send();
      } catch (err) {
        this.events.emit('metrics.flush.failed', {
          message: `the minutes are stored here and kept to publish to the other engine processes (retried while this engine runs, and when it opens again): ${err instanceof Error ? err.message : String(err)}`,
        });
      }
    }
    this.events.emit('metrics.flushed', {
      series: flushed.length,
      aggregates,
      firstMinute: first,
      lastMinute: last,
    });
  }
}
