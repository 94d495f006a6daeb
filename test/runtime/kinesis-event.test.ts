import { describe, expect, it } from 'vitest';
import { buildEvent, buildEventJson, type EventContext } from '../../src/dispatch/pull/records.js';
import type { SourceRecord } from '../../src/dispatch/pull/shard-source.js';
import { decodeKinesisBatch, encodeKinesisBatch } from '../../src/runtime/kinesis-event.js';
import { decodeInvoke, encodeInvoke } from '../../src/runtime/protocol.js';

const ctx: EventContext = {
  kind: 'kinesis',
  shardId: 'shardId-000000000006',
  eventSourceArn: 'arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream',
  region: 'us-east-2',
  invokeIdentityArn: 'arn:aws:iam::123456789012:role/lambda-role',
};

const records: SourceRecord[] = [
  {
    sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
    arrivalMs: 1545084650987,
    partitionKey: '1',
    data: Buffer.from('Hello, this is a test.'),
  },
  // Same arrival as the previous record (sent once), then other times, fractional ones included.
  {
    sequenceNumber: '49590338271490256608559692538361571095921575989136588899',
    arrivalMs: 1545084650987,
    partitionKey: 'a\tb\nc',
    data: Buffer.from([0, 255]),
  },
  {
    sequenceNumber: '4959',
    arrivalMs: 1545084650988.5,
    partitionKey: 'ünï\u{1F600}\ud800"\\',
    data: Buffer.alloc(0),
  },
  { sequenceNumber: '123', arrivalMs: 0, partitionKey: '', data: Buffer.from([1, 2, 3]) },
  { sequenceNumber: '77', arrivalMs: 7, data: Buffer.from('x'.repeat(1000)).subarray(10, 20) },
];

describe('compact Kinesis events', () => {
  it('build exactly the event JSON.parse of the full event gives: fields, order and values', () => {
    const event = decodeKinesisBatch(encodeKinesisBatch(ctx, records));
    // Same JSON text: same fields in the same order with the same values.
    expect(JSON.stringify(event)).toBe(buildEventJson(ctx, records));
    expect(event).toEqual(JSON.parse(buildEventJson(ctx, records)));
    expect(event).toEqual(buildEvent(ctx, records));
  });

  it('carry an empty batch and single records', () => {
    for (const batch of [[], records.slice(0, 1), records.slice(4)]) {
      expect(JSON.stringify(decodeKinesisBatch(encodeKinesisBatch(ctx, batch)))).toBe(
        buildEventJson(ctx, batch),
      );
    }
  });

  it('travel in an invoke message marked as compact; JSON payloads are unchanged', () => {
    const base = { requestId: 'r-1', remainingMs: 3000, invokedFunctionArn: 'arn:aws:lambda:x' };
    const compact = encodeKinesisBatch(ctx, records);
    expect(decodeInvoke(encodeInvoke({ ...base, payload: compact, format: 'kinesis' }))).toEqual({
      ...base,
      payload: compact,
      format: 'kinesis',
    });
    expect(decodeInvoke(encodeInvoke({ ...base, payload: '{"K":1}' }))).toEqual({
      ...base,
      payload: '{"K":1}',
      format: 'json',
    });
  });
});
