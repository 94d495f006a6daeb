import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanPutRecords } from '../../src/server/kinesis/put-records-body.js';

// What the general path makes of a body: JSON.parse, then Node's base64 decoder per record.
function general(body: string): { stream: string; records: unknown[] } {
  const input = JSON.parse(body) as {
    StreamName?: string;
    StreamARN?: string;
    Records: { Data: string; PartitionKey: string; ExplicitHashKey?: string }[];
  };
  return {
    stream: (input.StreamARN ?? input.StreamName) as string,
    records: input.Records.map((r) => ({
      partitionKey: r.PartitionKey,
      data: Buffer.from(r.Data, 'base64'),
      ...(r.ExplicitHashKey === undefined ? {} : { explicitHashKey: r.ExplicitHashKey }),
    })),
  };
}

const base64 = fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('base64'));
// Base64 texts Node reads leniently: unpadded, URL-safe, with whitespace or stray characters.
const oddBase64 = fc.oneof(
  base64.map((s) => s.replace(/=+$/, '')),
  base64.map((s) => s.replace(/\+/g, '-').replace(/\//g, '_')),
  fc.tuple(base64, fc.constantFrom(' ', '\n', '!', '=', '.')).map(([s, c]) => `${c}${s}`),
  fc.string({ maxLength: 12 }),
);
const text = fc.oneof(fc.string({ maxLength: 10 }), fc.string({ unit: 'binary', maxLength: 6 }));

const recordShape = fc.record(
  {
    Data: fc.oneof(base64, base64, oddBase64),
    PartitionKey: text,
    ExplicitHashKey: fc.stringMatching(/^\d{1,38}$/),
    Other: fc.string({ maxLength: 4 }),
  },
  { requiredKeys: [] },
);
const bodyShape = fc.record(
  {
    StreamName: text,
    StreamARN: fc.constant('arn:aws:kinesis:us-east-1:000000000000:stream/s'),
    Records: fc.array(recordShape, { maxLength: 6 }),
    Other: fc.integer(),
  },
  { requiredKeys: [] },
);

describe('PutRecords bodies read from their bytes', () => {
  it('read what the SDKs send exactly as JSON.parse and the base64 decoder do', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'abcXYZ019-_.:'), minLength: 1, maxLength: 20 }),
        fc.array(
          fc.record({
            Data: base64,
            PartitionKey: fc.string({ unit: fc.constantFrom(...'pk-019 ~!'), minLength: 1 }),
          }),
          { minLength: 1, maxLength: 20 },
        ),
        (name, records) => {
          const body = JSON.stringify({ StreamName: name, Records: records });
          const scanned = scanPutRecords(Buffer.from(body));
          expect(scanned).toBeDefined();
          expect(scanned).toEqual(general(body));
        },
      ),
    );
  });

  it('either agree with the general path or leave the body to it', () => {
    fc.assert(
      fc.property(bodyShape, fc.boolean(), (shape, spaced) => {
        const body = JSON.stringify(shape, null, spaced ? 1 : undefined);
        const scanned = scanPutRecords(Buffer.from(body));
        if (scanned !== undefined) expect(scanned).toEqual(general(body));
      }),
    );
  });

  it('leave duplicates, escapes, other members and other JSON to the general path', () => {
    const record = '{"Data":"AAEC","PartitionKey":"k"}';
    for (const body of [
      `{"StreamName":"s","StreamName":"t","Records":[${record}]}`,
      `{"StreamName":"s","Records":[{"Data":"AAEC","Data":"AAEC","PartitionKey":"k"}]}`,
      `{"StreamName":"s\\u0041","Records":[${record}]}`,
      `{"StreamName":"s","Records":[${record}],"Extra":1}`,
      `{"StreamName":"s","Records":[]}`,
      `{"StreamName":"s","Records":[{"PartitionKey":"k"}]}`,
      `{"Records":[${record}]}`,
      `{"StreamName":"s","Records":[${record}]} `,
      `{"StreamName":"s","Records":[{"Data":"AA=C","PartitionKey":"k"}]}`,
      `{"StreamName":"s","Records":[{"Data":"AAE","PartitionKey":"k"}]}`,
      `{"StreamName":"s","Records":[{"Data":null,"PartitionKey":"k"}]}`,
      '[]',
      '',
    ])
      expect(scanPutRecords(Buffer.from(body)), body).toBeUndefined();
  });
});
