/**
 * The contract between the function runtime and the dispatchers (push queue, stream pollers):
 * run one invocation synchronously in a container and report its outcome.
 */

export type InvocationType = 'RequestResponse' | 'Event';

export interface InvocationRequest {
  /** Function name (not an ARN). */
  functionName: string;
  /** The event, a JSON-serialisable value. */
  payload: unknown;
  /** The event already serialised (JSON of `payload`); the runtime sends it as is when present. */
  payloadJson?: string;
  /** Request id; the push queue keeps it the same across retries of one event. */
  requestId: string;
  /** How the caller invoked: the runtime runs both the same way, it affects logs and metrics. */
  invocationType: InvocationType;
  /** The ARN the caller used, shown as `context.invokedFunctionArn`; default the unqualified ARN. */
  invokedFunctionArn?: string;
  /**
   * The caller lets the runtime place this call within {@link InvocationRequest.concurrencyLimit}
   * (the push queue sets it on every call): an idle warm container; else queued behind the busy
   * container where it would start soonest, posted there now and started the moment the
   * invocations before it end (no idle gap, no concurrency taken while it waits), when that is
   * sooner than a cold start; else a new container, only when the backlog calls for one (cold
   * starts are paced). Runs as usual when no container can take it.
   */
  queueBehind?: boolean;
  /**
   * With {@link InvocationRequest.queueBehind}: how many invocations of the function the caller lets run at once.
   * An idle warm container is then taken (instead of queueing) only while fewer run.
   */
  concurrencyLimit?: number;
}

export interface InvocationOutcome {
  requestId: string;
  /** 200 for a completed invocation, including one that ended in a function error. */
  statusCode: number;
  /** The handler's result, or AWS's error shape `{ errorType, errorMessage, trace }` on error. */
  payload: unknown;
  /** Set when the function failed: thrown error, timeout, crash, out of memory. */
  functionError?: 'Unhandled' | 'Handled';
  executedVersion: string;
  durationMs: number;
}

export interface FunctionInvoker {
  /**
   * Runs one invocation in a container and resolves with its outcome (a function error is an
   * outcome, not a rejection). Rejects with a LambdaliteError `TooManyRequestsException` when no
   * container may be started (throttled: callers must not count it as an attempt) and
   * `ResourceNotFoundException` when the function does not exist.
   */
  invoke(request: InvocationRequest): Promise<InvocationOutcome>;
  /**
   * How many invocations the invoker may hold queued behind each running one when asked
   * ({@link InvocationRequest.queueBehind}); callers send that flag only when this is above 0.
   */
  readonly queuesBehind?: number;
  /**
   * How many may be queued behind each running invocation of this function now (at most
   * {@link FunctionInvoker.queuesBehind}); callers bound what they send to it. Default: `queuesBehind`.
   */
  roomBehind?(functionName: string): number;
}
