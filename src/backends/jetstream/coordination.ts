/**
 * Mapping shards split between engine processes on one cluster (the MappingCoordination seam of
 * src/dispatch/pull/coordination.ts). Every process running a mapping joins a lease group named
 * by the mapping's function and source ARNs (the pair AWS allows one mapping for), so processes
 * that each created "the same" mapping share it. A timer renews and rebalances the group's
 * leases (leases.ts) every third of the lease time.
 *
 * Checkpoints live in a KV bucket (`<prefix>_checkpoints`, key `<group>.<shardId>`). Taking a
 * shard reads its entry and remembers the revision; every checkpoint is an update with that
 * revision (create when there was none), so a process that lost the shard and wakes up late
 * cannot move a checkpoint the new owner wrote: its write is refused and it stops delivering.
 * A stale read at take-over only makes the new owner's first write fail and start again from
 * the stored checkpoint: a batch may be delivered twice, never skipped.
 */
import { createHash } from 'node:crypto';
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type {
  MappingClaim,
  MappingCoordination,
  ShardClaimEvents,
} from '../../dispatch/pull/coordination.js';
import { LambdaliteError } from '../../errors.js';
import type { CheckpointRecord } from '../../mappings/types.js';
import { contended } from './contended.js';
import { openLeaseBucket, ShardLeases } from './leases.js';

export interface CoordinationOptions {
  readonly prefix: string;
  readonly replicas: number;
  /** Lease time: a dead process's shards move after at most this (plus one renew interval). */
  readonly leaseMs: number;
  /** This process's id among the processes on the cluster. */
  readonly owner: string;
}

interface Buckets {
  leases: KV;
  checkpoints: KV;
}

export class JetStreamCoordination implements MappingCoordination {
  readonly #nc: NatsConnection;
  readonly #options: CoordinationOptions;
  #buckets: Promise<Buckets> | undefined;

  constructor(nc: NatsConnection, options: CoordinationOptions) {
    this.#nc = nc;
    this.#options = options;
  }

  join(mapping: { functionArn: string; eventSourceArn: string }, events: ShardClaimEvents): MappingClaim {
    const group = createHash('sha256')
      .update(`${mapping.functionArn}\n${mapping.eventSourceArn}`)
      .digest('hex')
      .slice(0, 24);
    return new LeaseClaim(this.#open(), group, this.#options, events);
  }

  #open(): Promise<Buckets> {
    if (!this.#buckets) {
      const { prefix, replicas, leaseMs } = this.#options;
      this.#buckets = Promise.all([
        openLeaseBucket(this.#nc, { prefix, ttlMs: leaseMs, replicas }),
        contended(() => new Kvm(this.#nc).create(`${prefix}_checkpoints`, { history: 1, replicas })),
      ]).then(([leases, checkpoints]) => ({ leases, checkpoints }));
      this.#buckets.catch(() => {
        this.#buckets = undefined;
      });
    }
    return this.#buckets;
  }
}

class LeaseClaim implements MappingClaim {
  readonly #buckets: Promise<Buckets>;
  readonly #group: string;
  readonly #options: CoordinationOptions;
  readonly #events: ShardClaimEvents;
  #leases: ShardLeases | undefined;
  #wanted: readonly string[] = [];
  /** Shards handed to the runner, with the checkpoint entry's revision (0: none written yet). */
  readonly #revisions = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> | undefined;
  #closed = false;

  constructor(
    buckets: Promise<Buckets>,
    group: string,
    options: CoordinationOptions,
    events: ShardClaimEvents,
  ) {
    this.#buckets = buckets;
    this.#group = group;
    this.#options = options;
    this.#events = events;
  }

  offer(shardIds: readonly string[]): void {
    this.#wanted = [...shardIds];
    if (!this.#timer && !this.#round && !this.#closed) this.#schedule(0);
  }

  async commit(shardId: string, checkpoint: CheckpointRecord): Promise<void> {
    const revision = this.#revisions.get(shardId);
    if (revision === undefined) throw lostError(shardId);
    const { checkpoints } = await this.#buckets;
    const key = `${this.#group}.${shardId}`;
    const value = JSON.stringify(checkpoint);
    try {
      const next =
        revision === 0
          ? await checkpoints.create(key, value)
          : await checkpoints.update(key, value, revision);
      if (this.#revisions.has(shardId)) this.#revisions.set(shardId, next);
    } catch {
      // Not awaited: this runs inside the poller that the drop stops.
      void this.#drop(shardId);
      void this.#leases?.release(this.#leaseKey(shardId));
      throw lostError(shardId);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#round;
    // The runner stopped its pollers already (within its bound): nothing to wait for here.
    for (const shardId of [...this.#revisions.keys()]) void this.#drop(shardId);
    await this.#leases?.close();
  }

  /** Rounds start every third of the lease time, however long the last one took (a slow round must not stretch renewals past the TTL). */
  #schedule(ms: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const started = Date.now();
      this.#round = this.#rebalance()
        .catch(() => undefined)
        .finally(() => {
          this.#round = undefined;
          const interval = Math.floor(this.#options.leaseMs / 3);
          if (!this.#closed) this.#schedule(Math.max(0, interval - (Date.now() - started)));
        });
    }, ms);
    this.#timer.unref();
  }

  /** One renew round; then tells the runner which shards it gained and lost. */
  async #rebalance(): Promise<void> {
    const { leases, checkpoints } = await this.#buckets;
    this.#leases ??= new ShardLeases(leases, {
      owner: this.#options.owner,
      group: this.#group,
      // A shard given up stops here before its lease is deleted: no two processes deliver it at once.
      // Bounded: a long invocation must not hold up the renewal of the other leases.
      events: { releasing: (key) => this.#bounded(this.#drop(key.slice(this.#group.length + 1))) },
    });
    if (this.#closed) return;
    await this.#leases.rebalance(this.#wanted.map((id) => this.#leaseKey(id)));
    const held = new Set(this.#leases.held().map((key) => key.slice(this.#group.length + 1)));
    for (const shardId of [...this.#revisions.keys()]) if (!held.has(shardId)) void this.#drop(shardId);
    for (const shardId of held) {
      if (this.#revisions.has(shardId) || this.#closed) continue;
      const entry = await checkpoints.get(`${this.#group}.${shardId}`);
      const stored = entry?.operation === 'PUT' ? (entry.json() as CheckpointRecord) : undefined;
      this.#revisions.set(shardId, stored ? (entry?.revision ?? 0) : 0);
      this.#events.acquired(shardId, stored);
    }
  }

  #drop(shardId: string): Promise<void> | undefined {
    if (!this.#revisions.delete(shardId)) return undefined;
    return this.#events.lost(shardId);
  }

  async #bounded(stopped: Promise<void> | undefined): Promise<void> {
    if (!stopped) return;
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.floor(this.#options.leaseMs / 3));
    });
    await Promise.race([stopped, bound]);
    clearTimeout(timer);
  }

  #leaseKey(shardId: string): string {
    return `${this.#group}.${shardId}`;
  }
}

function lostError(shardId: string): LambdaliteError {
  return new LambdaliteError(
    'ServiceException',
    `shard ${shardId} is processed by another engine process now; its checkpoint stands`,
  );
}
