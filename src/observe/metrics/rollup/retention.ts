/**
 * Deletes rollup minutes older than the retention, on the engine clock: at open, and after a
 * flush once the earliest stored minute has expired (no timer of its own, like the flusher),
 * each run one range delete per series. Readers ignore expired minutes at once, so a sweep
 * coming late never shows old data; it only frees the space.
 */
import type { Clock } from '../../../clock.js';
import { MINUTE_MS, minuteOf } from '../series/identity.js';
import type { PersistedListener } from './flusher.js';
import type { RollupStore } from './store.js';

export class RetentionSweeper implements PersistedListener {
  /** When the earliest stored minute expires. */
  #dueAt = Number.POSITIVE_INFINITY;
  #running: Promise<void> | undefined;
  #closing = false;

  constructor(
    private readonly clock: Clock,
    private readonly store: RollupStore,
    readonly retentionMs: number,
  ) {}

  /** Minute starts before this are expired now (the whole minute is older than the retention). */
  cutoff(now = this.clock.now()): number {
    return minuteOf(now - this.retentionMs);
  }

  /** Sweeps what expired while the engine was closed. */
  start(): Promise<void> {
    return this.#sweep();
  }

  /** After a flush: notes its earliest minute, and sweeps when something stored has expired. */
  persisted(firstMinute: number): void {
    this.#note(firstMinute);
    if (!this.#closing && this.clock.now() >= this.#dueAt) void this.#sweep();
  }

  /** Waits for a sweep under way; the flusher's last batch (on close) may have started one. */
  async close(): Promise<void> {
    await this.#running;
    this.#closing = true;
    await this.#running;
  }

  #note(earliest: number | undefined): void {
    if (earliest === undefined) return;
    // The minute [m, m + 1 min) expires once the cutoff passes it.
    this.#dueAt = Math.min(this.#dueAt, earliest + this.retentionMs + MINUTE_MS);
  }

  #sweep(): Promise<void> {
    this.#running ??= (async () => {
      try {
        this.#dueAt = Number.POSITIVE_INFINITY;
        this.#note(await this.store.deleteBefore(this.cutoff()));
      } catch {
        // Storage closing: the next open sweeps.
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }
}
