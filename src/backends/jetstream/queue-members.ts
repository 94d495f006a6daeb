/**
 * The engine processes that deliver from the shared async queue, so each can bound a function by
 * its share of the function's reserved concurrency. A KV bucket `<prefix>_queue_members` (TTL
 * `ttlMs`: the consumer's ack wait, after which a dead process's events also go to the others)
 * holds one key per live driver; each re-writes its key every `ttlMs / 3` and reads the list,
 * and a watch on the bucket reports a newcomer or a clean leaver at once. Every process sorts
 * the same list, so the shares of a reserved concurrency R over n processes are
 * floor(R / n), one more for the first R mod n: they add up to R (a process whose share is 0
 * leaves the function's events to the others).
 *
 * Not a lock: while views differ (a newcomer's key not yet seen by a process, a dead process's key
 * not yet expired) the shares may add up to more than R (until the next watch event or refresh,
 * about `ttlMs / 3` at most) or to less (until the TTL ends).
 */
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { BehaviorSubject, type Observable } from 'rxjs';
import { contended } from './contended.js';
import { storedKeys } from './kv-keys.js';

export interface QueueMembersOptions {
  readonly prefix: string;
  readonly replicas: number;
  /** A key lives this long after its last write. */
  readonly ttlMs: number;
}

/** Opens (creating when missing) the members bucket. */
export async function openMembersBucket(nc: NatsConnection, options: QueueMembersOptions): Promise<KV> {
  const kvm = new Kvm(nc);
  const bucket = `${options.prefix}_queue_members`;
  try {
    return await contended(() =>
      kvm.create(bucket, { ttl: options.ttlMs, history: 1, replicas: options.replicas }),
    );
  } catch (err) {
    // Made by a process with another ack wait: use it as it is.
    try {
      return await kvm.open(bucket);
    } catch {
      throw err;
    }
  }
}

export class QueueMembers {
  readonly #kv: KV;
  readonly #me: string;
  readonly #ttlMs: number;
  /** The live members as this process last listed them, sorted; it is among them once listed. */
  readonly #members = new BehaviorSubject<readonly string[]>([]);
  readonly members$: Observable<readonly string[]> = this.#members.asObservable();
  #timer: ReturnType<typeof setInterval> | undefined;
  #stopWatch: (() => void) | undefined;
  #refreshing: Promise<void> | undefined;
  #again = false;
  #closed = false;

  constructor(kv: KV, me: string, ttlMs: number) {
    this.#kv = kv;
    this.#me = me;
    this.#ttlMs = ttlMs;
  }

  /** Joins (key written, list read), then keeps the key alive and the list fresh. */
  async start(): Promise<void> {
    // The bucket may have been made by another process a moment ago (contended.ts).
    const watch = await contended(() => this.#kv.watch({ include: 'updates' }));
    this.#stopWatch = () => watch.stop();
    void (async () => {
      for await (const entry of watch) {
        // A newcomer or a leaver; a known member's renewal changes nothing (and answering every
        // renewal with a write of our own would have the members answer each other for ever).
        const known = this.#members.value.includes(entry.key);
        if (entry.key !== this.#me && (entry.operation === 'PUT') !== known) {
          void this.refresh().catch(() => undefined);
        }
      }
    })().catch(() => undefined);
    this.#timer = setInterval(
      () => void this.refresh().catch(() => undefined),
      Math.max(50, Math.floor(this.#ttlMs / 3)),
    );
    this.#timer.unref?.();
    await this.refresh();
  }

  /** This process's share of `reserved` among the live members (all of it when alone). */
  share(reserved: number): number {
    const members = this.#members.value;
    let index = members.indexOf(this.#me);
    let count = members.length;
    // Not listed yet: count this process in, last.
    if (index < 0) {
      index = count;
      count++;
    }
    return Math.floor(reserved / count) + (index < reserved % count ? 1 : 0);
  }

  /** Writes this process's key and lists the live members (one at a time; a call meanwhile runs once more). */
  refresh(): Promise<void> {
    if (this.#refreshing) {
      this.#again = true;
      return this.#refreshing;
    }
    this.#refreshing = (async () => {
      do {
        this.#again = false;
        if (this.#closed) return;
        await this.#kv.put(this.#me, this.#me);
        const live: string[] = [];
        for (const key of await storedKeys(this.#kv)) {
          // A process that closed deleted its key (the marker stays listed): only values count.
          const entry = await this.#kv.get(key);
          if (entry?.operation === 'PUT') live.push(key);
        }
        if (!this.#closed) this.#members.next(live.sort());
      } while (this.#again);
    })().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  /** Leaves: the others count without this process at once. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#stopWatch?.();
    await this.#refreshing?.catch(() => undefined);
    await this.#kv.delete(this.#me).catch(() => undefined);
    this.#members.complete();
  }
}
