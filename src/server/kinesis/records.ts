/** PutRecord, PutRecords, GetShardIterator, GetRecords. */
import type { Engine } from '../../engine.js';
import type { PutRecordInput, ShardIteratorType } from '../../streams/model.js';
import { type JsonObject, list, num, str } from '../protocols/json.js';
import { JsonBytes } from '../protocols/json-bytes.js';
import { WireError } from '../wire-error.js';
import { getRecordsReply } from './replies.js';
import { streamOf } from './streams.js';

function entry(input: JsonObject): PutRecordInput {
  const data = str(input, 'Data', true);
  const explicitHashKey = str(input, 'ExplicitHashKey');
  return {
    partitionKey: str(input, 'PartitionKey', true),
    data: Buffer.from(data, 'base64'),
    ...(explicitHashKey === undefined ? {} : { explicitHashKey }),
  };
}

export function recordOperations(engine: Engine) {
  return {
    async PutRecord(input: JsonObject) {
      const out = await engine.streams.putRecord(streamOf(input), entry(input));
      return { ShardId: out.shardId, SequenceNumber: out.sequenceNumber, EncryptionType: 'NONE' };
    },
    async PutRecords(input: JsonObject) {
      const records = (list(input, 'Records') ?? []).map((r) => {
        if (typeof r !== 'object' || r === null)
          throw new WireError('SerializationException', 400, 'Records must hold objects');
        return entry(r as JsonObject);
      });
      const out = await engine.streams.putRecords(streamOf(input), records);
      // Plain objects: for 500 short entries JSON.stringify is cheaper than writing bytes.
      return {
        FailedRecordCount: out.failedRecordCount,
        EncryptionType: 'NONE',
        Records: out.records.map((r) =>
          'errorCode' in r
            ? { ErrorCode: r.errorCode, ErrorMessage: r.errorMessage }
            : { ShardId: r.shardId, SequenceNumber: r.sequenceNumber },
        ),
      };
    },
    async GetShardIterator(input: JsonObject) {
      const sequenceNumber = str(input, 'StartingSequenceNumber');
      const timestamp = num(input, 'Timestamp');
      const iterator = await engine.streams.getShardIterator(streamOf(input), str(input, 'ShardId', true), {
        type: str(input, 'ShardIteratorType', true) as ShardIteratorType,
        ...(sequenceNumber === undefined ? {} : { sequenceNumber }),
        ...(timestamp === undefined ? {} : { timestamp: timestamp * 1000 }),
      });
      return { ShardIterator: iterator };
    },
    async GetRecords(input: JsonObject) {
      const limit = num(input, 'Limit');
      const out = await engine.streams.getRecords(
        str(input, 'ShardIterator', true),
        limit === undefined ? {} : { limit },
      );
      return new JsonBytes(getRecordsReply(out));
    },
  };
}
