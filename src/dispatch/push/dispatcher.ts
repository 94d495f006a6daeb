/**
 * The push dispatcher: takes due entries from the queue (unordered), bounded overall and per
 * function, and runs {@link deliver} for each. Woken by commits, by settled deliveries and by ONE
 * engine-clock timer set to the next due time; an idle queue holds no timer that fires early and
 * no polling loop. See docs/notes/push.md for the algorithm and why it never delivers an entry
 * twice at once.
 */
import type { TimerHandle } from '../../clock.js';
import { delay } from '../../clock.js';
import type { FunctionInvoker } from '../../functions/invoker.js';
import { SEP } from '../../storage/keys.js';
import { type DeliveryDeps, deliverSafely, type FunctionConcurrencyInfo } from './delivery.js';

type BaseDeps = Omit<DeliveryDeps, 'invoker' | 'concurrency' | 'queued'>;

export class Dispatcher {
  #invoker: FunctionInvoker | undefined;
  #concurrency: FunctionConcurrencyInfo | undefined;
  readonly #inFlight = new Map<string, Promise<void>>();
  readonly #perFunction = new Map<string, number>();
  /** Due keys settled while a scan runs: its snapshot may still show them. */
  readonly #stale = new Set<string>();
  #scanning = false;
  /** Functions that may have queued entries; loaded once from the index, then kept by wake(). */
  readonly #functions = new Set<string>();
  /** Functions woken since the current pass began: never dropped from #functions by it. */
  readonly #touched = new Set<string>();
  #discovered = false;
  #round = 0;
  #scan: Promise<void> = Promise.resolve();
  #rescan = false;
  #timer: TimerHandle | undefined;
  #closed = false;

  constructor(private readonly deps: BaseDeps) {}

  /** Attaches the invoker (the function runtime) and starts dispatching. */
  attach(invoker: FunctionInvoker, concurrency?: FunctionConcurrencyInfo): void {
    this.#invoker = invoker;
    this.#concurrency = concurrency;
    this.wake();
  }

  get attached(): boolean {
    return this.#invoker !== undefined;
  }

  /** Invocations running now. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /**
   * Looks for due work now. Cheap and idempotent: calls during a scan coalesce into one rescan.
   * `functionName` names a function that just got an entry, so the scan includes it.
   */
  wake(functionName?: string): void {
    if (functionName !== undefined) {
      this.#functions.add(functionName);
      this.#touched.add(functionName);
    }
    if (this.#closed || this.#invoker === undefined) return;
    if (this.#scanning) {
      this.#rescan = true;
      return;
    }
    this.#scanning = true;
    this.#scan = this.#scanLoop();
  }

  async #scanLoop(): Promise<void> {
    try {
      if (!this.#discovered) {
        for (const name of await this.deps.store.functionsWithEntries()) this.#functions.add(name);
        this.#discovered = true;
      }
      do {
        this.#rescan = false;
        this.#stale.clear();
        this.#touched.clear();
        await this.#scanOnce();
      } while (this.#rescan && !this.#closed);
    } catch {
      // Storage closing under us (engine close): entries stay queued for the next open.
    } finally {
      // Synchronously after the last rescan check, so no wake() falls in between.
      this.#scanning = false;
    }
  }

  /**
   * One pass over the functions with queued entries, starting at a rotating offset so no
   * function always goes first: start what is due within the bounds, and note the earliest
   * future due time for the timer.
   */
  async #scanOnce(): Promise<void> {
    const { store, options, ctx } = this.deps;
    const now = ctx.clock.now();
    const names = [...this.#functions];
    const offset = names.length === 0 ? 0 : this.#round++ % names.length;
    let nextDue: number | undefined;
    const overall = Math.min(options.maxConcurrency, ctx.quotas.accountConcurrency);
    for (const name of [...names.slice(offset), ...names.slice(0, offset)]) {
      const free = overall - this.#inFlight.size;
      if (this.#closed || free <= 0) return;
      const running = this.#perFunction.get(name) ?? 0;
      const wanted = Math.min(free, this.#functionCap(name) - running);
      let seen = 0;
      if (wanted > 0) {
        // In-flight keys stay in the index until settled and sit at its head: read past them.
        const keys = await store.dueKeysFor(name, now, wanted + running + this.#stale.size);
        seen = keys.length;
        await this.#startDue(keys, wanted);
      }
      const next = await store.nextDueFor(name, now);
      if (next !== undefined && (nextDue === undefined || next < nextDue)) nextDue = next;
      const idle = seen === 0 && next === undefined && !this.#perFunction.has(name) && wanted > 0;
      if (idle && !this.#touched.has(name)) this.#functions.delete(name);
    }
    if (this.#inFlight.size < overall && !this.#closed) this.#arm(nextDue);
  }

  /**
   * How many of the function's events may run at once: the per-function bound, lowered to its
   * reserved concurrency, so the runtime never throttles an event the dispatcher itself could have
   * held back (a throttle costs the event a backoff of a second or more). Reserved concurrency 0
   * is not a cap: such events go straight to the failure path without invoking (delivery.ts).
   */
  #functionCap(functionName: string): number {
    const reserved = this.#concurrency?.reservedConcurrency(functionName);
    const perFunction = this.deps.options.maxConcurrencyPerFunction;
    return reserved === undefined || reserved === 0 ? perFunction : Math.min(perFunction, reserved);
  }

  /** Starts up to `wanted` of the listed keys, reading only the entries it starts. */
  async #startDue(keys: readonly string[], wanted: number): Promise<void> {
    // The key list is a snapshot: skip what runs now and what settled since it was taken.
    const picked = keys
      .filter((key) => !this.#stale.has(key) && !this.#inFlight.has(requestIdOf(key)))
      .slice(0, wanted);
    const entries = await this.deps.store.entriesAt(picked);
    picked.forEach((key, i) => {
      const entry = entries[i];
      if (this.#closed || !entry || this.#stale.has(key) || this.#inFlight.has(entry.requestId)) return;
      this.#start(entry.requestId, entry.functionName, key, () => this.#run(entry));
    });
  }

  #run(entry: Parameters<typeof deliverSafely>[1]): Promise<void> {
    const invoker = this.#invoker;
    if (!invoker) return Promise.resolve();
    return deliverSafely(
      { ...this.deps, invoker, concurrency: this.#concurrency, queued: (name) => this.wake(name) },
      entry,
    );
  }

  #start(requestId: string, functionName: string, dueKey: string, run: () => Promise<void>): void {
    this.#perFunction.set(functionName, (this.#perFunction.get(functionName) ?? 0) + 1);
    const task = run()
      .catch(() => {
        // deliverSafely never rejects; kept so a future change cannot leave a rejection unhandled.
      })
      .finally(() => {
        this.#inFlight.delete(requestId);
        const left = (this.#perFunction.get(functionName) ?? 1) - 1;
        if (left === 0) this.#perFunction.delete(functionName);
        else this.#perFunction.set(functionName, left);
        if (this.#scanning) this.#stale.add(dueKey);
        this.wake();
      });
    this.#inFlight.set(requestId, task);
  }

  /**
   * Resolves once no scan runs and no invocation is in flight (the timer, if any, is armed).
   * For tests and for callers that want to observe a quiet queue.
   */
  async idle(): Promise<void> {
    while (this.#scanning || this.#inFlight.size > 0) {
      await Promise.allSettled([this.#scan, ...this.#inFlight.values()]);
    }
  }

  /** Keeps ONE timer, at the earliest future due time (or none). */
  #arm(at: number | undefined): void {
    const { clock } = this.deps.ctx;
    if (this.#timer && this.#timer.dueAt === at) return;
    if (this.#timer) clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    if (at === undefined) return;
    this.#timer = clock.setTimeout(() => {
      this.#timer = undefined;
      this.wake();
    }, at - clock.now());
  }

  /**
   * Stops taking entries and waits (bounded by options.closeDrainMs on the engine clock) for
   * in-flight invocations; any still running are redelivered after the next open.
   */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) this.deps.ctx.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#scan;
    if (this.#inFlight.size === 0 || this.deps.options.closeDrainMs === 0) return;
    const abort = new AbortController();
    const bound = delay(this.deps.ctx.clock, this.deps.options.closeDrainMs, abort.signal).catch(
      () => undefined,
    );
    await Promise.race([Promise.allSettled([...this.#inFlight.values()]), bound]);
    abort.abort();
  }
}

function requestIdOf(key: string): string {
  return key.slice(key.lastIndexOf(SEP) + 1);
}
