/**
 * Table items on the cluster: one KV bucket `<prefix>_items` (history 1, reads from the stream
 * leader) holding every table's items under `<table uid>.<partition>[.<sort>]` (item-keys.ts),
 * so every engine process reads and conditions on the same items.
 *
 * A write is a compare-and-set on the item's revision: read, decide (the condition is evaluated
 * on what was read), write conditionally on that revision; a lost race reads and decides again,
 * so a condition checked on one process is never overtaken by another's write. The item and its
 * change record cannot be one atomic write here, so the KV value carries the change
 * (`c`, a {@link PendingChange}) until it is on the table's stream:
 *
 * 1. the item is written with its pending change (the commit point: from here the write happened);
 * 2. the change is appended to the stream, its partition key ending with the change's id;
 * 3. the value is written again without it (compare-and-set on step 1's revision).
 *
 * A pending change found later is settled before the item is written again: the writer that
 * finds it waits a few seconds for its maker to finish, then takes it over (compare-and-set: one
 * taker), looks for its id in the item's shards from the change's time on, and appends it only if
 * it is not there. Every process also journals the keys (and change ids) of its pending changes in
 * its own LevelDB (before step 1, removed after step 3), so after a crash it settles them when it
 * opens again (only those still owed: another process's newer change is left to its owner).
 */
import { randomBytes } from 'node:crypto';
import { type Bucket, type KV, type KvEntry, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { LambdaliteError } from '../../errors.js';
import type { Storage, Sub } from '../../storage/storage.js';
import type { AttributeMap, QueryInput, QueryOutput, TableMeta } from '../../tables/model.js';
import { type ItemRange, runQuery } from '../../tables/query.js';
import type {
  ChangeOutlet,
  ItemDecision,
  ItemWritten,
  PendingChange,
  SharedTableItems,
} from '../../tables/table-items.js';
import { contended } from './contended.js';
import { kvItemKey, partitionFilter, storageKeyIn } from './item-keys.js';
import { storedKeys } from './kv-keys.js';
import { isWrongRevision } from './kv-records.js';

export interface JetStreamTableItemsOptions {
  readonly prefix: string;
  readonly replicas: number;
  /**
   * Real-time ms a writer waits for another process to finish a write it found half done (its
   * change not yet on the stream) before taking the change over.
   */
  readonly pendingWaitMs: number;
}

/** The stored value: the item (absent: deleted) and the change it still owes the stream. */
interface StoredItem {
  i?: AttributeMap;
  c?: PendingChange;
  /** The writer (store instance) that owns `c`. */
  w?: string;
}

/** Compare-and-set rounds lost in a row before the write is refused as throttled. */
const MAX_ROUNDS = 50;
/** Items read at once while a query fills a page. */
const READ_AHEAD = 32;

export class JetStreamTableItems implements SharedTableItems {
  readonly #nc: NatsConnection;
  /** The bucket, made on first use: a process that never touches an item makes no Raft group for it. */
  #made: Promise<KV> | undefined;
  readonly #bucket: string;
  readonly #journal: Sub<string>;
  readonly #options: JetStreamTableItemsOptions;
  readonly #writer = randomBytes(6).toString('hex');

  constructor(nc: NatsConnection, storage: Storage, options: JetStreamTableItemsOptions) {
    this.#nc = nc;
    this.#bucket = `${options.prefix}_items`;
    this.#journal = storage.sublevel<string>('table-item-changes', 'utf8');
    this.#options = options;
  }

  /** The KV bucket (created when missing; other processes may be creating it too: contended.ts). */
  #kv(): Promise<KV> {
    if (!this.#made) {
      const made = contended(() =>
        new Kvm(this.#nc).create(this.#bucket, {
          history: 1,
          replicas: this.#options.replicas,
          allow_direct: false,
        }),
      );
      made.catch(() => {
        if (this.#made === made) this.#made = undefined;
      });
      this.#made = made;
    }
    return this.#made;
  }

  async get(_meta: TableMeta, storageKey: string): Promise<AttributeMap | undefined> {
    const key = kvItemKey(storageKey);
    return decode(await (await this.#kv()).get(key))?.i;
  }

  query(meta: TableMeta, input: QueryInput): Promise<QueryOutput> {
    return runQuery(this.#range(meta), meta, input);
  }

  async write(
    meta: TableMeta,
    storageKey: string,
    decide: ItemDecision,
    change: (old: AttributeMap | undefined, image: AttributeMap | undefined) => PendingChange | undefined,
    outlet: ChangeOutlet,
  ): Promise<ItemWritten> {
    const key = kvItemKey(storageKey);
    const kv = await this.#kv();
    for (let round = 1; ; round++) {
      if (round > MAX_ROUNDS) {
        throw new LambdaliteError(
          'ProvisionedThroughputExceededException',
          `the item ${JSON.stringify(key)} of table '${meta.name}' is being written by other engine processes ` +
            `at the same moment: ${MAX_ROUNDS} writes in a row came after another one; retry`,
        );
      }
      const entry = await kv.get(key);
      const revision = entry?.revision ?? 0;
      const stored = decode(entry);
      const old = stored?.i;
      // The condition is judged on the item as stored: a change still owed the stream is
      // written already (step 1 is the commit point).
      const decision = decide(old);
      if (decision === undefined) return { old, image: old, changed: false };
      // This write's change must come after the owed one on the stream.
      if (stored?.c) {
        await this.#settle(meta, key, revision, stored, outlet);
        continue;
      }
      const image = decision.image;
      const pending = change(old, image);
      if (!pending) {
        if (await this.#plainWrite(key, image, revision)) return { old, image, changed: true };
        continue;
      }
      await this.#journal.put(key, `${meta.uid} ${pending.id}`);
      let written: number;
      try {
        const value = JSON.stringify({ ...(image ? { i: image } : {}), c: pending, w: this.#writer });
        written = revision === 0 ? await kv.create(key, value) : await kv.update(key, value, revision);
      } catch (err) {
        await this.#journal.del(key);
        if (isWrongRevision(err)) continue;
        throw err;
      }
      const sequenceNumber = await outlet.publish(meta, pending);
      await this.#clear(key, image, written);
      await this.#journal.del(key);
      return { old, image, changed: true, sequenceNumber };
    }
  }

  async drop(uid: string): Promise<void> {
    const kv = await this.#kv();
    const bucket = kv as Bucket;
    await bucket.jsm.streams.purge(bucket.stream, { filter: `$KV.${this.#bucket}.${uid}.>` });
    await this.#journal.clear({ gte: `${uid}.`, lt: `${uid}/` });
  }

  async recover(find: (uid: string) => TableMeta | undefined, outlet: ChangeOutlet): Promise<void> {
    const owed = await this.#journal.iterator().all();
    if (owed.length === 0) return;
    const kv = await this.#kv();
    for (const [key, journaled] of owed) {
      const [uid = '', id] = journaled.split(' ');
      const meta = find(uid);
      try {
        const entry = meta ? await kv.get(key) : null;
        const stored = decode(entry);
        // Only the change this process owed: another one there now is a live process's write.
        if (meta && entry && stored?.c && stored.c.id === id) {
          await this.#takeOver(meta, key, entry.revision, stored, outlet);
        }
        await this.#journal.del(key);
      } catch {
        // Left journaled: the next open tries again, and the item's next write settles it anyway.
      }
    }
  }

  /** A write of a table without a stream: no change to carry. False when the revision moved. */
  async #plainWrite(key: string, image: AttributeMap | undefined, revision: number): Promise<boolean> {
    const kv = await this.#kv();
    try {
      if (image === undefined) {
        if (revision !== 0) await kv.delete(key, { previousSeq: revision });
      } else {
        const value = JSON.stringify({ i: image });
        if (revision === 0) await kv.create(key, value);
        else await kv.update(key, value, revision);
      }
      return true;
    } catch (err) {
      if (isWrongRevision(err)) return false;
      throw err;
    }
  }

  /**
   * Step 3: the value without its change. Refused only when another process took the change
   * over meanwhile (it settles and clears it).
   */
  async #clear(key: string, image: AttributeMap | undefined, revision: number): Promise<void> {
    const kv = await this.#kv();
    try {
      if (image === undefined) await kv.delete(key, { previousSeq: revision });
      else await kv.update(key, JSON.stringify({ i: image }), revision);
    } catch (err) {
      if (!isWrongRevision(err)) throw err;
    }
  }

  /**
   * A change found still owed the stream. Another process's: wait for it to finish (the value's
   * revision moves), then take it over. This store's own (an earlier publish of it failed):
   * settle it at once. The caller reads the item again afterwards.
   */
  async #settle(
    meta: TableMeta,
    key: string,
    revision: number,
    stored: StoredItem,
    outlet: ChangeOutlet,
  ): Promise<void> {
    if (stored.w !== this.#writer && (await this.#movesWithin(key, revision, this.#options.pendingWaitMs)))
      return;
    await this.#takeOver(meta, key, revision, stored, outlet);
  }

  /**
   * Claims the owed change (compare-and-set: of several processes finding it, one settles it),
   * appends it unless its record is on the stream already, and clears it.
   */
  async #takeOver(
    meta: TableMeta,
    key: string,
    revision: number,
    stored: StoredItem,
    outlet: ChangeOutlet,
  ): Promise<void> {
    const change = stored.c as PendingChange;
    const kv = await this.#kv();
    let claimed = revision;
    if (stored.w !== this.#writer) {
      try {
        claimed = await kv.update(key, JSON.stringify({ ...stored, w: this.#writer }), revision);
      } catch (err) {
        if (isWrongRevision(err)) return;
        throw err;
      }
    }
    if (!(await outlet.published(meta, change))) await outlet.publish(meta, change);
    await this.#clear(key, stored.i, claimed);
  }

  /** Whether the key's revision moves from `revision` within `ms` of real time (polled). */
  async #movesWithin(key: string, revision: number, ms: number): Promise<boolean> {
    const until = Date.now() + ms;
    const kv = await this.#kv();
    for (let pause = 10; Date.now() < until; pause = Math.min(pause * 2, 200)) {
      await new Promise((resolve) => setTimeout(resolve, pause));
      if (((await kv.get(key))?.revision ?? 0) !== revision) return true;
    }
    return false;
  }

  /** One partition's items in key order, for runQuery (bounds compared as UTF-8 bytes, as LevelDB does). */
  #range(meta: TableMeta): ItemRange {
    return {
      iterator: (options, partition) => {
        let keys: string[] | undefined;
        let at = 0;
        let returned = 0;
        const inRange = (k: string): boolean =>
          (options.gt === undefined || bytes(k, options.gt) > 0) &&
          (options.gte === undefined || bytes(k, options.gte) >= 0) &&
          (options.lt === undefined || bytes(k, options.lt) < 0) &&
          (options.lte === undefined || bytes(k, options.lte) <= 0);
        return {
          nextv: async (size) => {
            const kv = await this.#kv();
            if (keys === undefined) {
              const listed = await storedKeys(kv, partitionFilter(meta.uid, partition, !!meta.sortKey));
              keys = listed.filter((k) => inRange(storageKeyIn(k, meta.uid, partition)));
              if (options.reverse) keys.reverse();
            }
            const out: Array<[string, AttributeMap]> = [];
            const wanted = Math.min(size, options.limit ? options.limit - returned : size);
            while (out.length < wanted && at < keys.length) {
              const batch = keys.slice(at, at + Math.min(READ_AHEAD, wanted - out.length));
              at += batch.length;
              const entries = await Promise.all(batch.map((k) => kv.get(k)));
              batch.forEach((k, i) => {
                // Deleted keys keep a marker on the stream: listed, but without an item.
                const item = decode(entries[i])?.i;
                if (item) out.push([storageKeyIn(k, meta.uid, partition), item]);
              });
            }
            returned += out.length;
            return out;
          },
          close: async () => {},
        };
      },
    };
  }
}

function decode(entry: KvEntry | null | undefined): StoredItem | undefined {
  if (entry?.operation !== 'PUT' || entry.length === 0) return undefined;
  return entry.json() as StoredItem;
}

function bytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
