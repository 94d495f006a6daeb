/**
 * The seam through which engine processes sharing a cluster split a mapping's shards (the
 * JetStream backend's leases, src/backends/jetstream/coordination.ts). Embedded engines have none:
 * their runner polls every shard. With one, a runner polls only the shards its claim holds,
 * starts a shard from the checkpoint every process reads, and stops it when the claim loses it.
 */
import type { CheckpointRecord } from '../../mappings/types.js';

export interface ShardClaimEvents {
  /** This process now holds `shardId`; `checkpoint` is the shared one (undefined: none written yet). */
  acquired(shardId: string, checkpoint: CheckpointRecord | undefined): void;
  /**
   * Another process holds `shardId` now (or soon): stop delivering it. The returned promise
   * settles once the shard's poller stopped (its batch in flight finished).
   */
  lost(shardId: string): Promise<void> | undefined;
}

export interface MappingClaim {
  /** The shards the mapping wants polled now (listed, not drained); the claim takes its share. */
  offer(shardIds: readonly string[]): void;
  /**
   * Writes the shard's checkpoint where every process reads it. Rejects (and reports `lost`) when
   * another process wrote it since this one took the shard: that process's checkpoint stands.
   */
  commit(shardId: string, checkpoint: CheckpointRecord): Promise<void>;
  /** Gives every shard up so others take them at once (the mapping stops or the engine closes). */
  close(): Promise<void>;
}

export interface MappingCoordination {
  /** Joins the processes running the mapping of `functionArn` to `eventSourceArn`. */
  join(mapping: { functionArn: string; eventSourceArn: string }, events: ShardClaimEvents): MappingClaim;
}
