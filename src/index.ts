/**
 * lambdalite: AWS Lambda's event-driven model inside one Node.js process.
 * Named exports only; internals stay internal.
 */

export type { Arn } from './arn.js';
export { formatArn, parseArn } from './arn.js';
export type { Clock, TimerHandle } from './clock.js';
export { ManualClock, SystemClock } from './clock.js';
export type { EngineOptions, EngineStatus } from './context.js';
export { createEngine, Engine } from './engine.js';
export type { ErrorCode, LambdaliteErrorOptions } from './errors.js';
export { ERROR_CODES, isLambdaliteError, LambdaliteError } from './errors.js';
export type { EngineEvent, EngineEventMap, EngineEventOf, EngineEventType } from './events.js';
export type { Quotas } from './quotas.js';
export { DEFAULT_QUOTAS, TODAY_QUOTAS } from './quotas.js';
export type {
  ChildShard,
  CreateStreamOptions,
  GetRecordsOutput,
  GetShardIteratorOptions,
  HashKeyRange,
  PutRecordInput,
  PutRecordOutput,
  PutRecordsOutput,
  PutRecordsResultEntry,
  ShardDescription,
  ShardIteratorType,
  StreamDescription,
  StreamRecord,
  StreamStatus,
} from './streams/model.js';
export type { StreamService, StreamSummary } from './streams/stream-service.js';
export type { TailedRecord, TailOptions, TailStart } from './streams/tail.js';
export type {
  AttributeMap,
  AttributeValue,
  CreateTableOptions,
  DynamoDBStreamRecord,
  Item,
  ItemCondition,
  ItemUpdate,
  KeyAttribute,
  QueryInput,
  QueryOutput,
  SortKeyCondition,
  StreamViewType,
  TableDescription,
  WriteOptions,
} from './tables/model.js';
export type { TableService } from './tables/table-service.js';
