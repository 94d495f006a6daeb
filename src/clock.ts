/**
 * The injected clock. Every timer of the engine (retry backoff, batching windows, retention,
 * iterator expiry, metric periods, idle reaping) goes through a {@link Clock}, so tests can pass
 * a {@link ManualClock} and move time forward instead of waiting.
 */

/** Opaque handle returned by {@link Clock.setTimeout}. */
export interface TimerHandle {
  readonly dueAt: number;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `callback` once, `ms` milliseconds of this clock's time from now. */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The wall clock. Timers are unref'd: an idle engine never keeps its process alive. */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const handle = new SystemTimer(Date.now() + Math.max(0, ms));
    handle.arm(callback);
    return handle;
  }

  clearTimeout(handle: TimerHandle): void {
    if (handle instanceof SystemTimer) handle.cancel();
  }
}

/**
 * Node fires a timer longer than 2^31 - 1 ms after 1 ms (with a TimeoutOverflowWarning), and
 * retention periods (days) exceed that: a long delay is waited in steps, each re-armed until due.
 */
export const MAX_TIMER_STEP_MS = 2 ** 31 - 1;

class SystemTimer implements TimerHandle {
  #timer: NodeJS.Timeout | undefined;

  constructor(readonly dueAt: number) {}

  arm(callback: () => void): void {
    const left = this.dueAt - Date.now();
    this.#timer = setTimeout(
      () => (left > MAX_TIMER_STEP_MS ? this.arm(callback) : callback()),
      Math.min(Math.max(0, left), MAX_TIMER_STEP_MS),
    );
    this.#timer.unref();
  }

  cancel(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
  }
}

interface ManualTimer extends TimerHandle {
  readonly id: number;
  readonly callback: () => void;
}

/**
 * A clock that moves only when told to.
 *
 * @example
 * const clock = new ManualClock(Date.UTC(2026, 0, 1));
 * const engine = await createEngine({ clock });
 * clock.advance(60_000); // fires every timer due in the next minute, in due order
 */
export class ManualClock implements Clock {
  #now: number;
  #nextId = 0;
  #timers: ManualTimer[] = [];

  constructor(startMs: number = Date.now()) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer: ManualTimer = { id: this.#nextId++, dueAt: this.#now + Math.max(0, ms), callback };
    this.#timers.push(timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers = this.#timers.filter((t) => t !== handle);
  }

  /**
   * Moves time forward by `ms`, firing due timers in order of due time (then creation). Timers
   * that callbacks schedule inside the window fire too. Callbacks run synchronously; work they
   * start asynchronously continues after `advance` returns.
   */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`ManualClock.advance(ms) needs ms >= 0, got ${ms}`);
    const target = this.#now + ms;
    for (;;) {
      const next = this.#earliest();
      if (next === undefined || next.dueAt > target) break;
      this.#timers.splice(this.#timers.indexOf(next), 1);
      this.#now = Math.max(this.#now, next.dueAt);
      next.callback();
    }
    this.#now = target;
  }

  /** Sets the time to `ms` (which must not be in the past), firing what falls due. */
  set(ms: number): void {
    this.advance(ms - this.#now);
  }

  /** Number of timers waiting to fire. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Due time of the next timer, if any. */
  nextDueAt(): number | undefined {
    return this.#earliest()?.dueAt;
  }

  #earliest(): ManualTimer | undefined {
    let best: ManualTimer | undefined;
    for (const t of this.#timers) {
      if (!best || t.dueAt < best.dueAt || (t.dueAt === best.dueAt && t.id < best.id)) best = t;
    }
    return best;
  }
}

/**
 * Resolves after `ms` of `clock` time; rejects with the signal's reason when aborted first.
 */
export function delay(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clock.clearTimeout(handle);
      reject(signal?.reason);
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
