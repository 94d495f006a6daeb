/**
 * The push queue's storage seam. `AsyncQueue` checks, announces and counts; where the entries
 * live and who delivers them is a {@link PushQueueDriver}: the embedded one (level-queue.ts, the
 * engine's LevelDB and one dispatcher) or one a backend supplies (`BackendParts.pushQueue`, the
 * JetStream work queue shared by every engine process). This file imports no engine part, so
 * backend.ts can name it.
 */
import type { Observable } from 'rxjs';
import type { Clock } from '../../clock.js';
import type { BatchOp } from '../../storage/storage.js';
import type { DeadLetter, EventInvokeConfig, QueueEntry } from './types.js';

/**
 * One write of a delivery's outcome, as built by a {@link QueueWrites}: LevelDB batch operations
 * for the embedded queue, the JetStream queue's own actions on the cluster. Only the builder that
 * made an op writes it.
 */
export type QueueOp = BatchOp | { readonly queueAction: string };

/**
 * What a delivery writes, as op builders: the outcome of one delivery is one `write` of the ops
 * it joins (embedded: one LevelDB batch; JetStream: publishes and dead letters first, then the
 * message's acknowledgement).
 */
export interface QueueWrites {
  /** Queues an entry (a function destination's new event). */
  putEntryOps(entry: QueueEntry, payloadJson?: string): QueueOp[];
  /** Takes the entry off the queue; `failed`: the event ends on the failure path. */
  removeEntryOps(entry: QueueEntry, failed?: boolean): QueueOp[];
  /** The entry again, with its next attempt time, attempts and error. */
  rescheduleOps(previous: QueueEntry, next: QueueEntry): QueueOp[];
  putDeadLetterOps(letter: DeadLetter): QueueOp[];
}

/** An entry to queue and its payload's JSON (serialised once by the caller). */
export interface QueuedItem {
  readonly entry: QueueEntry;
  readonly payloadJson: string;
}

/** What the engine gives a backend's driver: one delivery, and the bounds it keeps. */
export interface PushQueueHost {
  readonly clock: Clock;
  /**
   * One delivery of the entry (delivery.ts: age, IAM, invoke, retry or settle), its outcome
   * built with `writes` and written with `write`. Resolves false when even a service-error
   * reschedule could not be written (the entry is as it was).
   */
  deliver(
    entry: QueueEntry,
    writes: QueueWrites,
    write: (ops: readonly QueueOp[]) => Promise<void>,
  ): Promise<boolean>;
  /** Deliveries running at once at most, all functions (options.maxConcurrency, account quota). */
  overall(): number;
  /** Deliveries of one function at once at most (per-function bound, reserved concurrency). */
  cap(functionName: string): number;
  /**
   * The function's reserved concurrency (undefined: none). A driver shared by several engine
   * processes may bound the function by its share of it rather than by all of it.
   */
  reserved(functionName: string): number | undefined;
  /**
   * Loads the function's configuration when this engine has not read it yet, so `cap` and
   * `reserved` answer from it: a promise that resolves once they do, undefined when they do
   * already. (An engine process that never invoked a function knows none of its settings.)
   */
  load(functionName: string): Promise<void> | undefined;
  /** On close, how long (engine clock) to wait for running deliveries. */
  readonly closeDrainMs: number;
}

/** A backend's push queue: builds the driver of one engine. */
export interface PushQueueBackend {
  open(host: PushQueueHost): PushQueueDriver;
  /** Where event invoke configs live when every process shares them; absent: the engine's LevelDB. */
  readonly invokeConfigs?: EventInvokeConfigRecords;
}

/** A function's event invoke config changed on another engine process (undefined: deleted). */
export interface EventInvokeConfigChange {
  readonly functionName: string;
  readonly config: EventInvokeConfig | undefined;
}

/**
 * Where event invoke configs are stored (validated already). Put and delete replace whatever is
 * stored, as AWS's PutFunctionEventInvokeConfig and DeleteFunctionEventInvokeConfig do.
 */
export interface EventInvokeConfigRecords {
  get(functionName: string): Promise<EventInvokeConfig | undefined>;
  put(config: EventInvokeConfig): Promise<void>;
  delete(functionName: string): Promise<void>;
  /** Changes made by other engine processes (absent: this engine is the only writer). */
  readonly changes$?: Observable<EventInvokeConfigChange>;
}

export interface PushQueueDriver {
  /** Starts delivering (entries queued before wait until then). */
  start(): void;
  /** Durably queues the entries; resolves once the queue holds them (the moment AWS answers 202). */
  put(items: readonly QueuedItem[]): Promise<void>;
  /** After `put` resolved and the entries were announced: dispatch them (no read back, if it can). */
  handOver(items: readonly QueuedItem[]): void;
  /** Ops that queue the entries inside the caller's LevelDB batch (bucket notifications). */
  putOps(items: readonly QueuedItem[]): BatchOp[];
  /**
   * The caller's batch holding `putOps` committed. Undefined when the entries are queued for
   * delivery by that batch already; else a promise resolved once they are.
   */
  committed(items: readonly QueuedItem[]): Promise<void> | undefined;
  /** The function's dead letters, in any order. */
  deadLetters(functionName: string): Promise<DeadLetter[]>;
  /** Removes the dead letters and queues the entries made of them. */
  redrive(letters: readonly DeadLetter[], entries: readonly QueueEntry[]): Promise<void>;
  /** Tells the driver the function has new entries (after redrive). */
  wake(functionName: string): void;
  /** Events waiting (due or scheduled), all functions. */
  pendingCount(): Promise<number>;
  /** Resolves when this engine has nothing in flight (see AsyncQueue.idle). */
  idle(): Promise<void>;
  readonly inFlight: number;
  /** Stops delivering; waits for running deliveries within `closeDrainMs`. */
  close(): Promise<void>;
}
