/**
 * The invoker the push deliveries call (one per attached runtime): decides, per call, whether it
 * queues behind a running invocation, and gives the dispatcher's slot back the moment the
 * runtime answers, so the next invocation overlaps the previous one's settle write.
 */
import type { FunctionInvoker, InvocationOutcome, InvocationRequest } from '../../functions/invoker.js';

export class DeliveryInvoker implements FunctionInvoker {
  /** Calls inside the runtime per function (running, starting, or queued behind a running one). */
  readonly #calling = new Map<string, number>();
  /** Slot releases of the entries being delivered, by request id. */
  readonly #releases = new Map<string, () => void>();

  constructor(
    private readonly inner: FunctionInvoker,
    /** The dispatcher's bound on running invocations of a function. */
    private readonly capOf: (functionName: string) => number,
  ) {}

  /** The slot of `requestId`, given back when its call is answered (or by the caller, once). */
  hold(requestId: string, release: () => void): void {
    this.#releases.set(requestId, release);
  }

  /** The delivery ended (with or without a call). */
  forget(requestId: string): void {
    this.#releases.delete(requestId);
  }

  invoke(request: InvocationRequest): Promise<InvocationOutcome> {
    const name = request.functionName;
    // Decided when the call reaches the runtime: the calls before it are in the runtime by then
    // (running, starting a container, or queued), so it has a container to queue behind.
    // Every call leaves the runtime to place it within the cap (an idle container, behind a busy
    // one, or a new container only when the backlog calls for one: cold starts are paced).
    const calling = this.#calling.get(name) ?? 0;
    if ((this.inner.queuesBehind ?? 0) > 0) {
      request.queueBehind = true;
      request.concurrencyLimit = this.capOf(name);
    }
    this.#calling.set(name, calling + 1);
    const answer = this.inner.invoke(request);
    const answered = (): void => {
      const left = (this.#calling.get(name) ?? 1) - 1;
      if (left === 0) this.#calling.delete(name);
      else this.#calling.set(name, left);
      const release = this.#releases.get(request.requestId);
      this.#releases.delete(request.requestId);
      release?.();
    };
    answer.then(answered, answered);
    return answer;
  }
}
