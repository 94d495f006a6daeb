/**
 * The stored value of one record, binary so that writes and reads stay close to raw LevelDB:
 * [arrival ms, float64 BE][partition key byte length, uint16 BE][partition key UTF-8][data].
 * The sequence number is the key; nothing is base64-encoded at rest.
 */

export const RECORD_HEADER_BYTES = 10;
const HEADER = RECORD_HEADER_BYTES;

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
 * Encodes the records of one append (all with the same arrival time) into ONE buffer and returns
 * a view per record: the same bytes as {@link encodeRecord} each, one allocation for the batch.
 */
export function encodeRecords(
  arrival: number,
  entries: readonly { partitionKey: string; data: Uint8Array }[],
): Buffer[] {
  const keyLengths = new Array<number>(entries.length);
  let total = 0;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as { partitionKey: string; data: Uint8Array };
    const keyLength = asciiLength(entry.partitionKey);
    keyLengths[i] = keyLength;
    total += HEADER + (keyLength < 0 ? Buffer.byteLength(entry.partitionKey, 'utf8') : keyLength);
    total += entry.data.byteLength;
  }
  const out = Buffer.allocUnsafe(total);
  const views = new Array<Buffer>(entries.length);
  let offset = 0;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as { partitionKey: string; data: Uint8Array };
    const start = offset;
    out.writeDoubleBE(arrival, offset);
    let keyLength = keyLengths[i] as number;
    if (keyLength >= 0) {
      // ASCII (the usual partition key): copy the char codes, no native call.
      const key = entry.partitionKey;
      let o = offset + HEADER;
      for (let k = 0; k < keyLength; k++) out[o++] = key.charCodeAt(k);
    } else {
      keyLength = out.write(entry.partitionKey, offset + HEADER, 'utf8');
    }
    out.writeUInt16BE(keyLength, offset + 8);
    offset += HEADER + keyLength;
    out.set(entry.data, offset);
    offset += entry.data.byteLength;
    views[i] = out.subarray(start, offset);
  }
  return views;
}

/** The length of `text` when it is all ASCII (one UTF-8 byte per char), else -1. */
function asciiLength(text: string): number {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return -1;
  return text.length;
}
