/**
 * A Kinesis event in a compact form for the trip to the container. The engine sends the batch's
 * constants once and, per record, its arrival, sequence number, partition key and base64 data;
 * the container builds the `{ Records: [...] }` object that `JSON.parse` of the full event gives
 * (same fields in the same order, same values: reference §3.1), so the handler cannot tell.
 * The engine then never serialises the ~600 bytes of JSON per record, the message to the worker
 * is about a third of the size, and the function's thread never parses the event.
 *
 * Format (one string): `JSON([shardId, invokeIdentityArn, awsRegion, eventSourceARN])\n`, then
 * per record `<arrivalMs or empty when equal to the previous record's>\t<sequence length>\t
 * <sequence><partition key length>\t<partition key><base64 data>\n` (lengths in UTF-16 units,
 * so any sequence number or partition key text is safe; base64 has no newline).
 */

/** The constants of one batch (one shard of one stream). */
export interface KinesisBatchHeader {
  shardId: string;
  invokeIdentityArn: string;
  region: string;
  eventSourceArn: string;
}

/** What the engine knows of one record. */
export interface KinesisBatchRecord {
  sequenceNumber: string;
  arrivalMs: number;
  partitionKey?: string | undefined;
  data?: Uint8Array | undefined;
}

/** One record of the event, as the handler receives it. */
export interface KinesisEventRecord {
  kinesis: {
    kinesisSchemaVersion: string;
    partitionKey: string;
    sequenceNumber: string;
    data: string;
    approximateArrivalTimestamp: number;
  };
  eventSource: string;
  eventVersion: string;
  eventID: string;
  eventName: string;
  invokeIdentityArn: string;
  awsRegion: string;
  eventSourceARN: string;
}

/**
 * Carried by an invocation request (beside the public fields of `InvocationRequest`, which it
 * does not change): the event in the compact form. The runtime sends it instead of the JSON.
 */
export interface KinesisBatchCarrier {
  kinesisBatch?: string | undefined;
}

function base64(data: Uint8Array | undefined): string {
  if (data === undefined || data.byteLength === 0) return '';
  return (Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength)).toString(
    'base64',
  );
}

/** The compact form of the event of `records` (engine side). */
export function encodeKinesisBatch(
  header: KinesisBatchHeader,
  records: readonly KinesisBatchRecord[],
): string {
  const parts = new Array<string>(records.length + 1);
  parts[0] = `${JSON.stringify([header.shardId, header.invokeIdentityArn, header.region, header.eventSourceArn])}\n`;
  // Records of one write share their arrival time: sent once per run of equal times.
  let arrivalOf = Number.NaN;
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as KinesisBatchRecord;
    let arrival = '';
    if (r.arrivalMs !== arrivalOf) {
      arrivalOf = r.arrivalMs;
      arrival = String(r.arrivalMs);
    }
    const key = r.partitionKey ?? '';
    const sequence = r.sequenceNumber;
    parts[i + 1] = `${arrival}\t${sequence.length}\t${sequence}${key.length}\t${key}${base64(r.data)}\n`;
  }
  return parts.join('');
}

/** Reads the decimal integer of `text` from `start` up to the tab at `end`. */
function intAt(text: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) n = n * 10 + (text.charCodeAt(i) - 48);
  return n;
}

const TAB = '\t';
const NL = '\n';

/** The event the handler receives, built from the compact form (container side). */
export function decodeKinesisBatch(text: string): { Records: KinesisEventRecord[] } {
  const headerEnd = text.indexOf(NL);
  const [shardId, identity, region, arn] = JSON.parse(text.slice(0, headerEnd)) as [
    string,
    string,
    string,
    string,
  ];
  const idPrefix = `${shardId}:`;
  const records: KinesisEventRecord[] = [];
  let at = headerEnd + 1;
  let seconds = 0;
  while (at < text.length) {
    let tab = text.indexOf(TAB, at);
    if (tab > at) seconds = Number(text.slice(at, tab)) / 1000;
    at = tab + 1;
    tab = text.indexOf(TAB, at);
    const sequenceEnd = tab + 1 + intAt(text, at, tab);
    const sequenceNumber = text.slice(tab + 1, sequenceEnd);
    at = sequenceEnd;
    tab = text.indexOf(TAB, at);
    const keyEnd = tab + 1 + intAt(text, at, tab);
    const partitionKey = text.slice(tab + 1, keyEnd);
    const end = text.indexOf(NL, keyEnd);
    const data = text.slice(keyEnd, end);
    at = end + 1;
    // Field order as in reference §3.1 (and records.ts): JSON.parse of the full event gives this.
    records.push({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey,
        sequenceNumber,
        data,
        approximateArrivalTimestamp: seconds,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: idPrefix + sequenceNumber,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: identity,
      awsRegion: region,
      eventSourceARN: arn,
    });
  }
  return { Records: records };
}
