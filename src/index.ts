/**
 * lambdalite: AWS Lambda's event-driven model inside one Node.js process.
 * Named exports only; internals stay internal.
 */

export type { Arn } from './arn.js';
export { formatArn, parseArn } from './arn.js';
export type { EngineBackend } from './backend.js';
export type {
  BucketDescription,
  BucketSummary,
  Buckets,
  GetObjectResult,
  HeadObjectResult,
  PutObjectOptions,
  PutObjectResult,
} from './buckets/buckets.js';
export type { ListObjectsOptions, ListObjectsResult, ObjectSummary } from './buckets/listing.js';
export type {
  LambdaFunctionConfiguration,
  LambdaFunctionConfigurationInput,
  NotificationConfiguration,
  NotificationConfigurationInput,
} from './buckets/notification-config.js';
export type { S3EventRecord } from './buckets/notification-sink.js';
export type { Clock, TimerHandle } from './clock.js';
export { ManualClock, SystemClock } from './clock.js';
export type { EngineOptions, EngineStatus } from './context.js';
export type {
  AsyncAttemptOutcome,
  AsyncFailureCondition,
  DispatchEventMap,
} from './dispatch/events.js';
export type {
  BatchInfo,
  FailureRecord,
  GiveUpCondition as BatchGiveUpCondition,
} from './dispatch/pull/deps.js';
export type { AsyncInvocations } from './dispatch/push/async-invocations.js';
export type { FunctionConcurrencyInfo } from './dispatch/push/delivery.js';
export type {
  DestinationCondition,
  DestinationRecord,
  DestinationTargets,
} from './dispatch/push/destinations.js';
export type { AsyncInvocationOptions } from './dispatch/push/options.js';
export type {
  DeadLetter,
  EventInvokeConfig,
  EventInvokeConfigInput,
  EventSource as QueueEventSource,
  QueueEntry,
} from './dispatch/push/types.js';
export type { RetryPolicy } from './dispatch/retry.js';
export { createEngine, Engine } from './engine.js';
export type { ErrorCode, LambdaliteErrorOptions } from './errors.js';
export { ERROR_CODES, isLambdaliteError, LambdaliteError } from './errors.js';
export type {
  EngineEvent,
  EngineEventMap,
  EngineEventOf,
  EngineEventType,
  LifecycleEventMap,
} from './events.js';
export type { AsyncInvocationQueue } from './functions/async-queue.js';
export type { FunctionEventMap } from './functions/events.js';
export type {
  FunctionInvoker,
  InvocationOutcome,
  InvocationRequest,
  InvocationType,
} from './functions/invoker.js';
export type {
  ApplicationLogLevel,
  LogFormat,
  LoggingConfig,
  LoggingConfigInput,
  SystemLogLevel,
} from './functions/logging-config.js';
export type { Functions } from './functions/service.js';
export type {
  AddPermissionOptions,
  CodeSource,
  CreateFunctionOptions,
  FunctionCode,
  FunctionConfiguration,
  FunctionPolicy,
  InvokeOptions,
  InvokeResult,
  PolicyStatement,
  UpdateFunctionOptions,
} from './functions/types.js';
export type { CallerIdentity } from './iam/authorizer.js';
export type { IamEventMap } from './iam/events.js';
export type { Iam } from './iam/iam.js';
export type { CreateRoleInput, Role, RolePolicy, RoleUsage } from './iam/roles/types.js';
export {
  EXECUTION_LOGS_POLICY,
  INVOKE_ACCESS_POLICY,
  LAMBDA_TRUST_POLICY,
  S3_INVOCATION_TRUST_POLICY,
  s3InvocationTrustPolicy,
  streamReadPolicy,
} from './iam/seed-policies.js';
export type { SimulateInput, SimulateResult } from './iam/simulate.js';
export type {
  ContextScalar,
  ContextValue,
  Decision,
  Effect,
  EvaluationResult,
  PolicyInput,
  RequestContext,
  RequestPrincipal,
  StatementRef,
} from './iam/types.js';
export type { BatchRef, MappingEventMap } from './mappings/events.js';
export type { Mappings } from './mappings/service.js';
export type {
  CreateMappingInput,
  EventSourceMapping,
  MappingSettings,
  MappingState,
  ShardCheckpointView,
  StartingPosition,
  StoredFailure,
  UpdateMappingInput,
} from './mappings/types.js';
export type { LogsEventMap } from './observe/logs/events.js';
export type { LogMatcher } from './observe/logs/filter-pattern.js';
export { compileFilterPattern } from './observe/logs/filter-pattern.js';
export type { Logs } from './observe/logs/logs.js';
export type {
  DescribeLogGroupsOptions,
  DescribeLogStreamsOptions,
  FilteredLogEvent,
  FilterLogEventsOptions,
  FilterLogEventsResult,
  GetLogEventsOptions,
  GetLogEventsResult,
  LogGroup,
  LogStream,
  LogsOptions,
  OutputLogEvent,
  TailedLogEvent,
  TailLogOptions,
} from './observe/logs/types.js';
export { RETENTION_DAYS } from './observe/logs/validate.js';
export type { MetricsEventMap } from './observe/metrics/events.js';
export type { Metrics } from './observe/metrics/metrics.js';
export type { MetricsOptions } from './observe/metrics/options.js';
export type {
  BasicStatistic,
  DimensionFilter,
  GetMetricStatisticsInput,
  GetMetricStatisticsResult,
  ListMetricsInput,
  ListMetricsResult,
  MetricDataInput,
  MetricDatum,
  MetricDimension,
  MetricIdentity,
  MetricStat,
  MetricStatisticsDatapoint,
  MetricUnit,
  MetricWatchPoint,
  StatisticSet,
  WatchMetricInput,
} from './observe/metrics/types.js';
export { apply } from './pipeline/apply.js';
export type { PipelineEngine } from './pipeline/engine.js';
export type { PipelineIssue } from './pipeline/errors.js';
export { PipelineError } from './pipeline/errors.js';
export { formatPlan } from './pipeline/format.js';
export { loadPipelineFile } from './pipeline/load.js';
export { STATE_TABLE } from './pipeline/state.js';
export type {
  ApplyOptions,
  BucketSpec,
  EventInvokeConfigSpec,
  FunctionSpec,
  LoadedPipeline,
  MappingSpec,
  PermissionSpec,
  PipelineSpec,
  Plan,
  PlanAction,
  PlanStep,
  ResourceKind,
  RoleSpec,
  SamTemplate,
  StreamSpec,
  TableSpec,
} from './pipeline/types.js';
export type { Quotas } from './quotas.js';
export { DEFAULT_QUOTAS, TODAY_QUOTAS } from './quotas.js';
export type { StopReason } from './runtime/container-types.js';
export type { RuntimeEventMap } from './runtime/events.js';
export type { ThrottleReason } from './runtime/pool.js';
export type { LogLevel } from './runtime/protocol.js';
export type { ServeOptions, Server } from './server/serve.js';
export { serve } from './server/serve.js';
export type { Credentials } from './server/sigv4.js';
export type { StreamEventMap } from './streams/events.js';
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
export type { TableEventMap } from './tables/events.js';
export type {
  AttributeMap,
  AttributeValue,
  ChangeEventName,
  CreatedTable,
  CreateTableOptions,
  DynamoDBStreamRecord,
  Item,
  ItemCondition,
  ItemUpdate,
  KeyAttribute,
  KeyType,
  QueryInput,
  QueryOutput,
  SortKeyCondition,
  StreamViewType,
  TableDescription,
  WriteOptions,
} from './tables/model.js';
export type { TableService } from './tables/table-service.js';
