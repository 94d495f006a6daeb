/**
 * Reading a shard back: up to `limit` records after a position, in sequence order, with batched
 * `nextv` calls over the stored chunks (one per append; older LevelDB values hold one record
 * each), skipping records past retention. Never loads the shard into memory. The chunks come from
 * a {@link ChunkSource}: a LevelDB iterator here, JetStream messages in the clustered backend.
 */
import { SEP } from '../storage/keys.js';
import type { Sub } from '../storage/storage.js';
import type { StreamRecord } from './model.js';
import { CHUNK_HEADER_BYTES, CHUNK_MARK, RECORD_HEADER_BYTES } from './record-codec.js';
import { sequenceAt } from './sequence.js';
import type { Position, ReadResult, RecordDecorator, ShardState, StreamState } from './shard-types.js';

/** A read stops once its records reach this size (Kinesis's 10 MB per GetRecords). */
const RECORD_LIMIT_BYTES = 10 * 1024 * 1024;

export interface ReadOptions {
  /** Engine-clock ms before which records are expired. */
  cutoff: number;
  decorator: RecordDecorator | undefined;
}

/**
 * Stored chunks of one shard in sequence order, from the first one that may hold a record at or
 * after a lower bound. Keys are the chunk's last sequence number after `keyOffset` characters
 * (a single-record value's own sequence number).
 */
export interface ChunkSource {
  readonly keyOffset: number;
  nextv(count: number): Promise<Array<[string, Buffer]>>;
  close(): Promise<void>;
}

/** The first position a read may return: `from`, or the retention cutoff if later. */
export function readLowerBound(shard: ShardState, from: Position, cutoff: number): Position {
  const oldest = sequenceAt(shard.meta.index, cutoff);
  return oldest > from.sequence ? { op: 'gte', sequence: oldest } : from;
}

/** {@link readChunks} over the LevelDB sublevel of records. */
export function readStored(
  stored: Sub<Buffer>,
  stream: StreamState,
  shard: ShardState,
  from: Position,
  limit: number,
  options: ReadOptions,
): Promise<ReadResult> {
  const uid = stream.meta.uid;
  const lower = readLowerBound(shard, from, options.cutoff);
  const range = { [lower.op]: uid + SEP + lower.sequence, lt: uid + SEP + shard.prefix + 'A', limit };
  const iterator = stored.iterator(range);
  return readChunks(
    { keyOffset: uid.length + 1, nextv: (n) => iterator.nextv(n), close: () => iterator.close() },
    stream,
    shard,
    from,
    limit,
    options,
  );
}

export async function readChunks(
  source: ChunkSource,
  stream: StreamState,
  shard: ShardState,
  from: Position,
  limit: number,
  options: ReadOptions,
): Promise<ReadResult> {
  const { cutoff, decorator } = options;
  const lower = readLowerBound(shard, from, cutoff);
  const records: StreamRecord[] = [];
  const keyOffset = source.keyOffset;
  // Records at or before the lower bound inside the first chunk are not part of the read.
  const bound = lower.sequence;
  const strict = lower.op === 'gt';
  let lastSeen: string | undefined;
  let seen = 0;
  let bytes = 0;
  let lastArrival: number | undefined;
  let arrivalDate = new Date(0);
  let exhausted = false;
  const take = (
    sequenceNumber: string,
    arrival: number,
    value: Buffer,
    keyStart: number,
    keyEnd: number,
    dataStart: number,
    dataEnd: number,
  ): void => {
    // Records of one write batch share their arrival time, and so one Date per page.
    if (arrival !== lastArrival) arrivalDate = new Date(arrival);
    lastArrival = arrival;
    bytes += RECORD_HEADER_BYTES + (keyEnd - keyStart) + (dataEnd - dataStart);
    const record: StreamRecord = {
      sequenceNumber,
      approximateArrivalTimestamp: arrivalDate,
      data: value.subarray(dataStart, dataEnd),
      partitionKey: value.toString('utf8', keyStart, keyEnd),
    };
    records.push(decorator ? decorator(record, stream.meta, shard.meta.shardId) : record);
  };
  try {
    read: while (seen < limit && bytes < RECORD_LIMIT_BYTES) {
      const entries = await source.nextv(limit - seen);
      if (entries.length === 0) {
        exhausted = true;
        break;
      }
      for (const [key, value] of entries) {
        // Inline decode of record-codec.ts: this loop is the read hot path.
        if (value[0] !== CHUNK_MARK) {
          // A single record (the format before chunks), stored under its own sequence number.
          seen++;
          lastSeen = key.slice(keyOffset);
          const arrival = value.readDoubleBE(0);
          if (arrival >= cutoff) {
            const keyEnd = RECORD_HEADER_BYTES + value.readUInt16BE(8);
            take(lastSeen, arrival, value, RECORD_HEADER_BYTES, keyEnd, keyEnd, value.byteLength);
          }
        } else {
          const arrival = value.readDoubleBE(1);
          const count = value.readUInt32BE(9);
          let o = CHUNK_HEADER_BYTES;
          for (let i = 0; i < count; i++) {
            const length = value[o] as number;
            const sequenceNumber = value.toString('latin1', o + 1, o + 1 + length);
            const keyStart = o + 3 + length;
            const keyEnd = keyStart + value.readUInt16BE(o + 1 + length);
            const dataEnd = keyEnd + 4 + value.readUInt32BE(keyEnd);
            o = dataEnd;
            if (strict ? sequenceNumber <= bound : sequenceNumber < bound) continue;
            seen++;
            lastSeen = sequenceNumber;
            if (arrival >= cutoff)
              take(sequenceNumber, arrival, value, keyStart, keyEnd, keyEnd + 4, dataEnd);
            if (seen >= limit || bytes >= RECORD_LIMIT_BYTES) break read;
          }
        }
        if (bytes >= RECORD_LIMIT_BYTES) break;
      }
    }
  } finally {
    await source.close();
  }
  const next: Position = lastSeen === undefined ? from : { op: 'gt', sequence: lastSeen };
  const last = shard.lastSequence;
  const caughtUp = exhausted || last === undefined || (next.op === 'gt' && next.sequence >= last);
  return {
    records,
    next,
    lastArrival,
    caughtUp,
    shardEnded: caughtUp && shard.meta.closedAt !== undefined,
  };
}
