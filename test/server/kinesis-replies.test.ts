import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getRecordsReply } from '../../src/server/kinesis/replies.js';
import type { GetRecordsOutput, StreamRecord } from '../../src/streams/model.js';

// The replies are written straight to bytes; they must be the very text JSON.stringify gives for
// the wire shapes (what the server sent before, and what every SDK parses).
function stringified(out: GetRecordsOutput): string {
  return JSON.stringify({
    Records: out.records.map((r) => ({
      SequenceNumber: r.sequenceNumber,
      ApproximateArrivalTimestamp: r.approximateArrivalTimestamp.getTime() / 1000,
      Data: r.data.toString('base64'),
      PartitionKey: r.partitionKey,
    })),
    ...(out.nextShardIterator === null ? {} : { NextShardIterator: out.nextShardIterator }),
    MillisBehindLatest: out.millisBehindLatest,
    ...(out.childShards === undefined
      ? {}
      : {
          ChildShards: out.childShards.map((c) => ({
            ShardId: c.shardId,
            ParentShards: c.parentShards,
            HashKeyRange: {
              StartingHashKey: c.hashKeyRange.startingHashKey,
              EndingHashKey: c.hashKeyRange.endingHashKey,
            },
          })),
        }),
  });
}

const arrival = fc.integer({ min: 0, max: 4_102_444_800_000 }).map((ms) => new Date(ms));
const record: fc.Arbitrary<StreamRecord> = fc.record({
  sequenceNumber: fc.stringMatching(/^4\d{34}$/),
  approximateArrivalTimestamp: arrival,
  data: fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)),
  // Any UTF-16 text: quotes, backslashes, control characters, non-ASCII, lone surrogates.
  partitionKey: fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.string({ maxLength: 12 })),
});

describe('GetRecords replies written as bytes', () => {
  it('GetRecords is byte for byte what JSON.stringify gives', () => {
    fc.assert(
      fc.property(
        fc.array(record, { maxLength: 20 }),
        fc.option(fc.string({ maxLength: 40 }), { nil: null }),
        fc.nat(),
        fc.boolean(),
        (records, nextShardIterator, millisBehindLatest, ended) => {
          const out: GetRecordsOutput = {
            records,
            nextShardIterator,
            millisBehindLatest,
            ...(ended
              ? {
                  childShards: [
                    {
                      shardId: 'shardId-000000000001',
                      parentShards: ['shardId-000000000000'],
                      hashKeyRange: {
                        startingHashKey: '0',
                        endingHashKey: '170141183460469231731687303715884105727',
                      },
                    },
                  ],
                }
              : {}),
          };
          expect(getRecordsReply(out).toString('utf8')).toBe(stringified(out));
        },
      ),
    );
  });

  it('shares one arrival time between records as the engine hands them out', () => {
    const at = new Date(1_767_225_600_123);
    const records = ['a', 'b'].map((partitionKey, i) => ({
      sequenceNumber: `4${String(i).padStart(34, '0')}`,
      approximateArrivalTimestamp: at,
      data: Buffer.from([1, 2, 3, 4]),
      partitionKey,
    }));
    const out: GetRecordsOutput = { records, nextShardIterator: 'next', millisBehindLatest: 0 };
    expect(JSON.parse(getRecordsReply(out).toString('utf8'))).toEqual(JSON.parse(stringified(out)));
    expect(getRecordsReply(out).toString('utf8')).toContain('"ApproximateArrivalTimestamp":1767225600.123');
  });
});
