/**
 * Containers of every function: warm reuse, concurrency limits and idle reaping.
 *
 * Concurrency counts invocations in flight (a container starting for an invocation counts). A
 * function may have at most its reservedConcurrency in flight, the engine at most
 * quotas.accountConcurrency; past either, `acquire` throws TooManyRequestsException at once (no
 * queueing, as Lambda's sync invoke). Idle containers are kept warm, most recently used first,
 * and each is reaped after `idleMs` of engine-clock quiet.
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
  reaper: TimerHandle;
}

export class ContainerPool {
  readonly #idle = new Map<string, Idle[]>();
  readonly #inFlight = new Map<string, number>();
  readonly #all = new Set<Container>();
  #inFlightTotal = 0;
  #closed = false;

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
    return [...this.#all].filter((c) => c.options.functionName === functionName);
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
      this.clock.clearTimeout(entry.reaper);
      if (entry.container.alive && entry.container.options.revisionId === request.revisionId) {
        return { container: entry.container };
      }
      void entry.container.stop('updated');
    }
    return { container: undefined };
  }

  /** Registers a container started for an acquired slot. */
  adopt(container: Container): void {
    if (container.alive) this.#all.add(container);
  }

  /** Gives the slot back; a live, reusable container goes back to the warm set. */
  release(functionName: string, container: Container | undefined, reusable: boolean): void {
    this.#inFlight.set(functionName, Math.max(0, this.inFlight(functionName) - 1));
    this.#inFlightTotal = Math.max(0, this.#inFlightTotal - 1);
    if (!container?.alive) return;
    if (!reusable || this.#closed) {
      void container.stop(this.#closed ? 'closed' : 'updated');
      return;
    }
    const reaper = this.clock.setTimeout(() => this.#reap(container), this.limits.idleMs);
    const list = this.#idle.get(functionName) ?? [];
    list.push({ container, reaper });
    this.#idle.set(functionName, list);
  }

  #reap(container: Container): void {
    this.#dropIdle(container);
    void container.stop('idle');
  }

  #dropIdle(container: Container): void {
    const list = this.#idle.get(container.options.functionName);
    const at = list?.findIndex((e) => e.container === container) ?? -1;
    if (list && at >= 0) {
      const [entry] = list.splice(at, 1);
      if (entry) this.clock.clearTimeout(entry.reaper);
    }
  }

  /** Called when a container's worker has exited, for whatever reason. */
  forget(container: Container): void {
    this.#dropIdle(container);
    this.#all.delete(container);
  }

  /** Stops the idle containers of a function (its configuration changed or it was deleted). */
  async retire(functionName: string, reason: StopReason): Promise<void> {
    const list = this.#idle.get(functionName) ?? [];
    this.#idle.delete(functionName);
    await Promise.all(
      list.map((e) => {
        this.clock.clearTimeout(e.reaper);
        return e.container.stop(reason);
      }),
    );
  }

  /** Stops every container, busy ones included. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const list of this.#idle.values()) for (const e of list) this.clock.clearTimeout(e.reaper);
    this.#idle.clear();
    await Promise.all([...this.#all].map((c) => c.stop('closed')));
  }
}

export interface Throttle {
  throttled: ThrottleReason;
  detail: string;
}
