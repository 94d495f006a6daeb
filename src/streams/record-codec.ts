/**
 * Stored values, binary so that writes and reads stay close to raw LevelDB; nothing is
 * base64-encoded at rest. Appends are stored as chunks (one value per append, see
 * {@link encodeChunk}); the single-record format, [arrival ms, float64 BE][partition key byte
 * length, uint16 BE][partition key UTF-8][data] under the record's own sequence number, is what
 * earlier versions wrote, and is still read.
 */

export const RECORD_HEADER_BYTES = 10;
const HEADER = RECORD_HEADER_BYTES;

/** One record in the single-record format (no longer written; tests use it to build older stores). */
export function encodeRecord(arrival: number, partitionKey: string, data: Uint8Array): Buffer {
  const keyLength = Buffer.byteLength(partitionKey, 'utf8');
  const out = Buffer.allocUnsafe(HEADER + keyLength + data.byteLength);
  out.writeDoubleBE(arrival, 0);
  out.writeUInt16BE(keyLength, 8);
  out.write(partitionKey, HEADER, 'utf8');
  out.set(data, HEADER + keyLength);
  return out;
}

/**
 * First byte of a chunk: the value holding ALL the records of one append, stored under the key of
 * the append's LAST sequence number (so `gt`/`gte` seeks land on the chunk holding the position).
 * A value in the single-record format above starts with its arrival float64, whose first byte is
 * never 0x01 for a time >= 0, so both formats are read (values written before chunks existed).
 */
export const CHUNK_MARK = 0x01;
/** Mark, arrival ms (float64 BE), record count (uint32 BE). */
export const CHUNK_HEADER_BYTES = 13;

/**
 * Encodes one append (every record has the same arrival time) as one chunk:
 * header, then per record [sequence length u8][sequence latin1][partition key length u16 BE]
 * [partition key UTF-8][data length u32 BE][data]. `offsets[i]` gets the offset of record i in
 * the chunk (see {@link chunkRecordAt}).
 */
export function encodeChunk(
  arrival: number,
  sequences: readonly string[],
  entries: readonly ChunkEntry[],
  offsets: Uint32Array,
): Buffer {
  const count = entries.length;
  const keyLengths = new Array<number>(count);
  let total = CHUNK_HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    const entry = entries[i] as ChunkEntry;
    const keyLength = asciiLength(entry.partitionKey);
    keyLengths[i] = keyLength;
    total += 1 + (sequences[i] as string).length + 2 + 4 + dataBytes(entry);
    total += keyLength < 0 ? Buffer.byteLength(entry.partitionKey, 'utf8') : keyLength;
  }
  const out = Buffer.allocUnsafe(total);
  out[0] = CHUNK_MARK;
  out.writeDoubleBE(arrival, 1);
  out.writeUInt32BE(count, 9);
  let o = CHUNK_HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    const entry = entries[i] as ChunkEntry;
    const sequence = sequences[i] as string;
    offsets[i] = o;
    out[o++] = sequence.length;
    for (let k = 0; k < sequence.length; k++) out[o++] = sequence.charCodeAt(k);
    let keyLength = keyLengths[i] as number;
    if (keyLength >= 0) {
      // ASCII (the usual partition key): copy the char codes, no native call.
      const key = entry.partitionKey;
      for (let k = 0; k < keyLength; k++) out[o + 2 + k] = key.charCodeAt(k);
    } else {
      keyLength = out.write(entry.partitionKey, o + 2, 'utf8');
    }
    out.writeUInt16BE(keyLength, o);
    o += 2 + keyLength;
    const data = entry.data;
    const length = dataBytes(entry);
    out.writeUInt32BE(length, o);
    o += 4;
    // A string is written as UTF-8 straight into the chunk (no Buffer of its own first).
    if (typeof data === 'string') out.write(data, o, length, 'utf8');
    else out.set(data, o);
    o += length;
  }
  return out;
}

/** One record to encode: its data as bytes, or as a string stored as UTF-8. */
export interface ChunkEntry {
  partitionKey: string;
  data: Uint8Array | string;
  /** UTF-8 length of `data` when it is a string, when known. */
  dataBytes?: number | undefined;
}

function dataBytes(entry: ChunkEntry): number {
  const data = entry.data;
  if (typeof data !== 'string') return data.byteLength;
  return entry.dataBytes ?? Buffer.byteLength(data, 'utf8');
}

/** The sequence number of the chunk's record at `offset`. */
export function chunkSequenceAt(chunk: Buffer, offset: number): string {
  return chunk.toString('latin1', offset + 1, offset + 1 + (chunk[offset] as number));
}

/** The chunk's record at `offset` (arrived at `arrivalMs`), its data a view on the chunk. */
export function chunkRecordAt(
  chunk: Buffer,
  offset: number,
  arrivalMs: number,
): { sequenceNumber: string; arrivalMs: number; partitionKey: string; data: Buffer } {
  const keyAt = offset + 1 + (chunk[offset] as number);
  const keyEnd = keyAt + 2 + chunk.readUInt16BE(keyAt);
  const dataAt = keyEnd + 4;
  return {
    sequenceNumber: chunk.toString('latin1', offset + 1, keyAt),
    arrivalMs,
    partitionKey: chunk.toString('utf8', keyAt + 2, keyEnd),
    data: chunk.subarray(dataAt, dataAt + chunk.readUInt32BE(keyEnd)),
  };
}

/**
 * One record of a stored value, by offsets into the value (the read loop builds only what it
 * keeps). Returns false to stop the visit.
 */
export type StoredRecordVisitor = (
  sequenceNumber: string,
  arrival: number,
  value: Buffer,
  keyStart: number,
  keyEnd: number,
  dataStart: number,
  dataEnd: number,
) => boolean;

/**
 * Visits the records of one stored value in order: a chunk, or a single record (the older
 * format) stored under the key `key`, whose sequence number starts at `keyOffset`. False when a
 * visit stopped it. The one decoder of stored values: reads and trims both go through it.
 */
export function visitStored(
  key: string,
  keyOffset: number,
  value: Buffer,
  visit: StoredRecordVisitor,
): boolean {
  if (value[0] !== CHUNK_MARK) {
    const keyEnd = HEADER + value.readUInt16BE(8);
    return visit(
      key.slice(keyOffset),
      value.readDoubleBE(0),
      value,
      HEADER,
      keyEnd,
      keyEnd,
      value.byteLength,
    );
  }
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
    if (!visit(sequenceNumber, arrival, value, keyStart, keyEnd, keyEnd + 4, dataEnd)) return false;
  }
  return true;
}

/** The sequence numbers of a stored value (chunk or single record stored under `keySequence`). */
export function storedSequences(value: Buffer, keySequence: string): string[] {
  const out: string[] = [];
  visitStored(keySequence, 0, value, (sequenceNumber) => {
    out.push(sequenceNumber);
    return true;
  });
  return out;
}

/** The length of `text` when it is all ASCII (one UTF-8 byte per char), else -1. */
function asciiLength(text: string): number {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return -1;
  return text.length;
}
