/**
 * The seam between `invoke(..., { invocationType: 'Event' })` / `invokeAsync` and the durable
 * push queue (dispatch/). The functions service validates (the function exists, the payload fits
 * quotas.asyncPayloadBytes), then hands the event to the queue and answers 202 once the queue has
 * durably accepted it.
 */
import type { DeadLetter, EventInvokeConfig, EventInvokeConfigInput } from '../dispatch/push/types.js';

export interface AsyncInvocationQueue {
  /** Durably accepts one event; resolves with the request id the invocations will carry. */
  enqueue(functionName: string, payload: unknown): Promise<{ requestId: string }>;
  putEventInvokeConfig(functionName: string, config: EventInvokeConfigInput): Promise<EventInvokeConfig>;
  getEventInvokeConfig(functionName: string): Promise<EventInvokeConfig>;
  deleteEventInvokeConfig(functionName: string): Promise<void>;
  deadLetters(functionName: string): Promise<DeadLetter[]>;
  redrive(functionName: string, requestIds?: readonly string[]): Promise<{ requestIds: string[] }>;
}
