/**
 * Turns source records into the exact Lambda events (reference §3.1, §3.2) and given-up batches
 * into on-failure records (§4.4). Pure functions.
 */
import type { BatchInfo, FailureRecord, GiveUpCondition } from './deps.js';
import type { SourceKind, SourceRecord } from './shard-source.js';

export interface EventContext {
  kind: SourceKind;
  shardId: string;
  eventSourceArn: string;
  region: string;
  /** Function execution role ARN, or the mapping's invocation role when it has one. */
  invokeIdentityArn: string;
}

export function buildEvent(ctx: EventContext, records: readonly SourceRecord[]): { Records: unknown[] } {
  return {
    Records: records.map((r) => (ctx.kind === 'kinesis' ? kinesisRecord(ctx, r) : dynamodbRecord(ctx, r))),
  };
}

/**
 * The same event as {@link buildEvent}, serialised directly: the constant parts of a Kinesis
 * record are encoded once per batch (JSON.stringify of 100 records was a hot spot).
 */
export function buildEventJson(ctx: EventContext, records: readonly SourceRecord[]): string {
  if (ctx.kind !== 'kinesis') return JSON.stringify(buildEvent(ctx, records));
  const idPrefix = `},"eventSource":"aws:kinesis","eventVersion":"1.0","eventID":${JSON.stringify(`${ctx.shardId}:`).slice(0, -1)}`;
  const tail = `","eventName":"aws:kinesis:record","invokeIdentityArn":${JSON.stringify(ctx.invokeIdentityArn)},"awsRegion":${JSON.stringify(ctx.region)},"eventSourceARN":${JSON.stringify(ctx.eventSourceArn)}}`;
  const parts = new Array<string>(records.length);
  // Records of one write share their arrival time: format it once per run of equal times.
  let arrivalOf = Number.NaN;
  let arrivalText = '';
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as SourceRecord;
    if (r.arrivalMs !== arrivalOf) {
      arrivalOf = r.arrivalMs;
      arrivalText = JSON.stringify(r.arrivalMs / 1000);
    }
    const data = r.data === undefined ? '' : r.data.toString('base64');
    parts[i] =
      `{"kinesis":{"kinesisSchemaVersion":"1.0","partitionKey":${JSON.stringify(r.partitionKey ?? '')},"sequenceNumber":"${r.sequenceNumber}","data":"${data}","approximateArrivalTimestamp":${arrivalText}${idPrefix}${r.sequenceNumber}${tail}`;
  }
  return `{"Records":[${parts.join(',')}]}`;
}

function kinesisRecord(ctx: EventContext, r: SourceRecord): Record<string, unknown> {
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: r.partitionKey ?? '',
      sequenceNumber: r.sequenceNumber,
      data: (r.data ?? Buffer.alloc(0)).toString('base64'),
      // Epoch seconds with a millisecond fraction, as Kinesis reports it.
      approximateArrivalTimestamp: r.arrivalMs / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${ctx.shardId}:${r.sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: ctx.invokeIdentityArn,
    awsRegion: ctx.region,
    eventSourceARN: ctx.eventSourceArn,
  };
}

function dynamodbRecord(ctx: EventContext, r: SourceRecord): Record<string, unknown> {
  return { ...(r.change ?? {}), eventSourceARN: ctx.eventSourceArn };
}

/** The key whose order must be kept: partition key (Kinesis) or item key (DynamoDB). */
export function orderingKey(r: SourceRecord): string {
  if (r.partitionKey !== undefined) return r.partitionKey;
  const dynamodb = r.change?.['dynamodb'] as { Keys?: unknown } | undefined;
  return JSON.stringify(dynamodb?.Keys ?? null);
}

/** FNV-1a, 32 bits: a stable, cheap hash to route keys to parallel slices. */
export function sliceOf(key: string, factor: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % factor;
}

export interface FailureContext {
  kind: SourceKind;
  shardId: string;
  eventSourceArn: string;
  functionArn: string;
  requestId: string;
  condition: GiveUpCondition;
  approximateInvokeCount: number;
  response: { statusCode: number; executedVersion: string; functionError: string };
  nowMs: number;
}

export function buildFailureRecord(ctx: FailureContext, records: readonly SourceRecord[]): FailureRecord {
  const first = records[0];
  const last = records[records.length - 1];
  const info: BatchInfo = {
    shardId: ctx.shardId,
    startSequenceNumber: first?.sequenceNumber ?? '',
    endSequenceNumber: last?.sequenceNumber ?? '',
    approximateArrivalOfFirstRecord: new Date(first?.arrivalMs ?? 0).toISOString(),
    approximateArrivalOfLastRecord: new Date(last?.arrivalMs ?? 0).toISOString(),
    batchSize: records.length,
    streamArn: ctx.eventSourceArn,
  };
  return {
    requestContext: {
      requestId: ctx.requestId,
      functionArn: ctx.functionArn,
      condition: ctx.condition,
      approximateInvokeCount: ctx.approximateInvokeCount,
    },
    responseContext: ctx.response,
    version: '1.0',
    timestamp: new Date(ctx.nowMs).toISOString(),
    ...(ctx.kind === 'kinesis' ? { KinesisBatchInfo: info } : { DDBStreamBatchInfo: info }),
  };
}

/**
 * Reads a ReportBatchItemFailures response: the index in `records` to resume from, `records.length`
 * for complete success, or 0 when the response marks the whole batch failed (malformed id).
 */
export function resumeIndex(payload: unknown, records: readonly SourceRecord[]): number {
  if (payload === null || payload === undefined || typeof payload !== 'object') return records.length;
  const failures = (payload as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === null || failures === undefined) return records.length;
  if (!Array.isArray(failures)) return 0;
  if (failures.length === 0) return records.length;
  let lowest = records.length;
  for (const item of failures) {
    const id = (item as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    const index =
      typeof id === 'string' && id !== '' ? records.findIndex((r) => r.sequenceNumber === id) : -1;
    if (index < 0) return 0;
    lowest = Math.min(lowest, index);
  }
  return lowest;
}

/** Approximate size of one record in the event JSON, bytes. */
function approxBytes(r: SourceRecord): number {
  const data = r.data ? Math.ceil(r.data.length / 3) * 4 : 0;
  const change = r.change ? JSON.stringify(r.change).length : 0;
  return 400 + (r.partitionKey?.length ?? 0) + data + change;
}

/**
 * Splits records into batches of at most `size` records whose event stays under `maxBytes` (the
 * synchronous invoke payload limit); every batch holds at least one record.
 */
export function chunkBatches(
  records: readonly SourceRecord[],
  size: number,
  maxBytes: number,
): SourceRecord[][] {
  const out: SourceRecord[][] = [];
  let current: SourceRecord[] = [];
  let bytes = 20;
  for (const r of records) {
    const b = approxBytes(r);
    if (current.length > 0 && (current.length >= size || bytes + b > maxBytes)) {
      out.push(current);
      current = [];
      bytes = 20;
    }
    current.push(r);
    bytes += b;
  }
  if (current.length > 0) out.push(current);
  return out;
}
