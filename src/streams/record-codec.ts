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
