/**
 * Deletes rollup minutes older than the retention, on the engine clock: one timer, due when the
 * earliest stored minute expires (none while nothing is stored), each run one range delete per
 * series. Readers also ignore expired minutes, so a sweep running late never shows old data.
 */
import type { Clock, TimerHandle } from '../../../clock.js';
import { MINUTE_MS, minuteOf } from '../series/identity.js';
import type { PersistedListener } from './flusher.js';
import type { RollupStore } from './store.js';

export class RetentionSweeper implements PersistedListener {
  #timer: TimerHandle | undefined;
  #dueAt = Number.POSITIVE_INFINITY;
  #running: Promise<void> | undefined;
  #closed = false;

  constructor(
    private readonly clock: Clock,
    private readonly store: RollupStore,
    readonly retentionMs: number,
  ) {}

  /** Minute starts before this are expired now (the whole minute is older than the retention). */
  cutoff(now = this.clock.now()): number {
    return minuteOf(now - this.retentionMs);
  }

  /** Sweeps what expired while the engine was closed, then arms for the earliest minute left. */
  start(): Promise<void> {
    return this.#sweep();
  }

  persisted(firstMinute: number): void {
    this.#armFor(firstMinute);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  #armFor(earliest: number | undefined): void {
    if (this.#closed || earliest === undefined) return;
    // The minute [m, m + 1 min) expires once the cutoff passes it.
    const dueAt = earliest + this.retentionMs + MINUTE_MS;
    if (dueAt >= this.#dueAt) return;
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#dueAt = dueAt;
    this.#timer = this.clock.setTimeout(() => {
      this.#timer = undefined;
      this.#dueAt = Number.POSITIVE_INFINITY;
      void this.#sweep();
    }, dueAt - this.clock.now());
  }

  #sweep(): Promise<void> {
    this.#running ??= (async () => {
      try {
        const earliest = await this.store.deleteBefore(this.cutoff());
        this.#armFor(earliest);
      } catch {
        // Storage closing: the next open sweeps.
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }
}
