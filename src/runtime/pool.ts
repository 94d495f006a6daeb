/**
 * Containers of every function: warm reuse, concurrency limits and idle reaping.
 *
 * Concurrency counts invocations in flight (a container starting for an invocation counts). A
 * function may have at most its reservedConcurrency in flight, the engine at most
 * quotas.accountConcurrency; past either, `acquire` throws TooManyRequestsException at once (no
 * queueing, as Lambda's sync invoke). Idle containers are kept warm, most recently used first,
 * and each is reaped after `idleMs` of engine-clock quiet. One reaper timer per pool, due when
 * the longest-idle container expires, keeps timer work off the invoke path.
 */
import type { Clock, TimerHandle } from '../clock.js';
import type { Container, StopReason } from './container.js';

export type ThrottleReason =
  | 'ReservedFunctionConcurrentInvocationLimitExceeded'
  | 'ConcurrentInvocationLimitExceeded';

export interface PoolLimits {
  accountConcurrency: number;
  idleMs: number;
}

export interface PoolRequest {
  functionName: string;
  revisionId: string;
  reservedConcurrency: number | undefined;
}

interface Idle {
  container: Container;
  /** Engine-clock time it became idle. */
  since: number;
}

export class ContainerPool {
  readonly #idle = new Map<string, Idle[]>();
  readonly #inFlight = new Map<string, number>();
  /** Live containers (starting, busy, idle) per function. */
  readonly #live = new Map<string, Set<Container>>();
  #inFlightTotal = 0;
  #closed = false;
  #reaper: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly limits: PoolLimits,
  ) {}

  /** Invocations in flight for one function, or for all. */
  inFlight(functionName?: string): number {
    return functionName === undefined ? this.#inFlightTotal : (this.#inFlight.get(functionName) ?? 0);
  }

  /** Live containers (busy and idle) of one function. */
  containers(functionName: string): Container[] {
    return [...(this.#live.get(functionName) ?? [])];
  }

  /**
   * Takes a slot for one invocation and returns a warm container of the right revision, or
   * undefined when the caller must start one (then `adopt` it); or, when throttled, why.
   */
  acquire(request: PoolRequest): { container: Container | undefined } | Throttle {
    const { functionName, reservedConcurrency } = request;
    const busy = this.inFlight(functionName);
    if (reservedConcurrency !== undefined && busy >= reservedConcurrency) {
      return {
        throttled: 'ReservedFunctionConcurrentInvocationLimitExceeded',
        detail: `function '${functionName}' has reserved concurrency ${reservedConcurrency} and ${busy} invocations in flight`,
      };
    }
    if (this.#inFlightTotal >= this.limits.accountConcurrency) {
      return {
        throttled: 'ConcurrentInvocationLimitExceeded',
        detail: `the engine allows ${this.limits.accountConcurrency} concurrent invocations (quotas.accountConcurrency)`,
      };
    }
    this.#inFlight.set(functionName, busy + 1);
    this.#inFlightTotal++;
    const idle = this.#idle.get(functionName) ?? [];
    for (let entry = idle.pop(); entry; entry = idle.pop()) {
      if (entry.container.alive && entry.container.options.revisionId === request.revisionId) {
        return { container: entry.container };
      }
      void entry.container.stop('updated');
    }
    return { container: undefined };
  }

  /**
   * A busy container of the function (this revision) that can take an invocation queued behind
   * its current one, the one where it would start soonest; undefined when none can. Such an invocation takes no slot of its own: it
   * inherits the slot of the one it follows ({@link ContainerPool.release}).
   */
  queueTarget(functionName: string, revisionId: string, now: number): Container | undefined {
    let target: Container | undefined;
    let wait = Number.POSITIVE_INFINITY;
    for (const container of this.#live.get(functionName) ?? []) {
      if (container.canQueue && container.options.revisionId === revisionId) {
        // The one it would start in soonest; of equals, the one with the fewest queued.
        const estimate = container.waitEstimate(now);
        if (
          target === undefined ||
          estimate < wait ||
          (estimate === wait && container.queued < target.queued)
        ) {
          target = container;
          wait = estimate;
        }
      }
    }
    return target;
  }

  /** The most any live container of the function lets wait behind it now; 1 when it has none. */
  roomBehind(functionName: string): number {
    let room = 1;
    for (const container of this.#live.get(functionName) ?? []) room = Math.max(room, container.room);
    return room;
  }

  /**
   * How many more invocations the function's busy containers could start within `withinMs` of
   * engine-clock time, beyond those already queued in them (Infinity when their invocations take
   * no measurable time).
   */
  busyCapacity(functionName: string, withinMs: number, now: number): number {
    let capacity = 0;
    for (const container of this.#live.get(functionName) ?? []) {
      if (container.state !== 'busy' || !container.alive) continue;
      // No invocation ended there yet: only the room behind it counts, not a pace, and nothing
      // once the running one has outlived a cold start.
      if (!container.paced) {
        if (container.perCallMs(now) <= withinMs) capacity += Math.max(0, container.room - container.queued);
        continue;
      }
      const perCall = container.perCallMs(now);
      if (perCall <= 0) return Number.POSITIVE_INFINITY;
      capacity += Math.max(0, Math.floor(withinMs / perCall) - container.queued);
    }
    return capacity;
  }

  /** True when a warm container of the function waits idle. */
  hasIdle(functionName: string): boolean {
    return (this.#idle.get(functionName)?.length ?? 0) > 0;
  }

  /** Registers a container being started for an acquired slot. */
  adopt(container: Container): void {
    if (this.#closed) void container.stop('closed');
    else if (container.alive) {
      const name = container.options.functionName;
      const live = this.#live.get(name);
      if (live) live.add(container);
      else this.#live.set(name, new Set([container]));
    }
  }

  /**
   * Gives the slot back; a live, reusable container goes back to the warm set. A container that
   * already runs the invocation queued behind this one keeps the slot for it (that invocation
   * releases it, and decides then whether the container is reused).
   */
  release(functionName: string, container: Container | undefined, reusable: boolean): void {
    if (container?.state === 'busy') return;
    this.#inFlight.set(functionName, Math.max(0, this.inFlight(functionName) - 1));
    this.#inFlightTotal = Math.max(0, this.#inFlightTotal - 1);
    if (!container?.alive) return;
    if (!reusable || this.#closed) {
      void container.stop(this.#closed ? 'closed' : 'updated');
      return;
    }
    const list = this.#idle.get(functionName) ?? [];
    list.push({ container, since: this.clock.now() });
    this.#idle.set(functionName, list);
    this.#scheduleReaper();
  }

  #scheduleReaper(): void {
    if (this.#reaper || this.#closed) return;
    let oldest: number | undefined;
    for (const list of this.#idle.values()) {
      const first = list[0]?.since;
      if (first !== undefined && (oldest === undefined || first < oldest)) oldest = first;
    }
    if (oldest === undefined) return;
    const due = Math.max(0, oldest + this.limits.idleMs - this.clock.now());
    this.#reaper = this.clock.setTimeout(() => this.#reap(), due);
  }

  /** Stops every container idle for `idleMs` or more (lists are ordered oldest first). */
  #reap(): void {
    this.#reaper = undefined;
    const cutoff = this.clock.now() - this.limits.idleMs;
    for (const list of this.#idle.values()) {
      while (list[0] && list[0].since <= cutoff) {
        const entry = list.shift();
        if (entry) void entry.container.stop('idle');
      }
    }
    this.#scheduleReaper();
  }

  #dropIdle(container: Container): void {
    const list = this.#idle.get(container.options.functionName);
    const at = list?.findIndex((e) => e.container === container) ?? -1;
    if (list && at >= 0) list.splice(at, 1);
  }

  /** Called when a container's worker has exited, for whatever reason. */
  forget(container: Container): void {
    this.#dropIdle(container);
    const live = this.#live.get(container.options.functionName);
    live?.delete(container);
    if (live?.size === 0) this.#live.delete(container.options.functionName);
  }

  /** Stops the idle containers of a function (its configuration changed or it was deleted). */
  async retire(functionName: string, reason: StopReason): Promise<void> {
    const list = this.#idle.get(functionName) ?? [];
    this.#idle.delete(functionName);
    await Promise.all(list.map((e) => e.container.stop(reason)));
  }

  /** Stops every container, busy ones included. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#reaper) this.clock.clearTimeout(this.#reaper);
    this.#reaper = undefined;
    this.#idle.clear();
    const all = [...this.#live.values()].flatMap((live) => [...live]);
    await Promise.all(all.map((c) => c.stop('closed')));
  }
}

export interface Throttle {
  throttled: ThrottleReason;
  detail: string;
}
