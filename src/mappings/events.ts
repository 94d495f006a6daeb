/** Events of event source mappings and their shard pollers. */
import type { GiveUpCondition } from '../dispatch/pull/deps.js';
import type { MappingState } from './types.js';

export interface BatchRef {
  uuid: string;
  /** Function name, for per-function metrics. */
  functionName: string;
  shardId: string;
  size: number;
  firstSequenceNumber: string;
  lastSequenceNumber: string;
}

export interface MappingEventMap {
  'mapping.created': { uuid: string; functionArn: string; eventSourceArn: string };
  'mapping.updated': { uuid: string; changed: string[] };
  'mapping.deleted': { uuid: string };
  'mapping.state': { uuid: string; state: MappingState; reason: string };
  'mapping.shard.started': { uuid: string; shardId: string; afterSequenceNumber: string | undefined };
  'mapping.shard.drained': { uuid: string; shardId: string };
  /** Fewer than a full batch is available: the poller waits up to `untilMs` (engine clock) for more. */
  'mapping.batch.window': { uuid: string; shardId: string; count: number; untilMs: number };
  /** A batch goes to the function; iteratorAgeMs = now minus the last record's arrival. */
  'mapping.batch.invoked': BatchRef & { attempt: number; iteratorAgeMs: number; slice: number };
  'mapping.batch.succeeded': BatchRef & { durationMs: number };
  /** A try failed; the same records are tried again after `delayMs`. */
  'mapping.batch.failed': BatchRef & {
    attempt: number;
    delayMs: number;
    reason: 'FunctionError' | 'PartialFailure' | 'Throttled' | 'ServiceError';
    message: string;
  };
  'mapping.batch.bisected': BatchRef & { halves: [number, number] };
  /** Records given up: sent to `destination`, or kept in the mapping's failure list when none. */
  'mapping.batch.givenUp': BatchRef & {
    condition: GiveUpCondition;
    destination: string | undefined;
    /** Set when the destination refused the record (kept in the failure list instead). */
    destinationError?: string;
  };
  /** Records that expired from the source while their batch was being retried. */
  'mapping.batch.expired': { uuid: string; shardId: string; count: number };
  'mapping.checkpoint': { uuid: string; shardId: string; sequenceNumber: string; iteratorAgeMs: number };
  /** The source could not be read or the poller hit an unexpected error; it retries. */
  'mapping.error': { uuid: string; shardId: string | undefined; message: string };
}
