/** Building queue entries. */
import { randomUUID } from 'node:crypto';
import type { QueueEntry } from './types.js';

/** A new queue entry, due now. */
export function newEntry(
  now: number,
  functionName: string,
  payload: unknown,
  source: string,
  requestId: string = randomUUID(),
): QueueEntry {
  return {
    requestId,
    functionName,
    payload,
    source,
    enqueuedAt: now,
    attempts: 0,
    throttles: 0,
    nextAttemptAt: now,
  };
}
