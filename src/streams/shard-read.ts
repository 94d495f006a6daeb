/**
 * Reading a shard back from storage: up to `limit` records after a position, in sequence order,
 * with batched `nextv` calls over the stored chunks (one per append; older values hold one record
 * each), skipping records past retention. Never loads the shard into memory. Stored values are
 * decoded by record-codec.ts (`visitStored`); they come from a {@link ChunkSource}: a LevelDB
 * iterator (`readStored`), or JetStream messages in the clustered backend.
 */
import { SEP } from '../storage/keys.js';
import type { Sub } from '../storage/storage.js';
import type { StreamRecord } from './model.js';
import { RECORD_HEADER_BYTES, visitStored } from './record-codec.js';
import { sequenceAt } from './sequence.js';
import type { Position, ReadResult, RecordDecorator, ShardState, StreamState } from './shard-types.js';

/** A read stops once its records reach this size (Kinesis's 10 MB per GetRecords). */
const RECORD_LIMIT_BYTES = 10 * 1024 * 1024;

export interface ReadOptions {
  /** Records that arrived before this (epoch ms) are past retention: skipped, not returned. */
  cutoff: number;
  decorator: RecordDecorator | undefined;
}

/**
 * Stored values of one shard in sequence order, from the first one that may hold a record at or
 * after the read's lower bound. Keys are the value's (last) sequence number after `keyOffset`
 * characters. `nextv` may return fewer than asked; an empty answer means nothing more is stored.
 */
export interface ChunkSource {
  readonly keyOffset: number;
  nextv(count: number): Promise<Array<[string, Buffer]>>;
  close(): Promise<void>;
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
  const lower = readLowerBound(shard, from, options.cutoff);
  const uid = stream.meta.uid;
  const iterator = stored.iterator({
    [lower.op]: uid + SEP + lower.sequence,
    lt: uid + SEP + shard.prefix + 'A',
    limit,
  });
  return readChunks(
    { keyOffset: uid.length + 1, nextv: (n) => iterator.nextv(n), close: () => iterator.close() },
    stream,
    shard,
    from,
    lower,
    limit,
    options,
  );
}

/** Reads the page from `source`; `lower` is {@link readLowerBound} of `from`, which the caller also seeks to. */
export async function readChunks(
  source: ChunkSource,
  stream: StreamState,
  shard: ShardState,
  from: Position,
  lower: Position,
  limit: number,
  options: ReadOptions,
): Promise<ReadResult> {
  const page = new Page(stream, shard, lower, limit, options);
  let exhausted = false;
  try {
    const keyOffset = source.keyOffset;
    read: while (page.wantsMore()) {
      const entries = await source.nextv(limit - page.seen);
      if (entries.length === 0) {
        exhausted = true;
        break;
      }
      for (const [key, value] of entries) {
        if (!visitStored(key, keyOffset, value, page.visit) || !page.wantsMore()) break read;
      }
    }
  } finally {
    await source.close();
  }
  return page.result(from, exhausted);
}

/** Where the read starts: `from`, or the oldest record retention keeps when that is later. */
export function readLowerBound(shard: ShardState, from: Position, cutoff: number): Position {
  const oldest = sequenceAt(shard.meta.index, cutoff);
  return oldest > from.sequence ? { op: 'gte', sequence: oldest } : from;
}

/** The records one read collects, and where it got to. */
class Page {
  readonly records: StreamRecord[] = [];
  seen = 0;
  #bytes = 0;
  #lastSeen: string | undefined;
  #lastArrival: number | undefined;
  #arrivalDate = new Date(0);

  constructor(
    private readonly stream: StreamState,
    private readonly shard: ShardState,
    private readonly lower: Position,
    private readonly limit: number,
    private readonly options: ReadOptions,
  ) {}

  wantsMore(): boolean {
    return this.seen < this.limit && this.#bytes < RECORD_LIMIT_BYTES;
  }

  /** One stored record: skipped before the lower bound (inside the first chunk), kept unless expired. */
  readonly visit = (
    sequenceNumber: string,
    arrival: number,
    value: Buffer,
    keyStart: number,
    keyEnd: number,
    dataStart: number,
    dataEnd: number,
  ): boolean => {
    const { op, sequence } = this.lower;
    if (op === 'gt' ? sequenceNumber <= sequence : sequenceNumber < sequence) return true;
    this.seen++;
    this.#lastSeen = sequenceNumber;
    if (arrival >= this.options.cutoff)
      this.#take(sequenceNumber, arrival, value, keyStart, keyEnd, dataStart, dataEnd);
    return this.wantsMore();
  };

  #take(
    sequenceNumber: string,
    arrival: number,
    value: Buffer,
    keyStart: number,
    keyEnd: number,
    dataStart: number,
    dataEnd: number,
  ): void {
    // Records of one write batch share their arrival time, and so one Date per page.
    if (arrival !== this.#lastArrival) this.#arrivalDate = new Date(arrival);
    this.#lastArrival = arrival;
    this.#bytes += RECORD_HEADER_BYTES + (keyEnd - keyStart) + (dataEnd - dataStart);
    const record: StreamRecord = {
      sequenceNumber,
      approximateArrivalTimestamp: this.#arrivalDate,
      data: value.subarray(dataStart, dataEnd),
      partitionKey: value.toString('utf8', keyStart, keyEnd),
    };
    const { decorator } = this.options;
    this.records.push(decorator ? decorator(record, this.stream.meta, this.shard.meta.shardId) : record);
  }

  result(from: Position, exhausted: boolean): ReadResult {
    const next: Position = this.#lastSeen === undefined ? from : { op: 'gt', sequence: this.#lastSeen };
    const last = this.shard.lastSequence;
    const caughtUp = exhausted || last === undefined || (next.op === 'gt' && next.sequence >= last);
    return {
      records: this.records,
      next,
      lastArrival: this.#lastArrival,
      caughtUp,
      shardEnded: caughtUp && this.shard.meta.closedAt !== undefined,
    };
  }
}
