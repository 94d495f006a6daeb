import { md5Hex } from '../hash.js';
import type { StreamMeta, StreamRecord } from '../streams/model.js';
import { itemSize } from './marshal.js';
import type { AttributeMap, ChangeEventName, DynamoDBStreamRecord, StreamViewType } from './model.js';

interface StoredChange {
  eventName: ChangeEventName;
  awsRegion: string;
  eventSourceARN: string;
  ApproximateCreationDateTime: number;
  Keys: AttributeMap;
  NewImage?: AttributeMap;
  OldImage?: AttributeMap;
  SizeBytes: number;
  StreamViewType: StreamViewType;
}

export function changeEventName(
  oldImage: AttributeMap | undefined,
  newImage: AttributeMap | undefined,
): ChangeEventName {
  if (!oldImage) return 'INSERT';
  return newImage ? 'MODIFY' : 'REMOVE';
}

/** The stored form of one change, as bytes for the shard log. */
export function encodeChange(input: {
  eventName: ChangeEventName;
  region: string;
  streamArn: string;
  now: number;
  keys: AttributeMap;
  oldImage: AttributeMap | undefined;
  newImage: AttributeMap | undefined;
  viewType: StreamViewType;
}): Buffer {
  const withNew = input.viewType === 'NEW_IMAGE' || input.viewType === 'NEW_AND_OLD_IMAGES';
  const withOld = input.viewType === 'OLD_IMAGE' || input.viewType === 'NEW_AND_OLD_IMAGES';
  const NewImage = withNew ? input.newImage : undefined;
  const OldImage = withOld ? input.oldImage : undefined;
  const change: StoredChange = {
    eventName: input.eventName,
    awsRegion: input.region,
    eventSourceARN: input.streamArn,
    ApproximateCreationDateTime: Math.floor(input.now / 1000),
    Keys: input.keys,
    ...(NewImage ? { NewImage } : {}),
    ...(OldImage ? { OldImage } : {}),
    SizeBytes: itemSize(input.keys) + itemSize(NewImage) + itemSize(OldImage),
    StreamViewType: input.viewType,
  };
  return Buffer.from(JSON.stringify(change), 'utf8');
}
export function decodeChange(record: StreamRecord, stream: StreamMeta): DynamoDBStreamRecord {
  const c = JSON.parse(record.data.toString('utf8')) as StoredChange;
  return {
    eventID: md5Hex(`${stream.uid}:${record.sequenceNumber}`),
    eventName: c.eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: c.awsRegion,
    dynamodb: {
      ApproximateCreationDateTime: c.ApproximateCreationDateTime,
      Keys: c.Keys,
      ...(c.NewImage ? { NewImage: c.NewImage } : {}),
      ...(c.OldImage ? { OldImage: c.OldImage } : {}),
      SequenceNumber: record.sequenceNumber,
      SizeBytes: c.SizeBytes,
      StreamViewType: c.StreamViewType,
    },
    eventSourceARN: c.eventSourceARN,
  };
}

/** The shard-log decorator for table streams. */
export function decorateChange(record: StreamRecord, stream: StreamMeta): StreamRecord {
  return Object.assign(record, { change: decodeChange(record, stream) });
}
