/**
 * The in-memory tail of a shard: the last records appended, kept for the pull pollers so a poller
 * close behind the writers reads without LevelDB. Only committed appends enter it (ShardLog adds
 * each append after its batch is durable), and it is dropped whenever records are removed from
 * storage (trim, shard drop, stream delete), so it never shows what storage would not.
 */

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

/** The last records appended to a shard, contiguous: every record after `after` up to the last. */
export interface ShardTail {
  /** Sequence number of the record just before the first one kept; undefined: the shard start. */
  after: string | undefined;
  /** One array per append, in order. */
  chunks: TailRecord[][];
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
  const chunks = tail.chunks;
  // Find the first chunk holding a record after `after` (pollers read near the end).
  let c = chunks.length;
  while (c > 0 && ((chunks[c - 1] as TailRecord[])[0] as TailRecord).sequenceNumber > after) c--;
  if (c > 0 && ((chunks[c - 1] as TailRecord[]).at(-1) as TailRecord).sequenceNumber > after) c--;
  const out: TailRecord[] = [];
  for (; c < chunks.length && out.length < limit; c++) {
    const chunk = chunks[c] as TailRecord[];
    let i = 0;
    if ((chunk[0] as TailRecord).sequenceNumber <= after) {
      // Binary search for the first record after `after`.
      let hi = chunk.length;
      while (i < hi) {
        const mid = (i + hi) >>> 1;
        if ((chunk[mid] as TailRecord).sequenceNumber <= after) i = mid + 1;
        else hi = mid;
      }
    }
    if (i >= chunk.length) continue;
    // One arrival time per append: an expired chunk sends the reader to storage, which skips it.
    if ((chunk[i] as TailRecord).arrivalMs < cutoff) return undefined;
    const take = Math.min(chunk.length, i + limit - out.length);
    for (; i < take; i++) out.push(chunk[i] as TailRecord);
  }
  return out;
}

/**
 * Adds one committed append to the tail (started at `previous`, the shard's last sequence number
 * before it, when there is none yet), dropping the oldest appends beyond the size bound.
 * `chunk` is the encoded append; record i's data starts at `dataStarts[i]` in it.
 */
export function appendToTail(
  tail: ShardTail | undefined,
  previous: string | undefined,
  sequences: readonly string[],
  encoded: Buffer,
  dataStarts: readonly number[],
  entries: readonly { partitionKey: string; data: Uint8Array }[],
  arrivalMs: number,
): ShardTail {
  const chunk = new Array<TailRecord>(sequences.length);
  for (let i = 0; i < sequences.length; i++) {
    const entry = entries[i] as { partitionKey: string; data: Uint8Array };
    const start = dataStarts[i] as number;
    chunk[i] = {
      sequenceNumber: sequences[i] as string,
      arrivalMs,
      partitionKey: entry.partitionKey,
      data: encoded.subarray(start, start + entry.data.byteLength),
    };
  }
  const kept = tail ?? { after: previous, chunks: [], size: 0 };
  kept.chunks.push(chunk);
  kept.size += chunk.length;
  while (kept.size > TAIL_MAX_RECORDS && kept.chunks.length > 1) {
    const dropped = kept.chunks.shift() as TailRecord[];
    kept.size -= dropped.length;
    kept.after = (dropped.at(-1) as TailRecord).sequenceNumber;
  }
  return kept;
}
