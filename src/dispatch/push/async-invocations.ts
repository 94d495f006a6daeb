/**
 * `engine.asyncInvocations`: a view of the push queue for operators: what waits, what runs,
 * what failed, and its per-function settings. Events are queued only through checked paths
 * (`functions.invoke` with Event, `functions.invokeAsync`, bucket notifications), so this
 * facade has no way to queue one past IAM.
 *
 * @example
 * await engine.asyncInvocations.putEventInvokeConfig('resize', { maximumRetryAttempts: 1 });
 * const failed = await engine.asyncInvocations.deadLetters('resize');
 * await engine.asyncInvocations.redrive('resize');
 */
import type { AsyncQueue } from './async-queue.js';
import type { DeadLetter, EventInvokeConfig, EventInvokeConfigInput } from './types.js';

export class AsyncInvocations {
  readonly #queue: AsyncQueue;

  /** @internal built by the engine over its queue. */
  constructor(queue: AsyncQueue) {
    this.#queue = queue;
  }

  /** Replaces the function's config (AWS Put semantics: omitted fields take their defaults). */
  putEventInvokeConfig(functionName: string, config: EventInvokeConfigInput): Promise<EventInvokeConfig> {
    return this.#queue.putEventInvokeConfig(functionName, config);
  }

  /** The function's config; `ResourceNotFoundException` when none was put. */
  getEventInvokeConfig(functionName: string): Promise<EventInvokeConfig> {
    return this.#queue.getEventInvokeConfig(functionName);
  }

  deleteEventInvokeConfig(functionName: string): Promise<void> {
    return this.#queue.deleteEventInvokeConfig(functionName);
  }

  /** Failed events of a function kept in the dead-letter store, oldest failure first. */
  deadLetters(functionName: string): Promise<DeadLetter[]> {
    return this.#queue.deadLetters(functionName);
  }

  /** Re-queues dead letters (all, or those named) with fresh attempts, keeping their request ids. */
  redrive(functionName: string, requestIds?: readonly string[]): Promise<{ requestIds: string[] }> {
    return this.#queue.redrive(functionName, requestIds);
  }

  /** Events waiting in the queue (due or scheduled), all functions. */
  pendingCount(): Promise<number> {
    return this.#queue.pendingCount();
  }

  /**
   * Resolves when the dispatcher is quiet: no scan running, no invocation in flight, and the
   * timer for the next scheduled retry armed. Tests await it before moving a manual clock.
   */
  idle(): Promise<void> {
    return this.#queue.idle();
  }

  /** Invocations running right now. */
  get inFlight(): number {
    return this.#queue.inFlight;
  }
}
