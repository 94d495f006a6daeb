/**
 * Shard leases in a JetStream KV bucket, the way the Kinesis Client Library splits a stream's
 * shards between workers: a lease is a key holding its owner's id. Taking one is `create` (fails
 * if someone holds it), renewing is `update` with the revision last written (fails if someone
 * else wrote since: the lease is lost, stop processing), and the bucket's TTL (a few renew
 * intervals) frees the leases of a process that stopped renewing. Every process also keeps an
 * `owner.<id>` key alive, so each can count the live processes and hold at most
 * ceil(shards / processes) leases: a newcomer gets its share as the others give up their extras.
 *
 * Ownership is decided only by compare-and-set writes: a KV read may lag a write (reference/
 * jetstream.md), so reads only guide which free leases to try.
 */
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { contended } from './contended.js';
import { storedKeys } from './kv-keys.js';

export interface LeaseEvents {
  acquired(key: string): void;
  lost(key: string): void;
  /**
   * Before a lease is given up (balance, shutdown): resolves once its shard stopped here, so the
   * next owner never delivers it while this process still does.
   */
  releasing(key: string): Promise<void>;
}

export interface ShardLeasesOptions {
  /** This process's id: unique among the processes sharing the bucket. */
  readonly owner: string;
  /** Called when a lease is taken or lost (renewal refused, released for balance). */
  readonly events?: Partial<LeaseEvents>;
  /**
   * Who to share with: only processes in the same group count as live owners (a mapping's
   * runners; a process without the mapping must not be given a share of its shards).
   */
  readonly group?: string;
}

const LEASE = 'lease.';
const OWNER = 'owner.';

export class ShardLeases {
  readonly #kv: KV;
  readonly #owner: string;
  /** `owner.[group.]`: the keys of the live processes this one shares with. */
  readonly #owners: string;
  readonly #events: Partial<LeaseEvents>;
  /** Lease key -> revision of our last write. */
  readonly #held = new Map<string, number>();

  constructor(kv: KV, options: ShardLeasesOptions) {
    this.#kv = kv;
    this.#owner = options.owner;
    this.#owners = options.group === undefined ? OWNER : `${OWNER}${options.group}.`;
    this.#events = options.events ?? {};
  }

  /** The leases this process holds (by the last compare-and-set that succeeded). */
  held(): string[] {
    return [...this.#held.keys()].sort();
  }

  /**
   * One round: renew what is held (dropping what was lost), announce this process as live, then
   * give up leases above this process's share or take free ones up to it. Call it every renew
   * interval; the bucket's TTL must be a few intervals.
   */
  async rebalance(keys: readonly string[]): Promise<void> {
    await this.#renew();
    await this.#kv.put(this.#owners + this.#owner, this.#owner);
    // Every process reads the same sorted owner list: the first (keys mod owners) get one more.
    const owners = await this.#liveOwners();
    const index = Math.max(0, owners.indexOf(this.#owner));
    const count = Math.max(1, owners.length);
    const share = Math.floor(keys.length / count) + (index < keys.length % count ? 1 : 0);
    const wanted = new Set(keys);
    for (const key of this.held()) if (!wanted.has(key)) await this.release(key);
    let extra = this.#held.size - share;
    for (const key of this.held().reverse()) {
      if (extra <= 0) break;
      await this.release(key);
      extra--;
    }
    for (const key of keys) {
      if (this.#held.size >= share) break;
      if (this.#held.has(key)) continue;
      await this.#take(key);
    }
  }

  /** Gives a lease up (balance, shutdown) so another process takes it without waiting for the TTL. */
  async release(key: string): Promise<void> {
    const revision = this.#held.get(key);
    if (revision === undefined) return;
    await this.#events.releasing?.(key);
    this.#held.delete(key);
    try {
      await this.#kv.delete(LEASE + key, { previousSeq: revision });
    } catch {
      // Someone else wrote it since: it was not ours any more anyway.
    }
    this.#events.lost?.(key);
  }

  /** Releases every lease and the owner key (a clean shutdown). */
  async close(): Promise<void> {
    for (const key of this.held()) await this.release(key);
    await this.#kv.delete(this.#owners + this.#owner).catch(() => undefined);
  }

  async #take(key: string): Promise<void> {
    try {
      const revision = await this.#kv.create(LEASE + key, this.#owner);
      this.#held.set(key, revision);
      this.#events.acquired?.(key);
    } catch {
      // Held by another live process: its renewals keep it until it dies or gives it up.
    }
  }

  async #renew(): Promise<void> {
    for (const [key, revision] of [...this.#held]) {
      try {
        this.#held.set(key, await this.#kv.update(LEASE + key, this.#owner, revision));
      } catch {
        this.#held.delete(key);
        this.#events.lost?.(key);
      }
    }
  }

  /** The ids of the live processes of the group, sorted. */
  async #liveOwners(): Promise<string[]> {
    const owners: string[] = [];
    for (const key of await storedKeys(this.#kv, `${this.#owners}*`)) {
      // A process that closed deleted its key (the marker stays listed): only live values count.
      const entry = await this.#kv.get(key);
      if (entry?.operation === 'PUT') owners.push(key.slice(this.#owners.length));
    }
    return owners;
  }
}

/** Opens (creating if needed) the lease bucket: a key lives `ttlMs` after its last write. */
export async function openLeaseBucket(
  nc: NatsConnection,
  options: { prefix: string; ttlMs: number; replicas: number },
): Promise<KV> {
  return contended(() =>
    new Kvm(nc).create(`${options.prefix}_leases`, {
      ttl: options.ttlMs,
      history: 1,
      replicas: options.replicas,
    }),
  );
}
