/**
 * lambdalite: AWS Lambda's event-driven model inside one Node.js process.
 * Named exports only; internals stay internal.
 */

export type { Arn } from './arn.js';
export { formatArn, parseArn } from './arn.js';
export type { Clock, TimerHandle } from './clock.js';
export { ManualClock, SystemClock } from './clock.js';
export type { EngineOptions, EngineStatus } from './context.js';
export type {
  BatchInfo,
  FailureDestinations,
  FailureRecord,
  FunctionDirectory,
  FunctionInfo,
  ShardSources,
} from './dispatch/pull/deps.js';
export type { ShardSource, SourceRecord, SourceShard } from './dispatch/pull/shard-source.js';
export { createEngine, Engine } from './engine.js';
export type { ErrorCode, LambdaliteErrorOptions } from './errors.js';
export { ERROR_CODES, isLambdaliteError, LambdaliteError } from './errors.js';
export type { EngineEvent, EngineEventMap, EngineEventOf, EngineEventType } from './events.js';
export type { Mappings } from './mappings/service.js';
export type {
  CreateMappingInput,
  EventSourceMapping,
  StoredFailure,
  UpdateMappingInput,
} from './mappings/types.js';
export type { Quotas } from './quotas.js';
export { DEFAULT_QUOTAS, TODAY_QUOTAS } from './quotas.js';
