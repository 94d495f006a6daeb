/**
 * A per-process sorted index of each listed bucket's live keys, so a page of `listObjects` on
 * the JetStream backend costs what the page needs rather than a read of every key.
 *
 * - **Loaded once** per bucket, on its first listing (or `hasObjects`): the last description of
 *   every key, read through an ordered consumer, sorted in UTF-8 byte order. The index remembers
 *   the highest stream sequence it has applied.
 * - **Caught up at every call**: the descriptions published after that sequence, read from the
 *   stream leader (`{seq, next_by_subj: '$O.<store>.M.>'}`, one request each, the last one
 *   answering "none"); past {@link CATCH_UP_GETS} of them the rest come through an ordered
 *   consumer from that sequence. The call's answer is therefore current as of a request made
 *   after the call began: a put acknowledged by any process before it is listed, a delete is
 *   gone. With nothing new a page costs one request.
 * - A catch-up's descriptions are applied at once, synchronously, so a cursor reading meanwhile
 *   never sees half of one; cursors keep their position as a key, not an array index, so a
 *   catch-up of another listing moving the array under them changes nothing.
 * - **Memory:** one entry (key, eTag, size, time: about 180 bytes plus the key; 204 bytes
 *   measured for 20-character keys) per live key of each bucket this process lists, for at most
 *   {@link MAX_INDEXED_BUCKETS} buckets (the least recently listed one is dropped first, and
 *   loaded again when listed again). A deleted bucket's index is dropped at once.
 */
import type { ListCursor, ListedObject, ListRange } from '../../buckets/listing.js';
import { parse } from './object-descriptions.js';

/** A description message of a bucket's store: its stream sequence and body. */
export interface StoredDescription {
  seq: number;
  data: Uint8Array;
}

/** Where an index reads a bucket's descriptions (its object store's `$O.<store>.M.>` subjects). */
export interface DescriptionReader {
  /** The last description of every key, each handed to `each` in stream order. */
  lastPerKey(bucket: string, each: (d: StoredDescription) => void): Promise<void>;
  /** The first description with a stream sequence above `after`, read from the leader. */
  next(bucket: string, after: number): Promise<StoredDescription | undefined>;
  /** Every description above `after`, in stream order, until none is pending. */
  since(bucket: string, after: number, each: (d: StoredDescription) => void): Promise<void>;
}

/** Descriptions read one request each in a catch-up before switching to a consumer. */
export const CATCH_UP_GETS = 8;
/** Buckets indexed at once per process (least recently listed dropped first). */
export const MAX_INDEXED_BUCKETS = 64;
/** Above this many changes in one catch-up, the key order is rebuilt by one sort. */
const SPLICE_LIMIT = 64;

/**
 * Compares as UTF-8 bytes (= code points) without encoding: UTF-16 code units compare the same
 * except that a surrogate (a code point above U+FFFF) must sort after U+E000..U+FFFF.
 */
export function codePointCompare(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800) x = x < 0xe000 ? x + 0x2000 : x - 0x800;
    if (y >= 0xd800) y = y < 0xe000 ? y + 0x2000 : y - 0x800;
    return x - y;
  }
  return a.length - b.length;
}

/** A bucket's live keys in UTF-8 order with what a listing shows of each. */
export class BucketIndex {
  /** Highest stream sequence applied. */
  #seq = 0;
  #keys: string[] = [];
  readonly #objects = new Map<string, ListedObject>();

  get size(): number {
    return this.#objects.size;
  }

  get seq(): number {
    return this.#seq;
  }

  /** Applies descriptions in stream order, all at once (no cursor sees part of them). */
  apply(batch: readonly StoredDescription[]): void {
    const rebuild = batch.length > SPLICE_LIMIT;
    for (const { seq, data } of batch) {
      if (seq <= this.#seq) continue;
      this.#seq = seq;
      const found = parse(seq, data);
      if (!found) continue;
      const key = found.description.name;
      const had = this.#objects.has(key);
      if (found.description.deleted || !found.facts) {
        if (!had) continue;
        this.#objects.delete(key);
        if (!rebuild) this.#keys.splice(this.#lowerBound(key, true), 1);
        continue;
      }
      this.#objects.set(key, {
        key,
        lastModified: found.facts.lastModified,
        eTag: found.facts.eTag,
        size: found.description.size,
      });
      if (!had && !rebuild) this.#keys.splice(this.#lowerBound(key, true), 0, key);
    }
    if (rebuild) this.#keys = [...this.#objects.keys()].sort(codePointCompare);
  }

  /** A cursor over the keys within `range`, reading the index as it is at each call. */
  cursor(range: ListRange): ListCursor {
    const floor =
      range.gt !== undefined
        ? { key: range.gt, inclusive: false }
        : { key: range.gte ?? '', inclusive: true };
    let from = floor;
    return {
      nextv: async (count) => {
        const out: ListedObject[] = [];
        for (let i = this.#lowerBound(from.key, from.inclusive); i < this.#keys.length; i++) {
          if (out.length === count) break;
          const key = this.#keys[i] as string;
          if (range.lt !== undefined && codePointCompare(key, range.lt) >= 0) break;
          const object = this.#objects.get(key);
          if (object) out.push(object);
        }
        const last = out.at(-1);
        if (last) from = { key: last.key, inclusive: false };
        return out;
      },
      seek: (key) => {
        // Never before the range's start.
        const c = codePointCompare(key, floor.key);
        from = c > 0 || (c === 0 && floor.inclusive) ? { key, inclusive: true } : floor;
      },
      close: async () => {},
    };
  }

  /** The first position whose key is >= `key` (`inclusive`) or > `key`. */
  #lowerBound(key: string, inclusive: boolean): number {
    let lo = 0;
    let hi = this.#keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = codePointCompare(this.#keys[mid] as string, key);
      if (c < 0 || (c === 0 && !inclusive)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** The indexes of the buckets this process lists, each kept current at every call. */
export class BucketIndexes {
  readonly #reader: DescriptionReader;
  /** In least recently used order (a Map iterates in insertion order). */
  readonly #indexes = new Map<string, Indexed>();

  constructor(reader: DescriptionReader) {
    this.#reader = reader;
  }

  /** The ListSource of the JetStream bucket store. */
  readonly list = async (bucket: string, range: ListRange): Promise<ListCursor> =>
    (await this.current(bucket)).cursor(range);

  async hasObjects(bucket: string): Promise<boolean> {
    return (await this.current(bucket)).size > 0;
  }

  /** The bucket's index with every description stored before this call applied. */
  current(bucket: string): Promise<BucketIndex> {
    let indexed = this.#indexes.get(bucket);
    if (indexed) this.#indexes.delete(bucket);
    else indexed = { index: undefined, tail: Promise.resolve(), queued: undefined };
    this.#indexes.set(bucket, indexed);
    for (const name of this.#indexes.keys()) {
      if (this.#indexes.size <= MAX_INDEXED_BUCKETS) break;
      this.#indexes.delete(name);
    }
    const entry = indexed;
    // Calls arriving while a catch-up runs share the next one, which starts after they did.
    if (!entry.queued) {
      const run = entry.tail
        .catch(() => undefined)
        .then(() => {
          entry.queued = undefined;
          return this.#refresh(bucket, entry);
        });
      entry.queued = run;
      entry.tail = run;
    }
    return entry.queued;
  }

  /** Drops the bucket's index (the bucket was deleted here). */
  forget(bucket: string): void {
    this.#indexes.delete(bucket);
  }

  clear(): void {
    this.#indexes.clear();
  }

  async #refresh(bucket: string, entry: Indexed): Promise<BucketIndex> {
    const batch: StoredDescription[] = [];
    const add = (d: StoredDescription) => batch.push(d);
    if (!entry.index) {
      await this.#reader.lastPerKey(bucket, add);
      // Last per key arrives in stream order of each key's last message, newer ones after.
      batch.sort((a, b) => a.seq - b.seq);
      const index = new BucketIndex();
      index.apply(batch);
      entry.index = index;
      return index;
    }
    const index = entry.index;
    let after = index.seq;
    for (let i = 0; i < CATCH_UP_GETS; i++) {
      const next = await this.#reader.next(bucket, after);
      if (!next) {
        index.apply(batch);
        return index;
      }
      batch.push(next);
      after = next.seq;
    }
    await this.#reader.since(bucket, after, add);
    index.apply(batch);
    return index;
  }
}

interface Indexed {
  index: BucketIndex | undefined;
  /** The last catch-up started (or finished). */
  tail: Promise<unknown>;
  /** A catch-up not yet started, which calls arriving now join. */
  queued: Promise<BucketIndex> | undefined;
}
