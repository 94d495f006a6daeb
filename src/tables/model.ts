/** Types of the table API and of DynamoDB Streams records (reference §3.2). */

/** A DynamoDB JSON attribute value, as stream images carry it. */
export type AttributeValue =
  | { S: string }
  | { N: string }
  | { B: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { M: { [name: string]: AttributeValue } }
  | { L: AttributeValue[] }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] };

export type AttributeMap = { [name: string]: AttributeValue };

/**
 * A plain item: strings, numbers (or bigints), booleans, null, Buffers/Uint8Arrays, arrays,
 * plain objects, and Sets of strings, numbers or Buffers (SS, NS, BS).
 */
export type Item = Record<string, unknown>;

export type KeyType = 'S' | 'N' | 'B';

export interface KeyAttribute {
  name: string;
  type: KeyType;
}

export type StreamViewType = 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES';

export const STREAM_VIEW_TYPES: readonly StreamViewType[] = Object.freeze([
  'KEYS_ONLY',
  'NEW_IMAGE',
  'OLD_IMAGE',
  'NEW_AND_OLD_IMAGES',
]);

export interface CreateTableOptions {
  /** The partition (hash) key: `{ name, type }`, or just a name for a string key. */
  partitionKey: KeyAttribute | string;
  /** The sort (range) key, same forms. */
  sortKey?: KeyAttribute | string;
  /** Turns the table's stream on with this view type. */
  streamViewType?: StreamViewType;
}

export interface TableDescription {
  tableName: string;
  tableArn: string;
  tableStatus: 'ACTIVE';
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  creationDateTime: Date;
  streamViewType?: StreamViewType;
  /** Table ARN + '/stream/' + ISO-8601 label; readable with engine.streams reader methods. */
  latestStreamArn?: string;
  latestStreamLabel?: string;
}

/** What `tables.create` answers: the description, with the ARNs under short names too. */
export interface CreatedTable extends TableDescription {
  /** = tableArn. */
  arn: string;
  /** = latestStreamArn, when the table has a stream. */
  streamArn?: string;
}

/** updateItem's changes: top-level attributes to set (plain values) and to remove. */
export interface ItemUpdate {
  set?: Item;
  remove?: string[];
}

/**
 * A condition on the item as stored before a write (DynamoDB's attribute_exists /
 * attribute_not_exists); when false the write fails with ConditionalCheckFailedException.
 */
export type ItemCondition = { attributeExists: string } | { attributeNotExists: string };

export interface WriteOptions {
  condition?: ItemCondition;
}

export type SortKeyCondition =
  | { eq: unknown }
  | { lt: unknown }
  | { lte: unknown }
  | { gt: unknown }
  | { gte: unknown }
  | { between: [unknown, unknown] }
  | { beginsWith: string | Uint8Array };

export interface QueryInput {
  /** Value of the partition key attribute. */
  partitionKey: unknown;
  sortKey?: SortKeyCondition;
  /** Items to evaluate at most (1 or more). */
  limit?: number;
  /** The `lastEvaluatedKey` of the previous page. */
  exclusiveStartKey?: Item;
  /** false: descending sort-key order. Default true. */
  scanIndexForward?: boolean;
}

export interface QueryOutput {
  items: Item[];
  count: number;
  /** Present when the page stopped at `limit`: pass it as `exclusiveStartKey`. */
  lastEvaluatedKey?: Item;
}

export type ChangeEventName = 'INSERT' | 'MODIFY' | 'REMOVE';

/** A DynamoDB Streams record exactly as AWS delivers it (reference §3.2). */
export interface DynamoDBStreamRecord {
  eventID: string;
  eventName: ChangeEventName;
  eventVersion: '1.1';
  eventSource: 'aws:dynamodb';
  awsRegion: string;
  dynamodb: {
    ApproximateCreationDateTime: number;
    Keys: AttributeMap;
    NewImage?: AttributeMap;
    OldImage?: AttributeMap;
    SequenceNumber: string;
    SizeBytes: number;
    StreamViewType: StreamViewType;
  };
  eventSourceARN: string;
}

/** Persisted per table. */
export interface TableMeta {
  name: string;
  arn: string;
  uid: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  createdAt: number;
  streamViewType?: StreamViewType;
  streamArn?: string;
  streamLabel?: string;
}
