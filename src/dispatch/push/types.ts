/** Shapes the push queue persists. */
import type { AsyncFailureCondition } from '../events.js';

/** Where an event came from: 'aws:s3' for bucket notifications, 'invoke' for invoke Event, ... */
export type EventSource = 'aws:s3' | 'invoke' | 'destination' | 'redrive' | (string & {});

/** One queued event; the same `requestId` is used for every attempt. */
export interface QueueEntry {
  requestId: string;
  functionName: string;
  payload: unknown;
  source: EventSource;
  /** Engine-clock time it was first queued; the event's age counts from here. */
  enqueuedAt: number;
  /** Function attempts made (throttles do not count). */
  attempts: number;
  /** Consecutive throttles / service errors since the last attempt, for the backoff. */
  throttles: number;
  /** Engine-clock time of the next attempt; the due index is keyed by it. */
  nextAttemptAt: number;
  lastError?: string;
  /** For bucket notifications: the configuration's invocation role (2014 model), for the IAM check. */
  invocationRole?: string;
}

/** An event that failed with no on-failure destination (or whose destination failed). */
export interface DeadLetter {
  requestId: string;
  functionName: string;
  payload: unknown;
  source: EventSource;
  condition: AsyncFailureCondition;
  attempts: number;
  lastError?: string;
  enqueuedAt: number;
  failedAt: number;
  /** Set when an on-failure destination was configured but delivery to it failed. */
  destinationError?: string;
  /** Kept from the entry so a redriven notification still carries it. */
  invocationRole?: string;
}

/** `putEventInvokeConfig` input, AWS's fields in camelCase. */
export interface EventInvokeConfigInput {
  /** 0..quotas.asyncMaxRetryAttempts; default 2 (capped by the quota). */
  maximumRetryAttempts?: number;
  /** 60..21600; default 21600 (6 hours). */
  maximumEventAgeSec?: number;
  /** Destination ARN for successful events: a function or stream of this engine. */
  onSuccess?: string;
  /** Destination ARN for failed events: a function, stream or bucket of this engine. */
  onFailure?: string;
}

export interface EventInvokeConfig {
  functionName: string;
  maximumRetryAttempts: number;
  maximumEventAgeSec: number;
  onSuccess?: string;
  onFailure?: string;
  lastModified: number;
}
