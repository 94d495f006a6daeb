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
import type { StorageSnapshot } from '../../storage/storage.js';
import { DeliveryInvoker } from './calls.js';
import { type DeliveryDeps, deliverSafely, type FunctionConcurrencyInfo } from './delivery.js';
import { ReadyEntries } from './ready.js';
import { QueueStore } from './store.js';
import type { QueueEntry } from './types.js';

/**
 * Entries read ahead per function: a multiple of its concurrency cap, but at least
 * {@link MIN_READ_AHEAD}, so a small cap still drains a backlog in few reads (each read is two
 * thread-pool round trips; with a read-ahead of a few entries they set the pace).
 */
const READ_AHEAD = 4;
const MIN_READ_AHEAD = 32;
/** Keys read past `now` to find the next due time of an entry that is only in storage. */
const LATER_KEYS = 16;
/** Larger payloads are always left to the scans ({@link Dispatcher.offer}). */
const OFFER_MAX_BYTES = 64 * 1024;

/** What the dispatcher is built with: the delivery's collaborators, the runtime among them. */
export type DispatcherDeps = Omit<DeliveryDeps, 'queued' | 'store'> & { readonly store: QueueStore };

export class Dispatcher {
  readonly #invoker: FunctionInvoker;
  readonly #concurrency: FunctionConcurrencyInfo | undefined;
  #started = false;
  readonly #inFlight = new Map<string, Promise<void>>();
  /** Entries in flight per function, from start until their outcome is written. */
  readonly #perFunction = new Map<string, number>();
  /**
   * Invocations running per function: a slot is taken at start and given back as soon as the
   * runtime answers, so the next event's invocation overlaps the previous one's settle write
   * (the container would otherwise idle through it).
   */
  readonly #invoking = new Map<string, number>();
  #invokingTotal = 0;
  /**
   * Due entries read ahead or handed over (ready.ts), started the moment a slot frees, without a
   * read on that path. Only this dispatcher changes queue entries, so a waiting entry stays
   * current until it runs; its key stays in the index and scans skip it.
   */
  readonly #ready = new ReadyEntries();
  /** Due keys settled while a scan runs: its snapshot may still show them. */
  readonly #stale = new Set<string>();
  #scanning = false;
  /** Functions that may have queued entries; loaded once from the index, then kept by wake(). */
  readonly #functions = new Set<string>();
  /** Functions woken since the current pass began: never dropped from #functions by it. */
  readonly #touched = new Set<string>();
  #discovered = false;
  /**
   * Functions that may have due entries only in storage (see #markBacklog): offers are refused
   * while set, so stored entries are read in due order first and never starve behind fresh ones.
   * Cleared by a scan that read every due key of the function with no mark meanwhile.
   */
  readonly #backlog = new Set<string>();
  /** Per function, the earliest due time of an entry scheduled for later (a retry), as scans saw it. */
  readonly #later = new Map<string, number>();
  /** Backlog marks per function: a scan compares the count before and after. */
  readonly #marks = new Map<string, number>();
  #round = 0;
  #scan: Promise<void> = Promise.resolve();
  #rescan = false;
  #timer: TimerHandle | undefined;
  #closed = false;

  /** The invoker deliveries call, and what every delivery is given. */
  readonly #calls: DeliveryInvoker;
  readonly #delivery: DeliveryDeps;
  private readonly deps: DispatcherDeps;

  constructor(deps: DispatcherDeps) {
    this.deps = deps;
    this.#invoker = deps.invoker;
    this.#concurrency = deps.concurrency;
    this.#calls = new DeliveryInvoker(deps.invoker, (name) => this.#functionCap(name));
    this.#delivery = { ...deps, invoker: this.#calls, queued: (name) => this.wake(name) };
  }

  /**
   * Entries stored before {@link start}: read once, from a snapshot taken there, so the first
   * pass finds exactly those. Reading the live queue instead would also list entries queued and
   * handed over after start, and mark their function's backlog for nothing: under steady traffic
   * every offer is then refused and every event goes through the scans.
   */
  #atStart: StorageSnapshot | undefined;

  /** Starts dispatching (entries queued before wait until then). */
  start(): void {
    this.#started = true;
    this.#atStart = this.deps.store.snapshot();
    this.wake();
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
      // It got an entry that is only in storage: read it before taking fresh ones in memory.
      this.#markBacklog(functionName);
    }
    if (this.#closed || !this.#started) return;
    // Every slot of the function busy and its read-ahead full: the next release rescans anyway.
    if (functionName !== undefined && this.#saturated(functionName)) return;
    if (this.#scanning) {
      this.#rescan = true;
      return;
    }
    this.#scanning = true;
    this.#scan = this.#scanLoop();
  }

  /** Functions with entries stored before start (see {@link Dispatcher.#atStart}). */
  async #storedAtStart(): Promise<string[]> {
    const snapshot = this.#atStart;
    try {
      return await this.deps.store.functionsWithEntries(snapshot);
    } finally {
      this.#atStart = undefined;
      await snapshot?.close();
    }
  }

  /**
   * Hands over an entry whose batch just committed, due now, so it runs without a read: kept in
   * the read-ahead (within options.handOverBytes) and started if a slot is free. Refused
   * (left to the scans, which find it in storage) while the function has a backlog, when the
   * budget is spent, or when the payload is over {@link OFFER_MAX_BYTES}. `payloadJson`: the
   * payload's JSON text, sent to the function as is (no second serialisation).
   */
  offer(entry: QueueEntry, payloadJson: string): void {
    const bytes = payloadJson.length;
    const name = entry.functionName;
    const id = entry.requestId;
    // A scan that read the key after the commit may have taken the entry already.
    if (this.#ready.holds(id) || this.#inFlight.has(id)) return;
    if (
      this.#closed ||
      !this.#started ||
      bytes > OFFER_MAX_BYTES ||
      this.#backlog.has(name) ||
      this.#ready.bytes + bytes > this.deps.options.handOverBytes ||
      entry.nextAttemptAt > this.deps.ctx.clock.now()
    ) {
      this.wake(name);
      return;
    }
    this.#functions.add(name);
    this.#touched.add(name);
    this.#ready.add(name, { key: QueueStore.key(entry), entry, bytes, payloadJson });
    this.#startReady(name, this.#functionCap(name));
  }

  async #scanLoop(): Promise<void> {
    try {
      if (!this.#discovered) {
        for (const name of await this.#storedAtStart()) {
          this.#functions.add(name);
          this.#markBacklog(name);
        }
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
    const { store, ctx } = this.deps;
    const now = ctx.clock.now();
    const names = [...this.#functions];
    const offset = names.length === 0 ? 0 : this.#round++ % names.length;
    let nextDue: number | undefined;
    const overall = this.#overall();
    for (const name of [...names.slice(offset), ...names.slice(0, offset)]) {
      // Settling entries hold no slot, but are bounded too (as many again as the slots).
      const depth = this.#depth();
      const free = Math.min(
        depth * overall - this.#invokingTotal,
        this.#inFlightBound() - this.#inFlight.size,
      );
      if (this.#closed || free <= 0) return;
      const cap = this.#functionCap(name);
      let wanted = Math.min(free, this.#depthFor(name) * cap - (this.#invoking.get(name) ?? 0));
      if (wanted > 0) wanted -= this.#startReady(name, wanted);
      const buffered = this.#ready.count(name);
      const readAhead = Math.max(0, readAheadFor(cap) - buffered);
      let seen = 0;
      if (wanted > 0 || readAhead > 0) {
        const marks = this.#marks.get(name) ?? 0;
        // In-flight and read-ahead keys stay in the index until settled and sit at its head.
        const running = this.#perFunction.get(name) ?? 0;
        const limit = wanted + readAhead + running + buffered + this.#stale.size;
        const keys = await store.dueKeysFor(name, now, limit);
        seen = keys.length;
        const all = await this.#startDue(name, keys, Math.max(0, wanted), readAhead);
        this.#noteBacklog(name, all && seen < limit, marks);
      }
      const busy = this.#perFunction.has(name) || this.#ready.count(name) > 0;
      // A busy function is scanned again when its work settles, so its next future due time is
      // read then (the timer matters only once nothing of it runs): one read less per pass.
      if (busy) continue;
      const next = await this.#nextDue(name, now);
      if (next !== undefined && (nextDue === undefined || next < nextDue)) nextDue = next;
      if (next !== undefined) this.#later.set(name, Math.min(next, this.#later.get(name) ?? next));
      const idle = seen === 0 && next === undefined && wanted > 0;
      if (idle && !this.#touched.has(name)) this.#functions.delete(name);
    }
    if (this.#invokingTotal < overall && !this.#closed) this.#arm(nextDue);
  }

  /**
   * The earliest due time after `now` of an entry of the function that is only in storage. An
   * entry handed over after this pass began may show as due later than its `now`; it is in
   * memory already, so it is skipped (if every key read is known, the last one's time is taken:
   * a timer then at worst rescans).
   */
  async #nextDue(name: string, now: number): Promise<number | undefined> {
    const keys = await this.deps.store.laterKeysFor(name, now, LATER_KEYS);
    const unknown = keys.find(
      (key) => !this.#ready.holds(requestIdOf(key)) && !this.#inFlight.has(requestIdOf(key)),
    );
    const key = unknown ?? (keys.length === LATER_KEYS ? keys.at(-1) : undefined);
    return key === undefined ? undefined : QueueStore.dueOf(key);
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

  /**
   * The function has entries only in storage (an offer was refused, an entry was written without
   * one, a retry fell due, or they predate this open): offers are refused until a scan has read
   * them all ({@link Dispatcher.offer}).
   */
  #markBacklog(name: string): void {
    this.#backlog.add(name);
    this.#marks.set(name, (this.#marks.get(name) ?? 0) + 1);
  }

  /**
   * After a scan of the function: `complete` when it read every due key and took every entry it
   * did not know. Its backlog ends only then and if nothing marked it since `marks` was read
   * (an entry written meanwhile may be missing from the scan's snapshot: scan again for it).
   */
  #noteBacklog(name: string, complete: boolean, marks: number): void {
    if (!complete || !this.#backlog.has(name)) return;
    if ((this.#marks.get(name) ?? 0) === marks) this.#backlog.delete(name);
    else this.#rescan = true;
  }

  /**
   * Starts up to `wanted` of the listed keys and keeps up to `readAhead` more ready, reading only
   * those entries. The key list is a snapshot: skip what runs, what is ready, what settled since.
   * True when every listed key not known yet was taken.
   */
  async #startDue(
    name: string,
    keys: readonly string[],
    wanted: number,
    readAhead: number,
  ): Promise<boolean> {
    const known = (key: string): boolean => {
      const id = requestIdOf(key);
      return this.#stale.has(key) || this.#inFlight.has(id) || this.#ready.holds(id);
    };
    const unknown = keys.filter((key) => !known(key));
    const picked = unknown.slice(0, wanted + readAhead);
    if (picked.length === 0) return unknown.length === 0;
    const entries = await this.deps.store.entriesAt(picked);
    picked.forEach((key, i) => {
      const entry = entries[i];
      if (this.#closed || !entry || known(key)) return;
      this.#ready.add(name, { key, entry, bytes: 0 });
    });
    this.#startReady(name, wanted);
    return picked.length === unknown.length && !this.#closed;
  }

  #saturated(name: string): boolean {
    const cap = this.#functionCap(name);
    return (this.#invoking.get(name) ?? 0) >= this.#depthFor(name) * cap && this.#ready.count(name) >= cap;
  }

  /** Enough read ahead that a release need not trigger a scan (half the read-ahead is left). */
  #stocked(name: string): boolean {
    return this.#ready.count(name) >= readAheadFor(this.#functionCap(name)) / 2;
  }

  /**
   * True when one more invocation of the function fits every bound: a slot of its own, or (when
   * the invoker can queue behind a busy container) a place behind one of the running
   * invocations, so the container starts it the moment the current one ends.
   */
  #slotFree(name: string): boolean {
    const overall = this.#overall();
    const invoking = this.#invoking.get(name) ?? 0;
    const cap = this.#functionCap(name);
    if (this.#inFlight.size >= this.#inFlightBound()) return false;
    if (invoking < cap && this.#invokingTotal < overall) return true;
    return invoking < this.#depthFor(name) * cap && this.#invokingTotal < this.#depth() * overall;
  }

  /** Invocations per slot of this function now: fewer behind a function whose invocations are long. */
  #depthFor(name: string): number {
    const invoker = this.#invoker;
    if (invoker?.queuesBehind === undefined) return 1;
    return 1 + (invoker.roomBehind?.(name) ?? invoker.queuesBehind);
  }

  /** Invocations per slot at most, for any function: 1 and the most the invoker queues behind one. */
  #depth(): number {
    return 1 + (this.#invoker.queuesBehind ?? 0);
  }

  /** Entries in flight at most: the invocations, and as many again settling as there are slots. */
  #inFlightBound(): number {
    return (this.#depth() + 1) * this.#overall();
  }

  #overall(): number {
    return Math.min(this.deps.options.maxConcurrency, this.deps.ctx.quotas.accountConcurrency);
  }

  /** Starts up to `count` read-ahead entries of the function; returns how many it started. */
  #startReady(name: string, count: number): number {
    // Nothing new starts once the engine is closing (the runtime may already be stopped).
    const status = this.deps.ctx.lifecycle.status;
    if (status === 'closing' || status === 'closed') return 0;
    let started = 0;
    while (started < count && !this.#closed && this.#ready.count(name) > 0 && this.#slotFree(name)) {
      const next = this.#ready.take(name);
      if (!next) break;
      const { entry, key, payloadJson } = next;
      this.#start(entry.requestId, name, key, (release) => this.#run(entry, release, payloadJson));
      started++;
    }
    return started;
  }

  #run(
    entry: Parameters<typeof deliverSafely>[1],
    release: () => void,
    payloadJson: string | undefined,
  ): Promise<boolean> {
    this.#calls.hold(entry.requestId, release);
    return deliverSafely(this.#delivery, entry, payloadJson);
  }

  #start(
    requestId: string,
    functionName: string,
    dueKey: string,
    run: (release: () => void) => Promise<boolean>,
  ): void {
    this.#perFunction.set(functionName, (this.#perFunction.get(functionName) ?? 0) + 1);
    this.#invoking.set(functionName, (this.#invoking.get(functionName) ?? 0) + 1);
    this.#invokingTotal++;
    let held = true;
    const release = (): void => {
      if (!held) return;
      held = false;
      const left = (this.#invoking.get(functionName) ?? 1) - 1;
      if (left === 0) this.#invoking.delete(functionName);
      else this.#invoking.set(functionName, left);
      this.#invokingTotal--;
      // The freed slot goes straight to a read-ahead entry of the same function, unless slots are
      // scarce overall: then the round-robin scan decides who gets it (no function starves).
      const reused =
        this.#invokingTotal + 1 < this.#depth() * this.#overall() && this.#startReady(functionName, 1) > 0;
      // A scan reads only for functions with entries that are only in storage (a backlog): without
      // one, every due entry is in memory already (handed over, see offer) and a scan would read
      // back keys it holds, for nothing. So a low read-ahead is refilled only from a backlog, and
      // a slot this function did not reuse goes to the scan only if someone could take it.
      const wanted = reused
        ? this.#backlog.has(functionName) && !this.#stocked(functionName)
        : this.#ready.size > 0 || this.#backlog.size > 0;
      if (wanted) this.wake();
    };
    const task = run(release)
      // deliverSafely never rejects; kept so a future change cannot leave a rejection unhandled.
      .catch(() => false)
      .then((written) => {
        release();
        this.#inFlight.delete(requestId);
        this.#calls.forget(requestId);
        const left = (this.#perFunction.get(functionName) ?? 1) - 1;
        if (left === 0) this.#perFunction.delete(functionName);
        else this.#perFunction.set(functionName, left);
        if (this.#scanning) this.#stale.add(dueKey);
        // The slot was given back (and woke a scan) when the runtime answered; rescan now only
        // if this was the function's last entry (its next due time is read then) or the bound
        // on settling entries held work back.
        // An entry whose outcome could not be written is due again and only in storage now.
        if (!written) this.wake(functionName);
        else if (left === 0 || this.#inFlight.size + 1 >= this.#inFlightBound()) this.wake();
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
      // Entries scheduled for later fell due; they are only in storage.
      const now = clock.now();
      for (const [name, due] of this.#later) {
        if (due > now) continue;
        this.#later.delete(name);
        this.#markBacklog(name);
      }
      this.wake();
    }, at - clock.now());
  }

  /**
   * Stops taking entries and waits (bounded by options.closeDrainMs on the engine clock) for
   * in-flight invocations; any still running are redelivered after the next open.
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.#ready.clear();
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

function readAheadFor(cap: number): number {
  return Math.max(READ_AHEAD * cap, MIN_READ_AHEAD);
}

function requestIdOf(key: string): string {
  return key.slice(key.lastIndexOf(SEP) + 1);
}
