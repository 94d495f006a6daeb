/**
 * Turns source records into the exact Lambda events (reference §3.1, §3.2) and given-up batches
 * into on-failure records (§4.4). Pure functions.
 */

import { decodeKinesisBatch, encodeKinesisBatch } from '../../runtime/kinesis-event.js';
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
  // A Kinesis record's shape is defined once, where the container builds it from the compact form.
  if (ctx.kind === 'kinesis') return decodeKinesisBatch(encodeKinesisBatch(ctx, records));
  return { Records: records.map((r) => dynamodbRecord(ctx, r)) };
}

/**
 * The same event as {@link buildEvent}, as JSON. Only invokers other than the runtime read it:
 * the runtime sends a Kinesis batch compact (runtime/kinesis-event.ts).
 */
export function buildEventJson(ctx: EventContext, records: readonly SourceRecord[]): string {
  return JSON.stringify(buildEvent(ctx, records));
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
