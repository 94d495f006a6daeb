/**
 * A PutRecords body read straight from its bytes, for the shape the SDKs send: no whitespace,
 * members `StreamName` / `StreamARN` / `Records`, records with `Data`, `PartitionKey` and
 * `ExplicitHashKey` only, strings of printable ASCII without escapes, `Data` in padded standard
 * base64. Every record's data is decoded into one shared buffer, without a JSON object graph, a
 * string per `Data` or a Buffer allocation per record. Anything else (another member, a
 * duplicate, an escape, a missing member, other base64) gives undefined: the caller then takes
 * the general path (JSON.parse), which answers such bodies exactly as before, errors included.
 */
import type { PutRecordInput } from '../../streams/model.js';

export interface ScannedPutRecords {
  /** `StreamARN` when given, else `StreamName` (as `streamOf`). */
  readonly stream: string;
  readonly records: PutRecordInput[];
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const EQUALS = 0x3d;

/** Base64 value of each byte, -1 outside the standard alphabet. */
const SEXTETS = new Int8Array(256).fill(-1);
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].entries())
  SEXTETS[c.charCodeAt(0)] = i;

class Scan {
  at = 0;
  constructor(readonly bytes: Buffer) {}

  /** Consumes `byte` if it is next. */
  take(byte: number): boolean {
    if (this.bytes[this.at] !== byte) return false;
    this.at++;
    return true;
  }

  /** A string of printable ASCII without escapes: [start, end) of its text, or -1. */
  string(): number {
    const { bytes } = this;
    if (bytes[this.at] !== QUOTE) return -1;
    const start = ++this.at;
    for (let i = start; i < bytes.length; i++) {
      const c = bytes[i] as number;
      if (c === QUOTE) {
        this.at = i + 1;
        return start;
      }
      if (c < 0x20 || c > 0x7e || c === 0x5c) return -1;
    }
    return -1;
  }

  text(start: number): string {
    return this.bytes.toString('latin1', start, this.at - 1);
  }

  /** A member name and its colon: the name as text, or undefined. */
  name(): string | undefined {
    const start = this.string();
    if (start < 0) return undefined;
    const name = this.text(start);
    return this.take(COLON) ? name : undefined;
  }
}

/** Reads the body, or undefined when it is not in the plain shape (see the file comment). */
export function scanPutRecords(body: Buffer): ScannedPutRecords | undefined {
  const scan = new Scan(body);
  if (!scan.take(0x7b)) return undefined;
  let streamName: string | undefined;
  let streamArn: string | undefined;
  let records: PutRecordInput[] | undefined;
  do {
    const name = scan.name();
    if (name === 'Records' && records === undefined) {
      records = scanRecords(scan);
      if (records === undefined) return undefined;
    } else if (
      (name === 'StreamName' && streamName === undefined) ||
      (name === 'StreamARN' && streamArn === undefined)
    ) {
      const start = scan.string();
      if (start < 0) return undefined;
      if (name === 'StreamName') streamName = scan.text(start);
      else streamArn = scan.text(start);
    } else return undefined;
  } while (scan.take(COMMA));
  if (!scan.take(0x7d) || scan.at !== body.length || records === undefined) return undefined;
  const stream = streamArn ?? streamName;
  return stream === undefined ? undefined : { stream, records };
}

function scanRecords(scan: Scan): PutRecordInput[] | undefined {
  if (!scan.take(0x5b)) return undefined;
  // Where each record's base64 text is; decoded once all are found, into one buffer.
  const dataStarts: number[] = [];
  const dataEnds: number[] = [];
  const records: PutRecordInput[] = [];
  let decodedBytes = 0;
  do {
    if (!scan.take(0x7b)) return undefined;
    let dataStart = -1;
    let dataEnd = -1;
    let partitionKey: string | undefined;
    let explicitHashKey: string | undefined;
    do {
      const name = scan.name();
      const start = scan.string();
      if (start < 0) return undefined;
      if (name === 'Data' && dataStart < 0) {
        dataStart = start;
        dataEnd = scan.at - 1;
      } else if (name === 'PartitionKey' && partitionKey === undefined) partitionKey = scan.text(start);
      else if (name === 'ExplicitHashKey' && explicitHashKey === undefined)
        explicitHashKey = scan.text(start);
      else return undefined;
    } while (scan.take(COMMA));
    if (!scan.take(0x7d) || dataStart < 0 || partitionKey === undefined) return undefined;
    const length = dataEnd - dataStart;
    if (length % 4 !== 0) return undefined;
    decodedBytes += (length / 4) * 3;
    dataStarts.push(dataStart);
    dataEnds.push(dataEnd);
    // `data` is set once decoded below.
    records.push(
      explicitHashKey === undefined
        ? { partitionKey, data: EMPTY }
        : { partitionKey, data: EMPTY, explicitHashKey },
    );
  } while (scan.take(COMMA));
  if (!scan.take(0x5d)) return undefined;
  const decoded = Buffer.allocUnsafe(decodedBytes);
  let at = 0;
  for (let i = 0; i < records.length; i++) {
    const end = decodeBase64(scan.bytes, dataStarts[i] as number, dataEnds[i] as number, decoded, at);
    if (end < 0) return undefined;
    (records[i] as PutRecordInput).data = decoded.subarray(at, end);
    at = end;
  }
  return records;
}

const EMPTY = Buffer.alloc(0);

/**
 * Decodes padded standard base64 text [start, end) (length a multiple of 4) into `out` at `at`:
 * the end of the bytes written, or -1 for anything Node's decoder might read differently.
 */
function decodeBase64(text: Buffer, start: number, end: number, out: Buffer, at: number): number {
  if (start === end) return at;
  const last = end - 4;
  for (let i = start; i < last; i += 4) {
    const v =
      ((SEXTETS[text[i] as number] as number) << 18) |
      ((SEXTETS[text[i + 1] as number] as number) << 12) |
      ((SEXTETS[text[i + 2] as number] as number) << 6) |
      (SEXTETS[text[i + 3] as number] as number);
    // A -1 sextet sets the sign bit.
    if (v < 0) return -1;
    out[at++] = v >>> 16;
    out[at++] = (v >>> 8) & 0xff;
    out[at++] = v & 0xff;
  }
  const a = SEXTETS[text[last] as number] as number;
  const b = SEXTETS[text[last + 1] as number] as number;
  const thirdPad = text[last + 2] === EQUALS;
  const fourthPad = text[last + 3] === EQUALS;
  const c = thirdPad ? 0 : (SEXTETS[text[last + 2] as number] as number);
  const d = fourthPad ? 0 : (SEXTETS[text[last + 3] as number] as number);
  if ((a | b | c | d) < 0 || (thirdPad && !fourthPad)) return -1;
  const v = (a << 18) | (b << 12) | (c << 6) | d;
  out[at++] = v >>> 16;
  if (!thirdPad) out[at++] = (v >>> 8) & 0xff;
  if (!fourthPad) out[at++] = v & 0xff;
  return at;
}
