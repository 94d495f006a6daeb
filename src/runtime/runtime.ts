/**
 * The function runtime: implements {@link FunctionInvoker} over a {@link ContainerPool}. One
 * invocation = acquire a slot (or throttle), take a warm container or start one, run, turn the
 * raw outcome into Lambda's (error shapes, timeout message), write START / END / REPORT lines,
 * emit events, give the container back.
 */

import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import type { TimerHandle } from '../clock.js';
import type { EngineContext } from '../context.js';
import { fail, isLambdaliteError, type Verdict } from '../errors.js';
import { ensureUnpacked } from '../functions/code.js';
import type { FunctionInvoker, InvocationOutcome, InvocationRequest } from '../functions/invoker.js';
import type { FunctionRegistry } from '../functions/registry.js';
import type { FunctionConfiguration } from '../functions/types.js';
import { Container, type ContainerHooks, QUEUE_BEHIND, type RawOutcome } from './container.js';
import type { RuntimeEventMap } from './events.js';
import type { KinesisBatchCarrier } from './kinesis-event.js';
import { LineFormat, TEXT_FORMAT } from './log-format.js';
import { billedMs, type ReportFigures, tail, timeoutMessage } from './log-lines.js';
import type { InvocationListener, LogSink, LogStreamWriter, PrintedLineListener } from './log-sink.js';
import { ContainerPool } from './pool.js';
import type { ErrorShape, LogLevel, SdkCallMessage } from './protocol.js';
import { responseTooLarge } from './response-size.js';
import { codeMentionsSdk } from './sdk/scan.js';
import { pruneStaleTmpDirs } from './tmp-dirs.js';

/** A log line's own fields; the container adds function, group and stream. */
type LogLinePayload = Omit<
  RuntimeEventMap['function.log'],
  'functionName' | 'logGroupName' | 'logStreamName'
>;

/** What the runtime asks the rest of the engine (IAM-checked), wired by the engine. */
export interface RuntimeHost {
  /** Runs one `lambdalite/sdk` call of a function, checked against its execution role. */
  sdkCall(config: FunctionConfiguration, service: string, method: string, args: unknown[]): Promise<unknown>;
  /** Whether the execution role may write the function's logs (why not, if not). */
  logsAccess(config: FunctionConfiguration): Promise<Verdict>;
}

/** How one container's lines are written: its format, and its stream when logs are stored. */
interface ContainerLog {
  readonly format: LineFormat;
  /** Undefined when the role may not write logs or the engine stores none. */
  readonly writer: LogStreamWriter | undefined;
}

export interface RunOptions {
  /** Collect the invocation's lines and return their last 4 KB in `logResult`. */
  tail?: boolean;
  /** The configuration the caller has just read (saves a second lookup). */
  config?: FunctionConfiguration;
}

export interface RunResult extends InvocationOutcome {
  logResult?: string;
}

const MiB = 1024 * 1024;
/** Cold start assumed before any was measured (a worker thread's start plus a small module). */
const DEFAULT_START_MS = 100;
/** Lambda's limit on the init phase (module load), unless the function's timeout is longer. */
const INIT_TIMEOUT_MS = 10_000;

export class FunctionRuntime implements FunctionInvoker {
  readonly #pool: ContainerPool;
  /** Lines of invocations whose caller asked for Tail, by request id. */
  readonly #tails = new Map<string, string[]>();
  #linesBuilt = 0;
  /** Callers waiting for a container of the function to become able to queue (see #runBehind). */
  readonly #changes = new Map<string, Array<() => void>>();
  /** When each function's last container came up (engine clock), and the pacing's wake-ups. */
  readonly #startedAt = new Map<string, number>();
  readonly #growTimers = new Map<string, TimerHandle>();
  /** Containers being started (from the slot to the end of init), per function and in all. */
  readonly #starting = new Map<string, number>();
  #startingTotal = 0;
  /** Containers the pacing lets start at once, all functions together (see #runBehind). */
  readonly #maxStarting = Math.max(2, availableParallelism());
  /** Cold start of each function's last container started without an init error (engine clock, ms). */
  readonly #startMs = new Map<string, number>();
  /** Of any function: the guess for a function with none measured yet. */
  #lastStartMs = DEFAULT_START_MS;
  readonly #hooks: ContainerHooks;
  /** Per container (weak: its last lines are written after it exited). */
  readonly #logs = new WeakMap<Container, ContainerLog>();
  readonly #host: RuntimeHost;
  /** Removal of containers' /tmp left by processes killed outright (see tmp-dirs.ts). */
  readonly #pruned: Promise<unknown>;

  constructor(
    private readonly ctx: EngineContext,
    private readonly registry: FunctionRegistry,
    host: RuntimeHost,
    private readonly logSink?: LogSink,
    private readonly printed?: PrintedLineListener,
    private readonly invocations?: InvocationListener,
  ) {
    this.#host = host;
    this.#pruned = pruneStaleTmpDirs();
    this.#pool = new ContainerPool(ctx.clock, {
      accountConcurrency: ctx.quotas.accountConcurrency,
      idleMs: ctx.quotas.containerIdleSec * 1000,
    });
    this.#hooks = {
      onLog: (container, requestId, level, message) => this.#userLog(container, requestId, level, message),
      onSpawn: (container) => {
        // Adopted while init runs, so close() reaches containers that are still starting.
        this.#pool.adopt(container);
        this.#openLog(container);
        ctx.events.emit('function.container.spawned', {
          functionName: container.options.functionName,
          containerId: container.id,
        });
      },
      onSdk: (container, call) => void this.#sdkCall(container, call),
      onExit: (container, reason) => {
        this.#pool.forget(container);
        this.#changed(container.options.functionName);
        ctx.events.emit('function.container.stopped', {
          functionName: container.options.functionName,
          containerId: container.id,
          reason,
        });
      },
    };
  }

  /** Before init runs, so output printed while the module loads has its stream. */
  #openLog(container: Container): void {
    const { loggingConfig, logsAllowed, functionName } = container.options;
    const format = loggingConfig ? new LineFormat(loggingConfig) : TEXT_FORMAT;
    const writer =
      logsAllowed === false ? undefined : this.logSink?.open(container.logGroupName, container.logStreamName);
    const log: ContainerLog = { format, writer };
    this.#logs.set(container, log);
    if (this.#lines(container, undefined)) {
      const runtime = `nodejs:${process.versions.node.split('.')[0]}`;
      this.#platform(
        container,
        log,
        undefined,
        format.initStart(this.ctx.clock.now(), functionName, runtime),
      );
    }
  }

  async #sdkCall(container: Container, call: SdkCallMessage): Promise<void> {
    try {
      const host = this.#host;
      const config = await this.registry.require(container.options.functionName);
      const result = await host.sdkCall(config, call.service, call.method, call.args);
      container.reply({ type: 'sdkResult', id: call.id, result });
    } catch (err) {
      const code = isLambdaliteError(err) ? err.code : 'ServiceException';
      const message = err instanceof Error ? err.message : String(err);
      container.reply({ type: 'sdkResult', id: call.id, error: { code, message } });
    }
  }

  /** The pool, for inspection (containers per function, invocations in flight). */
  get pool(): ContainerPool {
    return this.#pool;
  }

  readonly queuesBehind = QUEUE_BEHIND;

  roomBehind(functionName: string): number {
    return this.#pool.roomBehind(functionName);
  }

  invoke(request: InvocationRequest): Promise<InvocationOutcome> {
    return this.run(request);
  }

  async run(request: InvocationRequest, options: RunOptions = {}): Promise<RunResult> {
    this.ctx.lifecycle.assertOpen();
    const { functionName } = request;
    const config =
      options.config ?? this.registry.peek(functionName) ?? (await this.registry.require(functionName));
    // A Kinesis batch of a stream poller travels compact; the container builds the same event.
    const kinesisBatch = (request as InvocationRequest & KinesisBatchCarrier).kinesisBatch;
    const payload = kinesisBatch ?? request.payloadJson ?? JSON.stringify(request.payload ?? {});
    const format = kinesisBatch === undefined ? 'json' : 'kinesis';
    if (request.queueBehind && !options.tail) return this.#runBehind(config, request, payload, format);
    return this.#runAcquired(config, request, payload, format, options.tail === true);
  }

  /**
   * Runs the invocation in a container of its own slot (a warm one, or one started for it). The
   * slot is acquired before the first await, so callers deciding in turn see each other's.
   */
  async #runAcquired(
    config: FunctionConfiguration,
    request: InvocationRequest,
    payload: string,
    format: 'json' | 'kinesis',
    tail: boolean,
  ): Promise<RunResult> {
    const { functionName, requestId } = request;
    const slot = this.#pool.acquire({
      functionName,
      revisionId: config.revisionId,
      reservedConcurrency: config.reservedConcurrency,
    });
    if ('throttled' in slot) {
      this.ctx.events.emit('function.throttled', { functionName, requestId, reason: slot.throttled });
      return fail('TooManyRequestsException', `Rate Exceeded. Reason: ${slot.throttled} (${slot.detail})`);
    }
    let container = slot.container;
    const cold = container === undefined;
    if (container === undefined) {
      // Counted from here, not from the spawn: the role check and the code scan come first, and
      // the pacing must see this start while they run (see #runBehind).
      this.#starting.set(functionName, (this.#starting.get(functionName) ?? 0) + 1);
      this.#startingTotal++;
      try {
        container = await this.#start(config);
      } catch (err) {
        this.#startDone(functionName);
        this.#pool.release(functionName, undefined, false);
        // Invocations waiting for this container to become busy must look again (see #runBehind).
        this.#startEnded();
        throw err;
      }
      this.#startDone(functionName);
      // Invocations held back while it started may start one of their own now.
      if (this.#changes.size > 0) queueMicrotask(() => this.#startEnded());
    }
    if (!tail)
      return this.#runIn(container, config, request, payload, format, cold, false) as Promise<RunResult>;
    this.#tails.set(requestId, []);
    try {
      return (await this.#runIn(container, config, request, payload, format, cold, false)) as RunResult;
    } finally {
      this.#tails.delete(requestId);
    }
  }

  /**
   * For {@link InvocationRequest.queueBehind}: runs the invocation queued behind a busy container
   * of the function, waiting while its containers are all starting or full. It runs as usual
   * instead (an idle warm container, or a new one) while fewer than the caller's
   * `concurrencyLimit` run, or when nothing of the function is in flight. When the container it
   * was queued in dies or is retired before starting it, it looks for a place again (several may
   * have waited there, and running them all as usual at once would start containers beyond the
   * caller's concurrency), with the function's current configuration; once the engine closes, it
   * fails with EngineClosed (never started: no attempt of the caller's is used).
   */
  async #runBehind(
    initial: FunctionConfiguration,
    request: InvocationRequest,
    payload: string,
    format: 'json' | 'kinesis',
  ): Promise<RunResult> {
    const { functionName, concurrencyLimit } = request;
    let config = initial;
    for (let pass = 0; ; pass++) {
      if (pass > 0) {
        // Back after a wait or a container that never started it: the engine may have closed
        // and the function may have changed meanwhile.
        this.ctx.lifecycle.assertOpen();
        config = this.registry.peek(functionName) ?? (await this.registry.require(functionName));
      }
      const running = this.#pool.inFlight(functionName);
      const mayGrow = concurrencyLimit !== undefined && running < concurrencyLimit;
      // Nothing in flight, or an idle warm container while fewer run than the caller allows.
      if (
        running === 0 ||
        ((mayGrow || concurrencyLimit === undefined) && this.#pool.hasIdle(functionName))
      ) {
        return this.#runAcquired(config, request, payload, format, false);
      }
      // Queued in the same tick as found: no other caller can take the place in between.
      const now = this.ctx.clock.now();
      const target = this.#pool.queueTarget(functionName, config.revisionId, now);
      const coldMs = this.#coldMs(functionName);
      // Behind a busy container when it starts there within about a cold start's time (or no
      // container may be added); a new one only when the function's queue outgrows what its busy
      // and starting containers can take in that time (see #outgrown).
      if (target && (!mayGrow || target.waitEstimate(now) <= coldMs)) {
        const outcome = await this.#runIn(target, config, request, payload, format, false, true);
        if (outcome) return outcome;
        // Never started there (the container died or was retired): look again.
        continue;
      }
      // One container of the function starting at a time, and no more starting in all than the
      // machine has cores: cold starts are CPU-bound, more at once finish none sooner.
      if (
        mayGrow &&
        (this.#starting.get(functionName) ?? 0) === 0 &&
        this.#startingTotal < this.#maxStarting &&
        this.#outgrown(functionName, coldMs, now) &&
        this.#grownLongAgo(functionName, coldMs, now)
      ) {
        return this.#runAcquired(config, request, payload, format, false);
      }
      await new Promise<void>((resolve) => {
        const list = this.#changes.get(functionName);
        if (list) list.push(resolve);
        else this.#changes.set(functionName, [resolve]);
      });
    }
  }

  /**
   * Whether the invocations of the function waiting for a place (this one included) are more
   * than its busy containers can start within `coldMs` (each at the pace of its recent calls)
   * plus what its starting containers will take once up: only then is another container worth
   * its cold start. Spreading events over many warm functions used to start up to the queue's
   * per-function bound of containers for each, hundreds of worker threads starting at once on
   * a few cores; a fast function now keeps the containers it has. Starting containers are not
   * counted: the caller starts one only when none of the function is starting.
   */
  #outgrown(functionName: string, coldMs: number, now: number): boolean {
    const waiting = (this.#changes.get(functionName)?.length ?? 0) + 1;
    return waiting > this.#pool.busyCapacity(functionName, coldMs, now);
  }

  /**
   * At most one container added per function per cold start's time after the last one came up:
   * a machine so loaded that calls look slow (a starved main thread reads results late) would
   * otherwise add containers for every call that waits, each making the starving worse. When
   * not yet, one engine-clock timer wakes the function's waiters once it is time.
   */
  #grownLongAgo(functionName: string, coldMs: number, now: number): boolean {
    const last = this.#startedAt.get(functionName);
    if (last === undefined || now - last >= coldMs) return true;
    if (!this.#growTimers.has(functionName)) {
      const timer = this.ctx.clock.setTimeout(
        () => {
          this.#growTimers.delete(functionName);
          this.#changed(functionName);
        },
        last + coldMs - now,
      );
      this.#growTimers.set(functionName, timer);
    }
    return false;
  }

  #startDone(functionName: string): void {
    const left = (this.#starting.get(functionName) ?? 1) - 1;
    if (left > 0) this.#starting.set(functionName, left);
    else this.#starting.delete(functionName);
    this.#startingTotal = Math.max(0, this.#startingTotal - 1);
  }

  /** A container finished starting (or failed to): callers held back by the bound look again. */
  #startEnded(): void {
    for (const name of [...this.#changes.keys()]) this.#changed(name);
  }

  /** The function's cold start on the engine clock: the last measured, else any function's. */
  #coldMs(functionName: string): number {
    return this.#startMs.get(functionName) ?? this.#lastStartMs;
  }

  /** A container of the function started or ended an invocation, or exited: wake waiters. */
  #changed(functionName: string): void {
    const list = this.#changes.get(functionName);
    if (!list) return;
    this.#changes.delete(functionName);
    for (const resolve of list) resolve();
  }

  async #start(config: FunctionConfiguration): Promise<Container> {
    // The role check and the code scan do not depend on each other: one wait for both.
    const [logs, code] = await Promise.all([this.#host.logsAccess(config), this.#code(config)]);
    const { taskRoot, sdkImports } = code;
    const container = await Container.start(
      {
        functionName: config.functionName,
        functionArn: config.functionArn,
        handler: config.handler,
        taskRoot,
        sdkImports,
        memoryMb: config.memorySize,
        tmpMb: this.ctx.quotas.tmpMb,
        responseBytes: this.ctx.quotas.syncPayloadBytes,
        region: this.ctx.region,
        environment: config.environment,
        revisionId: config.revisionId,
        logsAllowed: logs.allowed,
        ...(config.loggingConfig ? { loggingConfig: config.loggingConfig } : {}),
      },
      this.ctx.clock,
      this.#hooks,
      Math.max(INIT_TIMEOUT_MS, config.timeout * 1000),
    );
    this.#startedAt.set(config.functionName, this.ctx.clock.now());
    if (!container.initError) {
      this.#startMs.set(config.functionName, container.startMs);
      this.#lastStartMs = container.startMs;
    }
    this.ctx.events.emit('function.container.started', {
      functionName: config.functionName,
      containerId: container.id,
      logStreamName: container.logStreamName,
      initDurationMs: container.initDurationMs,
      ...(container.initError ? { initError: container.initError.errorType } : {}),
    });
    if (!logs.allowed) {
      this.ctx.events.emit('function.logs.denied', {
        functionName: config.functionName,
        containerId: container.id,
        role: config.role,
        logGroupName: container.logGroupName,
        message: logs.reason,
      });
    }
    return container;
  }

  async #code(config: FunctionConfiguration): Promise<{ taskRoot: string; sdkImports: boolean }> {
    const taskRoot = await this.#taskRoot(config);
    return { taskRoot, sdkImports: await codeMentionsSdk(taskRoot) };
  }

  #taskRoot(config: FunctionConfiguration): Promise<string> | string {
    if (config.codeSource === 'zip') {
      return ensureUnpacked(config.codeSha256, () => this.registry.zip(config));
    }
    const path = config.codePath ?? '.';
    return config.codeSource === 'file' ? dirname(path) : path;
  }

  /**
   * Runs one invocation in `container` (its slot acquired), or, when `queued`, behind the one the
   * container runs now (the slot is inherited): undefined then if it never started there.
   */
  async #runIn(
    container: Container,
    config: FunctionConfiguration,
    request: InvocationRequest,
    payload: string,
    format: 'json' | 'kinesis',
    cold: boolean,
    queued: boolean,
  ): Promise<RunResult | undefined> {
    const { functionName, requestId, invocationType } = request;
    const events = this.ctx.events;
    let started = performance.now();
    let startTime = this.ctx.clock.now();
    // Lines and event payloads are built only when someone subscribes or the caller asked for Tail.
    const begin = (): void => {
      started = performance.now();
      startTime = this.ctx.clock.now();
      this.#changed(functionName);
      const log = this.#lines(container, requestId);
      if (log) {
        if (this.#recordsOnly(log, requestId)) log.writer?.start(requestId, startTime);
        else this.#platform(container, log, requestId, log.format.start(this.ctx.clock.now(), requestId));
      }
      if (events.observes('function.invocation.started')) {
        events.emit('function.invocation.started', {
          functionName,
          requestId,
          containerId: container.id,
          invocationType,
          cold,
        });
      }
    };
    const raw = await this.#execute(container, config, request, payload, format, queued, begin);
    if (raw.notStarted) return undefined;
    const timedOut = raw.died === 'timeout';
    const timeoutMs = config.timeout * 1000;
    const elapsed = performance.now() - started;
    const durationMs = timedOut ? Math.max(timeoutMs, elapsed) : elapsed;
    const endTime = this.ctx.clock.now();
    const { error, result } = this.#interpret(container, config, requestId, raw, endTime);
    const current = this.registry.peek(functionName);
    const reusable =
      !raw.died && !raw.retire && current !== undefined && current.revisionId === config.revisionId;
    if (raw.retire && container.alive) void container.stop('tmp-quota');
    const run = { cold, durationMs, memoryBytes: raw.memoryBytes, timedOut, error };
    const figures = this.#report(container, config, requestId, run, endTime);
    // In flight before this one's slot is released: its peak is the function's concurrency peak.
    const counted = figures !== undefined || this.invocations !== undefined;
    const concurrentExecutions = counted ? this.#pool.inFlight(functionName) : 0;
    const accountConcurrentExecutions = counted ? this.#pool.inFlight() : 0;
    this.#pool.release(functionName, container, reusable);
    this.invocations?.completed(
      functionName,
      startTime,
      durationMs,
      error !== undefined,
      concurrentExecutions,
      accountConcurrentExecutions,
    );
    if (figures && events.observes('function.invocation.completed')) {
      events.emit('function.invocation.completed', {
        functionName,
        requestId,
        containerId: container.id,
        invocationType,
        cold,
        startTime,
        concurrentExecutions,
        accountConcurrentExecutions,
        ...figures,
        ...(error ? { functionError: 'Unhandled' as const, errorType: error.errorType } : {}),
      });
    }
    this.#changed(functionName);
    if (raw.died === 'closed') {
      // Stopped by close, the invocation has not failed: an event stays queued, with no attempt
      // used, for the next engine on this storage; a synchronous caller learns the engine closed
      // (a function error would be indistinguishable from a crash of the function). The lines
      // and events above say what happened in the container either way.
      return fail('EngineClosed', `the engine closed while invocation ${requestId} of ${functionName} ran`);
    }
    const outcome: RunResult = {
      requestId,
      statusCode: 200,
      payload: error ?? result,
      executedVersion: '$LATEST',
      durationMs,
    };
    if (error) outcome.functionError = 'Unhandled';
    const lines = this.#tails.size === 0 ? undefined : this.#tails.get(requestId);
    if (lines) outcome.logResult = tail(lines);
    return outcome;
  }

  /**
   * Hands the invocation to the container (or answers its init error); `begin` runs when it
   * starts there. The container's own promise, not an async wrapper: the caller sees the outcome
   * in the same turn as the container reports it, before the container's next message (a
   * queued invocation's start must not be seen before the end of the one before it).
   */
  #execute(
    container: Container,
    config: FunctionConfiguration,
    request: InvocationRequest,
    payload: string,
    format: 'json' | 'kinesis',
    queued: boolean,
    begin: () => void,
  ): Promise<RawOutcome> {
    if (container.initError) {
      begin();
      const died = container.stopReason ?? 'init-error';
      void container.stop('init-error');
      return Promise.resolve({ error: container.initError, memoryBytes: 0, died });
    }
    const timeoutMs = config.timeout * 1000;
    const message = {
      requestId: request.requestId,
      payload,
      format,
      remainingMs: timeoutMs,
      invokedFunctionArn: request.invokedFunctionArn ?? config.functionArn,
    };
    if (queued) {
      return container.queue(message, timeoutMs, begin);
    }
    const running = container.invoke(message, timeoutMs);
    begin();
    return running;
  }

  /** The function's error or result from what the container reported, with its log line. */
  #interpret(
    container: Container,
    config: FunctionConfiguration,
    requestId: string,
    raw: RawOutcome,
    now: number,
  ): { error: ErrorShape | undefined; result: unknown } {
    if (raw.died === 'timeout') {
      const message = timeoutMessage(now, requestId, config.timeout);
      const log = this.#lines(container, requestId);
      if (log) this.#platform(container, log, requestId, log.format.timeout(now, requestId, config.timeout));
      return {
        error: { errorType: 'Sandbox.Timedout', errorMessage: message, trace: [] },
        result: undefined,
      };
    }
    if (raw.error) {
      const log = this.#lines(container, requestId);
      if (log) {
        this.#platform(
          container,
          log,
          requestId,
          log.format.error(now, requestId, raw.error, raw.died !== undefined),
        );
      }
      return { error: raw.error, result: undefined };
    }
    if (raw.payload === undefined) return { error: undefined, result: undefined };
    const limit = this.ctx.quotas.syncPayloadBytes;
    // A UTF-16 code unit is at most 3 UTF-8 bytes: count bytes only when the text may be over.
    // (The worker stops larger results before building them; this covers what it sent anyway.)
    const bytes = raw.payload.length * 3 <= limit ? 0 : Buffer.byteLength(raw.payload);
    if (bytes > limit) return { error: responseTooLarge(limit, bytes), result: undefined };
    return { error: undefined, result: JSON.parse(raw.payload) };
  }

  /**
   * The END and REPORT lines, and the figures for the completed event: built only when a line
   * or the event is read (undefined otherwise).
   */
  #report(
    container: Container,
    config: FunctionConfiguration,
    requestId: string,
    run: {
      cold: boolean;
      durationMs: number;
      memoryBytes: number;
      timedOut: boolean;
      error: ErrorShape | undefined;
    },
    end: number,
  ): ReportFigures | undefined {
    const log = this.#lines(container, requestId);
    if (!log && !this.ctx.events.observes('function.invocation.completed')) return undefined;
    const { durationMs, error } = run;
    const figures: ReportFigures = {
      durationMs,
      billedDurationMs: billedMs(durationMs),
      memorySizeMb: config.memorySize,
      maxMemoryUsedMb: Math.min(config.memorySize, Math.max(1, Math.ceil(run.memoryBytes / MiB))),
    };
    if (run.cold) figures.initDurationMs = container.initDurationMs;
    if (log && this.#recordsOnly(log, requestId)) {
      log.writer?.end(requestId, figures, end);
    } else if (log) {
      const status = run.timedOut ? 'timeout' : error ? 'error' : 'success';
      this.#platform(container, log, requestId, log.format.end(end, requestId, status, error?.errorType));
      this.#platform(
        container,
        log,
        requestId,
        log.format.report(end, requestId, figures, status, error?.errorType),
      );
    }
    return figures;
  }

  /**
   * The container's log when a line of this invocation would reach anything (its stream, a
   * subscriber, or the invocation's Tail); lines are built only then.
   */
  #lines(container: Container, requestId: string | undefined): ContainerLog | undefined {
    const log = this.#logs.get(container);
    if (log === undefined) return undefined;
    if (log.writer !== undefined) return log;
    // A container whose role may not write logs emits no function.log (see #emitLog): its
    // lines go to Tail only, however many subscribe (the EMF feed always does).
    if (container.options.logsAllowed !== false && this.ctx.events.observes('function.log')) return log;
    return requestId !== undefined && this.#tails.size > 0 && this.#tails.has(requestId) ? log : undefined;
  }

  /**
   * Whether this invocation's text-format platform lines go to its stream only: they are then
   * handed over as records (the store renders them when read) and no text is built here.
   */
  #recordsOnly(log: ContainerLog, requestId: string): boolean {
    if (log.writer === undefined || log.format.json) return false;
    if (this.#tails.size > 0 && this.#tails.has(requestId)) return false;
    return !this.ctx.events.observes('function.log');
  }

  /** Log lines built so far (the test harness checks that none is built when nobody reads). */
  get linesBuilt(): number {
    return this.#linesBuilt;
  }

  /** A platform line (undefined: the format's levels drop it). */
  #platform(
    container: Container,
    log: ContainerLog,
    requestId: string | undefined,
    line: string | undefined,
  ): void {
    if (line === undefined) return;
    this.#linesBuilt++;
    if (requestId !== undefined) this.#tails.get(requestId)?.push(line);
    this.#emitLog(container, log, { requestId, kind: 'platform', message: line, line });
  }

  #userLog(container: Container, requestId: string | undefined, level: LogLevel, message: string): void {
    const log = this.#lines(container, requestId);
    if (log === undefined || !log.format.keeps(level)) return;
    this.#linesBuilt++;
    const line = log.format.user(this.ctx.clock.now(), requestId, level, message);
    if (requestId !== undefined) this.#tails.get(requestId)?.push(line);
    this.#emitLog(container, log, { requestId, kind: 'user', level, message, line });
  }

  /** Writes one line to the container's stream and emits it, unless the role may not write logs. */
  #emitLog(container: Container, log: ContainerLog, line: LogLinePayload): void {
    log.writer?.write(line.line);
    if (container.options.logsAllowed === false) return;
    if (line.kind === 'user' && log.writer !== undefined) this.printed?.(line.message);
    if (!this.ctx.events.observes('function.log')) return;
    this.ctx.events.emit('function.log', {
      functionName: container.options.functionName,
      logGroupName: container.logGroupName,
      logStreamName: container.logStreamName,
      ...line,
    });
  }

  /** Stops the idle containers of a function whose configuration changed or that was deleted. */
  retire(functionName: string, reason: 'updated' | 'deleted'): Promise<void> {
    return this.#pool.retire(functionName, reason);
  }

  async close(): Promise<void> {
    for (const timer of this.#growTimers.values()) this.ctx.clock.clearTimeout(timer);
    this.#growTimers.clear();
    await this.#pruned;
    await this.#pool.close();
  }
}

export const newRequestId = (): string => randomUUID();
