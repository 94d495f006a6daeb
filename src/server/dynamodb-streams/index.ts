/**
 * DynamoDB Streams over JSON 1.0 (`DynamoDBStreams_20120810.<Operation>`), signed as `dynamodb`:
 * ListStreams, DescribeStream, GetShardIterator, GetRecords over the engine's table streams.
 */
import { parseArn } from '../../arn.js';
import type { Engine } from '../../engine.js';
import type { ShardIteratorType } from '../../streams/model.js';
import { DYNAMODB_DIALECT } from '../dynamodb/index.js';
import { tableDescription } from '../dynamodb/tables.js';
import { type JsonObject, type JsonOperation, jsonModule, num, str } from '../protocols/json.js';
import type { ServiceModule } from '../service.js';
import { WireError } from '../wire-error.js';

const PREFIX = 'DynamoDBStreams_20120810';

/** `arn:aws:dynamodb:<region>:<acct>:table/<name>/stream/<label>` -> the table's name. */
function tableOf(streamArn: string): string {
  let resource = '';
  try {
    resource = parseArn(streamArn).resource;
  } catch {
    // Answered below as DynamoDB Streams names it.
  }
  const match = /^table\/([^/]+)\/stream\/.+$/.exec(resource);
  if (match === null) throw new WireError('ValidationException', 400, `Invalid StreamArn: ${streamArn}`);
  return match[1]!;
}

function streamOperations(engine: Engine): Record<string, JsonOperation> {
  return {
    async ListStreams(input: JsonObject) {
      const only = str(input, 'TableName');
      const names = only === undefined ? await engine.tables.list() : [only];
      const streams = [];
      for (const name of names.sort()) {
        const t = await engine.tables.describe(name);
        if (t.latestStreamArn !== undefined) {
          streams.push({
            StreamArn: t.latestStreamArn,
            TableName: t.tableName,
            StreamLabel: t.latestStreamLabel,
          });
        }
      }
      return { Streams: streams };
    },
    async DescribeStream(input: JsonObject) {
      const arn = str(input, 'StreamArn', true);
      const stream = await engine.streams.describe(arn);
      const table = tableDescription(await engine.tables.describe(tableOf(arn)));
      return {
        StreamDescription: {
          StreamArn: arn,
          StreamLabel: table['LatestStreamLabel'],
          StreamStatus: 'ENABLED',
          StreamViewType: (table['StreamSpecification'] as { StreamViewType?: string } | undefined)
            ?.StreamViewType,
          CreationRequestDateTime: stream.streamCreationTimestamp.getTime() / 1000,
          TableName: table['TableName'],
          KeySchema: table['KeySchema'],
          Shards: stream.shards.map((s) => ({
            ShardId: s.shardId,
            ...(s.parentShardId === undefined ? {} : { ParentShardId: s.parentShardId }),
            SequenceNumberRange: {
              StartingSequenceNumber: s.sequenceNumberRange.startingSequenceNumber,
              ...(s.sequenceNumberRange.endingSequenceNumber === undefined
                ? {}
                : { EndingSequenceNumber: s.sequenceNumberRange.endingSequenceNumber }),
            },
          })),
        },
      };
    },
    async GetShardIterator(input: JsonObject) {
      const sequenceNumber = str(input, 'SequenceNumber');
      const iterator = await engine.streams.getShardIterator(
        str(input, 'StreamArn', true),
        str(input, 'ShardId', true),
        {
          type: str(input, 'ShardIteratorType', true) as ShardIteratorType,
          ...(sequenceNumber === undefined ? {} : { sequenceNumber }),
        },
      );
      return { ShardIterator: iterator };
    },
    async GetRecords(input: JsonObject) {
      const limit = num(input, 'Limit');
      const out = await engine.streams.getRecords(
        str(input, 'ShardIterator', true),
        limit === undefined ? {} : { limit },
      );
      return {
        // The change records already carry AWS's shape, timestamps in epoch seconds.
        Records: out.records.flatMap((r) => (r.change === undefined ? [] : [r.change])),
        ...(out.nextShardIterator === null ? {} : { NextShardIterator: out.nextShardIterator }),
      };
    },
  };
}

export function dynamodbStreamsService(engine: Engine): ServiceModule {
  return jsonModule({
    name: 'dynamodb-streams',
    signingName: 'dynamodb',
    targetPrefix: PREFIX,
    version: '1.0',
    operations: new Map(Object.entries(streamOperations(engine))),
    dialect: DYNAMODB_DIALECT,
    maxBodyBytes: 1024 * 1024,
    bodyTooLarge: ['ValidationException', 413],
  });
}
