/**
 * The in-memory tail of a shard: the last records appended, kept for the pull pollers so a poller
 * close behind the writers reads without LevelDB. Only committed appends enter it (ShardLog adds
 * each append after its batch is durable), and it is dropped whenever records are removed from
 * storage (trim, shard drop, stream delete), so it never shows what storage would not.
 */
import { chunkRecordAt, chunkSequenceAt } from './record-codec.js';

/**
 * A record as the pull pollers take it, straight from an append: `data` is a view on the log's
 * own copy of the bytes (never the caller's buffer) and must not be modified.
 */
export interface TailRecord {
  readonly sequenceNumber: string;
  readonly arrivalMs: number;
  readonly partitionKey: string;
  readonly data: Buffer;
}

/**
 * One committed append as the tail keeps it: the encoded chunk (record-codec.ts) and where each
 * record starts in it. Records become objects only when a poller reads them, so the thousands of
 * records kept per shard are no long-lived heap objects for the GC to copy and promote (the chunk
 * is off the V8 heap).
 */
interface TailAppend {
  readonly first: string;
  readonly last: string;
  readonly arrivalMs: number;
  readonly encoded: Buffer;
  readonly offsets: Uint32Array;
}

/** The last records appended to a shard, contiguous: every record after `after` up to the last. */
export interface ShardTail {
  /** Sequence number of the record just before the first one kept; undefined: the shard start. */
  after: string | undefined;
  /** One entry per append, in order. */
  appends: TailAppend[];
  size: number;
}

/** Records kept per shard (about 1.5 MB of 100-byte records). */
const TAIL_MAX_RECORDS = 8192;

/**
 * Up to `limit` records after `after`, or undefined when the tail does not cover `after` or a
 * record it would return arrived before `cutoff` (expired: storage skips it).
 */
export function readShardTail(
  tail: ShardTail,
  after: string,
  limit: number,
  cutoff: number,
): TailRecord[] | undefined {
  if (tail.after !== undefined && after < tail.after) return undefined;
  const appends = tail.appends;
  // Find the first append holding a record after `after` (pollers read near the end).
  let c = appends.length;
  while (c > 0 && (appends[c - 1] as TailAppend).first > after) c--;
  if (c > 0 && (appends[c - 1] as TailAppend).last > after) c--;
  const out: TailRecord[] = [];
  for (; c < appends.length && out.length < limit; c++) {
    const append = appends[c] as TailAppend;
    const { encoded, offsets, arrivalMs } = append;
    let i = 0;
    if (append.first <= after) {
      // Binary search for the first record after `after`.
      let hi = offsets.length;
      while (i < hi) {
        const mid = (i + hi) >>> 1;
        if (chunkSequenceAt(encoded, offsets[mid] as number) <= after) i = mid + 1;
        else hi = mid;
      }
    }
    if (i >= offsets.length) continue;
    // One arrival time per append: an expired append sends the reader to storage, which skips it.
    if (arrivalMs < cutoff) return undefined;
    const take = Math.min(offsets.length, i + limit - out.length);
    for (; i < take; i++) out.push(chunkRecordAt(encoded, offsets[i] as number, arrivalMs));
  }
  return out;
}

/**
 * Adds one committed append to the tail (started at `previous`, the shard's last sequence number
 * before it, when there is none yet), dropping the oldest appends beyond the size bound.
 * `encoded` is the encoded append, its records at `offsets`, the first and last numbered as given.
 */
export function appendToTail(
  tail: ShardTail | undefined,
  previous: string | undefined,
  first: string,
  last: string,
  encoded: Buffer,
  offsets: Uint32Array,
  arrivalMs: number,
): ShardTail {
  const kept = tail ?? { after: previous, appends: [], size: 0 };
  kept.appends.push({ first, last, arrivalMs, encoded, offsets });
  kept.size += offsets.length;
  while (kept.size > TAIL_MAX_RECORDS && kept.appends.length > 1) {
    const dropped = kept.appends.shift() as TailAppend;
    kept.size -= dropped.offsets.length;
    kept.after = dropped.last;
  }
  return kept;
}
