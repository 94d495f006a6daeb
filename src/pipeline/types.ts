/**
 * Public shapes of `apply`: the pipeline spec (what a `lambdalite.config.json` holds, each entry
 * shaped like the engine's own create call), the plan it produces, and its options.
 */
import type { NotificationConfigurationInput } from '../buckets/notification-config.js';
import type { EventInvokeConfigInput } from '../dispatch/push/types.js';
import type { AddPermissionOptions, CreateFunctionOptions, FunctionCode } from '../functions/types.js';
import type { CreateRoleInput } from '../iam/roles/types.js';
import type { PolicyInput } from '../iam/types.js';
import type { CreateMappingInput } from '../mappings/types.js';
import type { CreateStreamOptions } from '../streams/model.js';
import type { CreateTableOptions } from '../tables/model.js';

/** `iam.createRole`'s input. */
export type RoleSpec = { -readonly [K in keyof CreateRoleInput]: CreateRoleInput[K] } & {
  policies?: Record<string, PolicyInput>;
};

/** A bucket and its notification configuration as `putNotificationConfiguration` takes it. */
export interface BucketSpec {
  name: string;
  /** Absent: the bucket notifies nothing (an existing configuration is removed). */
  notifications?: NotificationConfigurationInput;
}

/** `streams.create(name, options)` as one object. */
export interface StreamSpec extends CreateStreamOptions {
  name: string;
}

/** `tables.create(name, options)` as one object. */
export interface TableSpec extends CreateTableOptions {
  name: string;
}

/**
 * `functions.create`'s options. In a file, `code.directory` / `code.file` are relative to the
 * file, and `code.zipFile` may be a path to a zip (a module may pass the bytes).
 */
export interface FunctionSpec extends Omit<CreateFunctionOptions, 'code'> {
  code: FunctionCode | { zipFile: string };
}

/** `functions.addPermission(functionName, options)` as one object. */
export interface PermissionSpec extends AddPermissionOptions {
  functionName: string;
}

/** `functions.putEventInvokeConfig(functionName, config)` as one object. */
export interface EventInvokeConfigSpec extends EventInvokeConfigInput {
  functionName: string;
}

/**
 * `mappings.create`'s input. `eventSourceArn` may name a table's stream as
 * `arn:aws:dynamodb:<region>:<account>:table/<name>/stream/*`: the table's current stream (its
 * label is only known once the table exists).
 */
export type MappingSpec = CreateMappingInput;

/**
 * A pipeline: every list optional. Strings may use `${AWS::Region}`, `${AWS::AccountId}` and
 * `${AWS::Partition}`, replaced by the engine's values.
 */
export interface PipelineSpec {
  roles?: RoleSpec[];
  buckets?: BucketSpec[];
  streams?: StreamSpec[];
  tables?: TableSpec[];
  functions?: FunctionSpec[];
  permissions?: PermissionSpec[];
  eventInvokeConfigs?: EventInvokeConfigSpec[];
  mappings?: MappingSpec[];
}

/** A SAM / CloudFormation template as parsed (short-form tags already in their long form). */
export interface SamTemplate {
  AWSTemplateFormatVersion?: string;
  Transform?: string | string[];
  Parameters?: Record<string, unknown>;
  Globals?: Record<string, unknown>;
  Resources: Record<string, unknown>;
  [key: string]: unknown;
}

/** What {@link loadPipelineFile} returns: plain data, so it can be sent to a server as JSON. */
export interface LoadedPipeline {
  /** The file as given (used in error messages). */
  readonly file: string;
  /** The file's directory: relative code paths start here. */
  readonly baseDir: string;
  readonly kind: 'pipeline' | 'sam';
  readonly document: PipelineSpec | SamTemplate;
}

export type ResourceKind =
  | 'role'
  | 'bucket'
  | 'stream'
  | 'table'
  | 'function'
  | 'permission'
  | 'eventInvokeConfig'
  | 'mapping';

export type PlanAction = 'create' | 'update' | 'replace' | 'delete' | 'unchanged';

export interface PlanStep {
  readonly action: PlanAction;
  readonly kind: ResourceKind;
  /** The resource's identity: a name; `function/statementId` for a permission; `function <- source` for a mapping. */
  readonly id: string;
  /** The fields that differ (update and replace). */
  readonly changes: readonly string[];
  /** Why a replace or a delete happens, when it is not obvious from the fields. */
  readonly reason?: string;
}

export interface Plan {
  /** The name under which apply records what it manages (see docs/notes/pipeline.md). */
  readonly stack: string;
  readonly dryRun: boolean;
  /** True once the steps ran (false for a dry run or a plan with nothing to do). */
  readonly applied: boolean;
  /** In execution order: deletes first (dependents before what they use), then creates and updates. */
  readonly steps: readonly PlanStep[];
  /** Resources no longer declared but kept because `prune` was not set. */
  readonly retained: readonly { kind: ResourceKind; id: string }[];
}

export interface ApplyOptions {
  /** Delete resources apply manages that the spec no longer names. Default false. */
  prune?: boolean;
  /** Compute and return the plan; change nothing. Default false. */
  dryRun?: boolean;
  /** Directory relative code paths start from (default: the loaded file's, else the working directory). */
  baseDir?: string;
  /** The file the spec came from, for error messages (default: the loaded file's). */
  file?: string;
  /** Name of the record of managed resources (CloudFormation's stack name; `AWS::StackName` in templates). Default 'lambdalite'. */
  stack?: string;
  /** Template parameter values overriding the defaults (SAM templates only). */
  parameters?: Readonly<Record<string, string | number | readonly string[]>>;
}
