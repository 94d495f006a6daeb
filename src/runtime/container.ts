/**
 * One container = one worker thread running one invocation at a time. Owns the worker, its
 * private temp directory, the deadline timer (on the engine clock) and the classification of
 * how the worker died (timeout, out of memory, process.exit, uncaught error).
 */
import { randomUUID } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Worker } from 'node:worker_threads';
import type { Clock, TimerHandle } from '../clock.js';
import { deathError, logGroupName, logStreamName, workerOptions } from './container-setup.js';
import type { ContainerOptions, StopReason } from './container-types.js';
import {
  decodeResult,
  type ErrorShape,
  encodeInvoke,
  type FromWorker,
  type InvokeMessage,
  type LogLevel,
  readFromWorker,
  type SdkCallMessage,
  type SdkResultMessage,
  tmpQuotaError,
} from './protocol.js';
import { spawnWorker } from './spawn.js';
import { killWriters, TmpWatch } from './tmp-watch.js';

export type { ContainerOptions, StopReason };

import { makeTmpDir } from './tmp-dirs.js';

/**
 * Invocations a container holds queued behind the running one, at most: several while its
 * invocations are short (the queued ones then cost one wake of the worker between them, not one
 * each), one after a long one, so a slow function holds back at most one event per container.
 */
export const QUEUE_BEHIND = 8;
/** An invocation that ended within this many milliseconds (engine clock) of starting is short. */
const SHORT_MS = 10;

interface Queued {
  requestId: string;
  timeoutMs: number;
  resolve(outcome: RawOutcome): void;
  onStart(): void;
}

export interface RawOutcome {
  /** JSON text of the result. */
  payload?: string;
  error?: ErrorShape;
  memoryBytes: number;
  /** Set when the container died during the invocation. */
  died?: StopReason;
  /** Set when the container must be discarded although alive. */
  retire?: boolean;
  /** A queued invocation that never started (the container died or was retired first). */
  notStarted?: boolean;
}

export interface ContainerHooks {
  onLog(container: Container, requestId: string | undefined, level: LogLevel, message: string): void;
  onExit(container: Container, reason: StopReason): void;
  /** The worker was spawned; init is running. */
  onSpawn(container: Container): void;
  /** The function made a `lambdalite/sdk` call; answer it with `container.reply`. */
  onSdk?(container: Container, call: SdkCallMessage): void;
}

export class Container {
  readonly id = randomUUID();
  readonly logGroupName: string;
  initDurationMs = 0;
  /** How long it took to start, on the engine clock (the runtime paces cold starts by it). */
  startMs = 0;
  initError: ErrorShape | undefined;
  #state: 'starting' | 'idle' | 'busy' | 'dead' = 'starting';
  readonly #worker: Worker;
  #pending: { requestId: string; resolve(outcome: RawOutcome): void } | undefined;
  /**
   * The invocations queued behind the running one ({@link Container.queue}), oldest first: posted
   * to the worker, which starts each the moment the one before ends. A deadline starts then.
   */
  readonly #queued: Queued[] = [];
  /** Queued invocations not yet posted: sent together once the current I/O phase is over. */
  #outbox: string[] = [];
  readonly #flush = (): void => {
    const outbox = this.#outbox;
    this.#outbox = [];
    if (this.#state === 'dead' || outbox.length === 0) return;
    this.#worker.postMessage(outbox.length === 1 ? outbox[0] : outbox);
  };
  #deadline: TimerHandle | undefined;
  /** When the running invocation started, and how long the one before it took (engine clock, ms). */
  #startedAt = 0;
  #lastMs = Number.POSITIVE_INFINITY;
  /**
   * Made once: a warm invoke allocates no closure for its deadline. The event loop runs due
   * timers before it reads messages, so after the main thread was held up (many workers starting
   * on few cores) a deadline can fire while the answer that beat it waits unread in the port: the
   * verdict waits for the port to be read ({@link afterMessages}).
   */
  readonly #onDeadline = (): void => {
    this.#deadline = undefined;
    const pending = this.#pending;
    afterMessages(() => {
      if (pending !== undefined && this.#pending === pending) void this.stop('timeout');
    });
  };
  #fatal: ErrorShape | undefined;
  /** The worker reported its memory over the limit (it exits right after). */
  #memoryOver = false;
  /** /tmp usage the engine's check found over the quota. */
  #tmpOver: number | undefined;
  readonly #tmpWatch: TmpWatch;
  #workerError: (Error & { code?: string }) | undefined;
  #stopReason: StopReason | undefined;
  readonly #exited: Promise<void>;
  #tmpFd: number | undefined;

  private constructor(
    readonly options: ContainerOptions,
    readonly tmpDir: string,
    readonly logStreamName: string,
    worker: Worker,
    private readonly clock: Clock,
    private readonly hooks: ContainerHooks,
    tmpTouched: Int32Array,
  ) {
    this.logGroupName = logGroupName(options.functionName);
    this.#worker = worker;
    this.#tmpWatch = new TmpWatch(
      tmpDir,
      options.tmpMb * 1024 * 1024,
      () => this.#state === 'busy' && this.alive,
      (bytes) => void this.#overTmp(bytes),
      // Nothing to scan while the worker has used no way of writing there (worker-tmp.ts).
      () => Atomics.load(tmpTouched, 0) !== 0,
    );
    // Output that bypasses the console capture (native writes) still lands in the log.
    worker.stdout.on('data', (chunk: Buffer) => this.#log('INFO', chunk));
    worker.stderr.on('data', (chunk: Buffer) => this.#log('ERROR', chunk));
    worker.on('error', (err) => {
      this.#workerError = err;
    });
    this.#exited = new Promise((resolve) => worker.once('exit', (code) => resolve(this.#onExit(code))));
  }

  get state(): string {
    return this.#state;
  }

  /** Why the container died, once it has. */
  get stopReason(): StopReason | undefined {
    return this.#state === 'dead' ? this.#deathReason() : undefined;
  }

  /** False once dead or asked to stop. */
  get alive(): boolean {
    return this.#state !== 'dead' && this.#stopReason === undefined;
  }

  /**
   * Spawns the worker and waits for init (module load); `initError` is set when it failed. Init
   * that outlives `initTimeoutMs` of engine-clock time is killed (reason 'timeout').
   */
  static async start(
    options: ContainerOptions,
    clock: Clock,
    hooks: ContainerHooks,
    initTimeoutMs: number,
  ): Promise<Container> {
    // Synchronous: a mkdir and an open cost less than two thread-pool hops on a busy machine.
    const tmp = makeTmpDir();
    // Held for the worker's /tmp check (fstat is cheaper than a stat by path); closed at exit.
    const tmpFd = openDirectory(tmp);
    const stream = logStreamName(clock.now());
    const spawnedAt = performance.now();
    const spawnedOnClock = clock.now();
    const tmpTouched = new SharedArrayBuffer(4);
    let worker: Worker;
    try {
      worker = spawnWorker(workerOptions(options, tmp, stream, tmpFd, tmpTouched));
    } catch (err) {
      if (tmpFd !== undefined) closeQuietly(tmpFd);
      throw err;
    }
    const container = new Container(options, tmp, stream, worker, clock, hooks, new Int32Array(tmpTouched));
    container.#tmpFd = tmpFd;
    // Judged once the port has been read, like an invocation's deadline (#onDeadline): a `ready`
    // already waiting there wins. Killed otherwise, and never handed an invocation (#ready).
    const initDeadline = clock.setTimeout(
      () =>
        afterMessages(() => {
          if (container.#state === 'starting') void container.stop('timeout');
        }),
      initTimeoutMs,
    );
    hooks.onSpawn(container);
    await container.#ready();
    clock.clearTimeout(initDeadline);
    // Lambda's Init Duration covers starting the runtime as well as loading the module.
    container.initDurationMs = performance.now() - spawnedAt;
    container.startMs = clock.now() - spawnedOnClock;
    return container;
  }

  #ready(): Promise<void> {
    let answered = false;
    return new Promise((resolve) => {
      const onReady = (raw: unknown): void => {
        const message = readFromWorker(raw);
        if (typeof message === 'object' && (message.type === 'ready' || message.type === 'initError')) {
          answered = true;
          if (message.type === 'initError') this.initError = message.error;
          // Asked to stop while it started (its init deadline, the engine's close): the worker is
          // going, so the invocation waiting for it gets the reason, never a dead container.
          else if (this.#stopReason !== undefined)
            this.initError = deathError('', this.#stopReason, 1, this.options.memoryMb, this.#workerError);
          this.#state = 'idle';
          this.#worker.off('message', onReady);
          this.#worker.on('message', (m: unknown) => this.#onMessage(m));
          resolve();
        } else {
          this.#onMessage(raw);
        }
      };
      this.#worker.on('message', onReady);
      void this.#exited.then(() => {
        // The worker died during init (e.g. the module called process.exit or ran out of memory).
        if (!answered) {
          const reason = this.#deathReason();
          this.initError = this.#fatal ?? deathError('', reason, 1, this.options.memoryMb, this.#workerError);
        }
        resolve();
      });
    });
  }

  #log(level: LogLevel, chunk: Buffer): void {
    const text = chunk.toString('utf8').replace(/\n$/, '');
    if (text) this.hooks.onLog(this, this.#pending?.requestId, level, text);
  }

  /** Anything the worker posts; the code can post on the same port, so the shape is checked first. */
  #onMessage(raw: unknown): void {
    const message: FromWorker | undefined = readFromWorker(raw);
    if (message === undefined) return;
    if (typeof message === 'string') {
      // A successful result, the warm path (see protocol.ts).
      const pending = this.#pending;
      const outcome = pending && decodeResult(message, pending.requestId);
      if (!pending || !outcome) return;
      const next = this.#finish();
      pending.resolve(outcome);
      if (next) queueMicrotask(next);
      return;
    }
    switch (message.type) {
      case 'log':
        this.hooks.onLog(this, message.requestId, message.level, message.message);
        return;
      case 'fatal':
        this.#fatal = message.error;
        return;
      case 'sdk':
        this.hooks.onSdk?.(this, message);
        return;
      case 'memory':
        this.#memoryOver = true;
        void this.stop('out-of-memory');
        return;
      case 'result': {
        const pending = this.#pending;
        if (!pending || pending.requestId !== message.requestId) return;
        // A retired container starts nothing more: what was queued behind goes elsewhere.
        if (message.retire) this.#unqueue();
        const next = this.#finish();
        // The message carries the outcome's fields (payload, error, memoryBytes, retire).
        pending.resolve(message);
        if (next) queueMicrotask(next);
        return;
      }
      default:
        return;
    }
  }

  /** Runs one invocation; never rejects: faults become an outcome with `died` set. */
  invoke(message: InvokeMessage, timeoutMs: number): Promise<RawOutcome> {
    if (this.#state !== 'idle') throw new Error(`container ${this.id} is ${this.#state}, not idle`);
    this.#state = 'busy';
    return new Promise((resolve) => {
      this.#pending = { requestId: message.requestId, resolve };
      // Posted first: the deadline's timer is set while the worker wakes up.
      this.#worker.postMessage(encodeInvoke(message));
      this.#startedAt = this.clock.now();
      this.#deadline = this.clock.setTimeout(this.#onDeadline, timeoutMs);
      this.#tmpWatch.start();
    });
  }

  /** The engine's /tmp check found the quota passed while an invocation ran. */
  async #overTmp(bytes: number): Promise<void> {
    if (!this.alive) return;
    this.#tmpOver = bytes;
    // First the child processes writing there: a worker blocked in spawnSync ends only then.
    await killWriters(this.tmpDir);
    await this.stop('tmp-quota');
  }

  /**
   * Queues one invocation behind the running one, posted now so the worker starts it without
   * waiting for the engine. Only while busy with nothing queued ({@link Container.canQueue}).
   * Resolves like {@link Container.invoke}, or with `notStarted` when the container died or was
   * retired before starting it: the caller runs it elsewhere. `onStart` is called once it starts
   * (after the previous invocation's outcome has been delivered, so logs keep their order).
   */
  queue(message: InvokeMessage, timeoutMs: number, onStart: () => void): Promise<RawOutcome> {
    if (!this.canQueue) throw new Error(`container ${this.id} cannot queue an invocation`);
    return new Promise((resolve) => {
      this.#queued.push({ requestId: message.requestId, timeoutMs, resolve, onStart });
      // One message wakes the worker for all the invocations queued in this phase.
      if (this.#outbox.push(encodeInvoke(message)) === 1) setImmediate(this.#flush);
    });
  }

  /** Busy, alive, and room behind the running invocation. */
  get canQueue(): boolean {
    return this.#state === 'busy' && this.#queued.length < this.room && this.alive;
  }

  /** How many may wait behind the running invocation (see {@link QUEUE_BEHIND}). */
  get room(): number {
    return this.#lastMs < SHORT_MS ? QUEUE_BEHIND : 1;
  }

  /** Invocations queued behind the running one. */
  get queued(): number {
    return this.#queued.length;
  }

  /**
   * Engine-clock estimate of how long an invocation queued behind now would wait to start: the
   * running one and each queued one take as long as the last one did, or as long as the running
   * one has taken so far when that is longer (a call that outlives its predecessor says more).
   */
  waitEstimate(now: number): number {
    return (this.#queued.length + 1) * this.perCallMs(now);
  }

  /** The engine-clock time one invocation takes here, as {@link Container.waitEstimate} counts it. */
  perCallMs(now: number): number {
    const last = Number.isFinite(this.#lastMs) ? this.#lastMs : 0;
    return Math.max(last, now - this.#startedAt);
  }

  /** Whether an invocation has ended here yet (before that, its pace is unknown). */
  get paced(): boolean {
    return Number.isFinite(this.#lastMs);
  }

  /**
   * The running invocation ended: the queued one, if any (the worker starts it now), becomes
   * current with its deadline running; its `onStart` is returned for the caller to schedule.
   */
  #finish(): (() => void) | undefined {
    if (this.#deadline) this.clock.clearTimeout(this.#deadline);
    this.#deadline = undefined;
    const now = this.clock.now();
    if (this.#pending) this.#lastMs = now - this.#startedAt;
    this.#pending = undefined;
    const queued = this.#state === 'dead' ? undefined : this.#queued.shift();
    if (queued === undefined) {
      if (this.#state !== 'dead') this.#state = 'idle';
      return undefined;
    }
    this.#pending = { requestId: queued.requestId, resolve: queued.resolve };
    this.#startedAt = now;
    this.#deadline = this.clock.setTimeout(this.#onDeadline, queued.timeoutMs);
    return queued.onStart;
  }

  /** Hands the queued invocations back unstarted. */
  #unqueue(): void {
    this.#outbox = [];
    for (const queued of this.#queued.splice(0)) queued.resolve({ memoryBytes: 0, notStarted: true });
  }

  #deathReason(): StopReason {
    if (this.#stopReason) return this.#stopReason;
    if (this.#memoryOver) return 'out-of-memory';
    if (this.#workerError?.code === 'ERR_WORKER_OUT_OF_MEMORY') return 'out-of-memory';
    if (this.#fatal || this.#workerError) return 'crash';
    return 'exit';
  }

  async #onExit(code: number): Promise<void> {
    const reason = this.#deathReason();
    this.#state = 'dead';
    this.#tmpWatch.stop();
    const pending = this.#pending;
    this.#unqueue();
    this.#finish();
    if (this.#tmpFd !== undefined) closeQuietly(this.#tmpFd);
    this.#tmpFd = undefined;
    await rm(this.tmpDir, { recursive: true, force: true }).catch(() => undefined);
    if (pending) {
      pending.resolve({
        error:
          this.#fatal ??
          (this.#tmpOver === undefined
            ? deathError(pending.requestId, reason, code, this.options.memoryMb, this.#workerError)
            : tmpQuotaError(this.#tmpOver, this.options.tmpMb * 1024 * 1024)),
        memoryBytes: reason === 'out-of-memory' ? this.options.memoryMb * 1024 * 1024 : 0,
        died: reason,
      });
    }
    this.hooks.onExit(this, reason);
  }

  /** Answers a `lambdalite/sdk` call (dropped once the container is dead). */
  reply(message: SdkResultMessage): void {
    if (this.#state !== 'dead') this.#worker.postMessage(message);
  }

  /** Terminates the worker and removes its temp directory; resolves once both are done. */
  async stop(reason: StopReason): Promise<void> {
    if (this.#state !== 'dead' && this.#stopReason === undefined) {
      this.#stopReason = reason;
      await this.#worker.terminate();
    }
    await this.#exited;
  }
}

/**
 * Runs `fn` once the event loop has read what the workers posted until now: after one whole poll
 * phase (where ports are read), so two `setImmediate`s (called during a poll phase, the first
 * runs before the next one). One turn of the loop, never a wait on the clock.
 */
function afterMessages(fn: () => void): void {
  setImmediate(() => setImmediate(fn));
}

/** A read descriptor of a directory (synchronous: one syscall, no thread-pool hop on cold start). */
function openDirectory(path: string): number | undefined {
  try {
    return openSync(path, 'r');
  } catch {
    return undefined;
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already closed (by the function's code): nothing to release.
  }
}
