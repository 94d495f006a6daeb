/**
 * How the observe parts (metrics' minute rollups, the log store's lines) of several engine
 * processes see each other's data: each process publishes what it stores to a feed every
 * process follows, and copies the others' payloads into its own storage. The read operations
 * (getStatistics, list, filter, getLogEvents, describe*) then answer for every process without
 * knowing a feed exists. Absent (the embedded backend): each process sees its own data only.
 */
import type { BatchOp } from '../storage/storage.js';

/** One payload of another process, with what must be stored with it. */
export interface FeedDelivery {
  readonly payload: Uint8Array;
  /**
   * The follower's new position in the feed: the applier writes it in the same batch as the
   * payload's data, so a restart neither copies a payload twice nor skips one.
   */
  readonly positionOp: BatchOp;
}

/** Applies another process's payload to local storage; resolves once that batch is durable. */
export type FeedApplier = (delivery: FeedDelivery) => Promise<void>;

/**
 * Payloads of data this process is about to store, kept in an outbox: `ops` go into the very
 * batch that stores the data, so a process killed before `send` still has them and publishes
 * them when it opens again. `send`, called once that batch is durable, publishes them (resolves
 * once the cluster stored every one) and then removes them from the outbox.
 */
export interface StagedPayloads {
  readonly ops: readonly BatchOp[];
  send(): Promise<void>;
}

export interface SharedFeed {
  /**
   * Stages payloads of this process's data (see {@link StagedPayloads}). Each is at most
   * {@link MAX_FEED_PAYLOAD} bytes.
   */
  stage(payloads: readonly Uint8Array[]): StagedPayloads;
  /**
   * Starts copying the other processes' payloads, in feed order, from after the position stored
   * by the last delivery. Called once, by the part that owns the data; returns the stop function.
   */
  follow(apply: FeedApplier): () => Promise<void>;
  /** Resolves once every payload any process published before the call has been applied here. */
  caughtUp(): Promise<void>;
}

/** Largest payload a feed carries (the server's max_payload is at least 6 MiB). */
export const MAX_FEED_PAYLOAD = 1024 * 1024;

/** The feeds a shared backend supplies (BackendParts.observe). */
export interface ObserveFeeds {
  readonly metrics: SharedFeed;
  readonly logs: SharedFeed;
}
