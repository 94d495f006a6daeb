/**
 * Validation of CreateEventSourceMapping / UpdateEventSourceMapping input. Messages name the
 * option and the value; nothing is written when a rule fails.
 */
import { FUNCTION_NAME, tryParseArn } from '../arn.js';
import { LambdaliteError } from '../errors.js';
import { anyValue, readOptions, stringValue } from '../validation/options.js';
import type { CreateMappingInput, MappingSettings, StartingPosition, UpdateMappingInput } from './types.js';

export const MAPPING_DEFAULTS = Object.freeze({
  batchSize: 100,
  maximumBatchingWindowMs: 0,
  maximumRetryAttempts: -1,
  maximumRecordAgeSec: -1,
  bisectBatchOnFunctionError: false,
  parallelizationFactor: 1,
  reportBatchItemFailures: false,
  enabled: true,
});

const STARTING_POSITIONS: readonly StartingPosition[] = ['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'];
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

function invalid(message: string): never {
  throw new LambdaliteError('InvalidParameterValueException', message);
}

function intIn(name: string, value: unknown, min: number, max: number, also?: number): number {
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    ((value < min || value > max) && value !== also)
  ) {
    const range = also === undefined ? `between ${min} and ${max}` : `${also}, or between ${min} and ${max}`;
    invalid(`${name} must be an integer ${range}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function bool(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') invalid(`${name} must be a boolean, got ${JSON.stringify(value)}`);
  return value;
}

export interface FunctionRef {
  name: string;
  qualifier: string | undefined;
}

/** Accepts a name, an ARN of this region and account, or a partial ARN `account:function:name`. */
export function parseFunctionName(value: unknown, region: string, accountId: string): FunctionRef {
  if (typeof value !== 'string' || value.length === 0 || value.length > 140) {
    invalid(`functionName must be a function name or ARN (1-140 characters), got ${JSON.stringify(value)}`);
  }
  let resource = value;
  if (value.startsWith('arn:')) {
    const arn = tryParseArn(value);
    if (arn?.service !== 'lambda') invalid(`functionName '${value}' is not a Lambda function ARN`);
    if (arn.region !== region) {
      invalid(
        `functionName '${value}' is in region ${arn.region}; a mapping must be in its function's region (${region})`,
      );
    }
    if (arn.accountId !== accountId) invalid(`functionName '${value}' belongs to another account`);
    resource = arn.resource;
  } else if (/^\d{12}:function:/.test(value)) {
    if (!value.startsWith(`${accountId}:`)) invalid(`functionName '${value}' belongs to another account`);
    resource = value.slice(13);
  }
  if (resource.startsWith('function:')) resource = resource.slice('function:'.length);
  const [name = '', qualifier, ...rest] = resource.split(':');
  if (!FUNCTION_NAME.test(name) || rest.length > 0 || qualifier === '') {
    invalid(`functionName '${value}' is not a valid function name ([a-zA-Z0-9-_], 1-64 characters)`);
  }
  return { name, qualifier };
}

/** Checks the event source ARN's shape and region; existence is checked by the service. */
export function parseEventSourceArn(value: unknown, region: string): 'kinesis' | 'dynamodb' {
  if (typeof value !== 'string') invalid(`eventSourceArn must be a string ARN, got ${JSON.stringify(value)}`);
  const arn = tryParseArn(value);
  const kind =
    arn?.service === 'kinesis' && arn.resource.startsWith('stream/')
      ? 'kinesis'
      : arn?.service === 'dynamodb' && /^table\/[^/]+\/stream\/.+/.test(arn.resource)
        ? 'dynamodb'
        : undefined;
  if (!arn || !kind) {
    invalid(`eventSourceArn '${value}' is not a Kinesis stream ARN or a DynamoDB table stream ARN`);
  }
  if (arn.region !== region) {
    invalid(
      `eventSourceArn '${value}' is in region ${arn.region}; event sources must be in the function's region (${region})`,
    );
  }
  return kind;
}

export function validateStart(
  input: Pick<CreateMappingInput, 'startingPosition' | 'startingPositionTimestamp'>,
  kind: 'kinesis' | 'dynamodb',
): { startingPosition: StartingPosition; startingPositionTimestamp: number | undefined } {
  const { startingPosition, startingPositionTimestamp } = input;
  if (!STARTING_POSITIONS.includes(startingPosition)) {
    invalid(
      `startingPosition must be one of ${STARTING_POSITIONS.join(', ')}, got ${JSON.stringify(startingPosition)}`,
    );
  }
  if (startingPosition !== 'AT_TIMESTAMP') {
    if (startingPositionTimestamp !== undefined) {
      invalid(
        `startingPositionTimestamp is only allowed with startingPosition AT_TIMESTAMP, got ${startingPosition}`,
      );
    }
    return { startingPosition, startingPositionTimestamp: undefined };
  }
  if (kind === 'dynamodb') invalid('startingPosition AT_TIMESTAMP is supported for Kinesis streams only');
  const ms =
    startingPositionTimestamp instanceof Date
      ? startingPositionTimestamp.getTime()
      : startingPositionTimestamp;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
    invalid(
      `startingPositionTimestamp is required with AT_TIMESTAMP (epoch ms or Date), got ${JSON.stringify(startingPositionTimestamp)}`,
    );
  }
  return { startingPosition, startingPositionTimestamp: ms };
}

/** Validates the tunable settings of `input` over `base` (defaults on create, current on update). */
export function validateSettings(input: UpdateMappingInput, base: MappingSettings): MappingSettings {
  const s: MappingSettings = { ...base };
  if (input.batchSize !== undefined) s.batchSize = intIn('batchSize', input.batchSize, 1, 10_000);
  if (input.maximumBatchingWindowMs !== undefined) {
    s.maximumBatchingWindowMs = intIn('maximumBatchingWindowMs', input.maximumBatchingWindowMs, 0, 300_000);
  }
  if (input.maximumRetryAttempts !== undefined) {
    s.maximumRetryAttempts = intIn('maximumRetryAttempts', input.maximumRetryAttempts, 0, 10_000, -1);
  }
  if (input.maximumRecordAgeSec !== undefined) {
    s.maximumRecordAgeSec = intIn('maximumRecordAgeSec', input.maximumRecordAgeSec, 60, 604_800, -1);
  }
  if (input.bisectBatchOnFunctionError !== undefined) {
    s.bisectBatchOnFunctionError = bool('bisectBatchOnFunctionError', input.bisectBatchOnFunctionError);
  }
  if (input.parallelizationFactor !== undefined) {
    s.parallelizationFactor = intIn('parallelizationFactor', input.parallelizationFactor, 1, 10);
  }
  if (input.reportBatchItemFailures !== undefined) {
    s.reportBatchItemFailures = bool('reportBatchItemFailures', input.reportBatchItemFailures);
  }
  if (input.functionResponseTypes !== undefined) {
    const types: unknown = input.functionResponseTypes;
    if (!Array.isArray(types) || types.length > 1 || types.some((t) => t !== 'ReportBatchItemFailures')) {
      invalid(
        `functionResponseTypes must be [] or ['ReportBatchItemFailures'], got ${JSON.stringify(types)}`,
      );
    }
    s.reportBatchItemFailures = types.length === 1;
  }
  if (input.onFailure !== undefined) {
    if (input.onFailure === null || input.onFailure === '') s.onFailure = undefined;
    else if (typeof input.onFailure !== 'string' || !tryParseArn(input.onFailure)) {
      invalid(`onFailure must be a destination ARN, got ${JSON.stringify(input.onFailure)}`);
    } else s.onFailure = input.onFailure;
  }
  if (input.role !== undefined) {
    if (typeof input.role !== 'string' || !ROLE_ARN.test(input.role)) {
      invalid(
        `role must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), got ${JSON.stringify(input.role)}`,
      );
    }
    s.role = input.role;
  }
  return s;
}

const SETTING_FIELDS = {
  functionName: anyValue(),
  batchSize: anyValue(),
  maximumBatchingWindowMs: anyValue(),
  maximumRetryAttempts: anyValue(),
  maximumRecordAgeSec: anyValue(),
  bisectBatchOnFunctionError: anyValue(),
  parallelizationFactor: anyValue(),
  reportBatchItemFailures: anyValue(),
  functionResponseTypes: anyValue(),
  onFailure: anyValue(),
  enabled: anyValue(),
  role: anyValue(),
} as const;

const CREATE_FIELDS = {
  ...SETTING_FIELDS,
  eventSourceArn: anyValue(),
  startingPosition: anyValue(),
  startingPositionTimestamp: anyValue(),
} as const;

const fixed = (_value: unknown, path: string): never =>
  invalid(`${path} cannot be changed; delete the mapping and create a new one`);

const UPDATE_FIELDS = {
  ...SETTING_FIELDS,
  eventSourceArn: fixed,
  startingPosition: fixed,
  startingPositionTimestamp: fixed,
} as const;

/**
 * The create input as a whole (plain object, no unknown field); each field's own rule runs
 * later, where its default or current value is known.
 */
export function checkCreateInput(input: unknown): CreateMappingInput {
  readOptions(input, CREATE_FIELDS, 'InvalidParameterValueException', { label: 'input' });
  return input as CreateMappingInput;
}

export function checkUpdateInput(changes: unknown): UpdateMappingInput {
  if (changes === undefined) invalid('update() needs an object of changes');
  readOptions(changes, UPDATE_FIELDS, 'InvalidParameterValueException', { label: 'changes' });
  return changes as UpdateMappingInput;
}

export function checkListFilter(filter: unknown): { functionName?: string; eventSourceArn?: string } {
  return readOptions(
    filter,
    { functionName: stringValue(), eventSourceArn: stringValue() },
    'InvalidParameterValueException',
    { label: 'filter' },
  );
}

export const DEFAULT_SETTINGS: MappingSettings = Object.freeze({
  batchSize: MAPPING_DEFAULTS.batchSize,
  maximumBatchingWindowMs: MAPPING_DEFAULTS.maximumBatchingWindowMs,
  maximumRetryAttempts: MAPPING_DEFAULTS.maximumRetryAttempts,
  maximumRecordAgeSec: MAPPING_DEFAULTS.maximumRecordAgeSec,
  bisectBatchOnFunctionError: MAPPING_DEFAULTS.bisectBatchOnFunctionError,
  parallelizationFactor: MAPPING_DEFAULTS.parallelizationFactor,
  reportBatchItemFailures: MAPPING_DEFAULTS.reportBatchItemFailures,
  onFailure: undefined,
  role: undefined,
});
