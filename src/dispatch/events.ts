/** Events of the dispatchers. Push (async invocation) events are prefixed `async.`. */

/** Throttles and service errors are not attempts: they show as `async.throttled`. */
export type AsyncAttemptOutcome = 'success' | 'function-error' | 'not-found' | 'access-denied';
export type AsyncFailureCondition = 'RetriesExhausted' | 'EventAgeExceeded';

export interface DispatchEventMap {
  /** An event was durably queued (enqueue, a bucket notification, a destination, a redrive). */
  'async.enqueued': { requestId: string; functionName: string; source: string };
  /** One delivery attempt ended; `attempt` is 1-based and counts function attempts only. */
  'async.attempt': {
    requestId: string;
    functionName: string;
    attempt: number;
    outcome: AsyncAttemptOutcome;
    /** Engine-clock time from the first enqueue to this attempt (CloudWatch's AsyncEventAge). */
    eventAgeMs: number;
  };
  /** A function error will be retried after `delayMs`. */
  'async.retry-scheduled': {
    requestId: string;
    functionName: string;
    attempts: number;
    delayMs: number;
    nextAttemptAt: number;
  };
  /** Throttled (or a service error): back to the queue after `delayMs`, no attempt used. */
  'async.throttled': {
    requestId: string;
    functionName: string;
    throttles: number;
    delayMs: number;
    reason: string;
  };
  /** The function succeeded; `destination` is the on-success ARN that received the record, if any. */
  'async.succeeded': {
    requestId: string;
    functionName: string;
    attempts: number;
    destination?: string;
    /** Set when the on-success destination could not be written (the event still counts as done). */
    destinationError?: string;
  };
  /** Given up: the record went to `destination` (an ARN) or to the dead-letter store ('dead-letter'). */
  'async.failed': {
    requestId: string;
    functionName: string;
    condition: AsyncFailureCondition;
    attempts: number;
    destination: string;
    /** Set when the on-failure destination refused the record, so it went to the dead-letter store. */
    destinationError?: string;
  };
  /** A dead letter could not be written (the event stays queued and is given up again later). */
  'async.dead-letter-failed': { requestId: string; functionName: string; message: string };
  /** Dead letters were re-queued with a fresh attempt count. */
  'async.redriven': { functionName: string; requestIds: string[] };
}
