/**
 * Validation of function configuration against the engine quotas. Every rule throws
 * InvalidParameterValueException with a message naming the option, the rule and the value.
 */
import { FUNCTION_NAME, tryParseArn } from '../arn.js';
import type { EngineContext } from '../context.js';
import { fail } from '../errors.js';
import type { Quotas } from '../quotas.js';

export const FUNCTION_DEFAULTS = Object.freeze({
  memoryMb: 128,
  timeoutSec: 3,
  description: '',
});

/** Variables Lambda sets itself; a function may not define them (reference §6.2). */
export const RESERVED_ENV_NAMES: ReadonlySet<string> = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]);

const HANDLER = /^[^\s.][^\s]*\.[A-Za-z_$][\w$]*$/;
const ROLE = /^arn:aws[a-zA-Z-]*:iam::\d{12}:role\/[\w+=,.@\-/]{1,512}$/;
const ENV_KEY = /^[a-zA-Z]\w*$/;
/** A value as an error message shows it. */
export const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

export function invalid(message: string): never {
  fail('InvalidParameterValueException', message);
}

/**
 * Turns a name, a full or partial function ARN into a function name. An ARN of another region
 * or account, or one with a qualifier other than `$LATEST`, is refused.
 */
export function resolveFunctionName(ctx: EngineContext, input: unknown, option = 'name'): string {
  if (typeof input !== 'string' || input.length === 0) {
    invalid(`options.${option} must be a function name or ARN, got ${show(input)}`);
  }
  let name = input;
  let region = ctx.region;
  let account = ctx.accountId;
  let qualifier: string | undefined;
  if (input.startsWith('arn:')) {
    const arn = tryParseArn(input);
    const [kind, fn, q, ...extra] = arn?.resource.split(':') ?? [];
    if (arn?.service !== 'lambda' || kind !== 'function' || !fn || extra.length > 0) {
      invalid(`options.${option} must be a function name or function ARN, got ${show(input)}`);
    }
    ({ region, accountId: account } = arn);
    name = fn;
    qualifier = q;
  } else if (/^\d{12}:function:/.test(input)) {
    const [acct, , fn, q, ...extra] = input.split(':');
    if (!acct || !fn || extra.length > 0)
      invalid(`options.${option} is not a valid partial ARN, got ${show(input)}`);
    account = acct;
    name = fn;
    qualifier = q;
  }
  if (region !== ctx.region) {
    invalid(`options.${option} names a function in region ${region}; this engine is in ${ctx.region}`);
  }
  if (account !== ctx.accountId) {
    invalid(
      `options.${option} names a function in account ${account}; this engine is account ${ctx.accountId}`,
    );
  }
  if (qualifier !== undefined && qualifier !== '$LATEST') {
    invalid(
      `options.${option} has qualifier ${show(qualifier)}; only $LATEST exists (no versions or aliases)`,
    );
  }
  if (!FUNCTION_NAME.test(name)) {
    invalid(`options.${option} must be 1-64 characters of [a-zA-Z0-9-_], got ${show(name)}`);
  }
  return name;
}

export function validateHandler(handler: unknown): string {
  if (typeof handler !== 'string' || handler.length > 128 || !HANDLER.test(handler)) {
    invalid(
      `options.handler must look like 'path/file.export' (at most 128 characters), got ${show(handler)}`,
    );
  }
  return handler;
}

export function validateMemory(quotas: Quotas, value: unknown): number {
  const { memoryMinMb: min, memoryMaxMb: max, memoryStepMb: step } = quotas;
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < min ||
    value > max ||
    value % step !== 0
  ) {
    invalid(`options.memoryMb must be a multiple of ${step} between ${min} and ${max}, got ${show(value)}`);
  }
  return value;
}

export function validateTimeout(quotas: Quotas, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > quotas.timeoutMaxSec) {
    invalid(
      `options.timeoutSec must be whole seconds between 1 and ${quotas.timeoutMaxSec}, got ${show(value)}`,
    );
  }
  return value;
}

export function validateRole(value: unknown): string {
  if (typeof value !== 'string' || !ROLE.test(value)) {
    invalid(
      `options.role must be an IAM role ARN like 'arn:aws:iam::123456789012:role/name', got ${show(value)}`,
    );
  }
  return value;
}

export function validateEnvironment(quotas: Quotas, value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    invalid(`options.environment must be an object of string values, got ${show(value)}`);
  }
  let bytes = 0;
  const env: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (RESERVED_ENV_NAMES.has(key)) {
      invalid(`options.environment may not set ${key}: Lambda reserves it`);
    }
    if (!ENV_KEY.test(key)) {
      invalid(`options.environment key must start with a letter and use [a-zA-Z0-9_], got ${show(key)}`);
    }
    if (typeof v !== 'string') invalid(`options.environment.${key} must be a string, got ${show(v)}`);
    bytes += Buffer.byteLength(key) + Buffer.byteLength(v);
    env[key] = v;
  }
  if (bytes > quotas.envBytes) {
    invalid(
      `options.environment must total at most ${quotas.envBytes} bytes (keys plus values), got ${bytes}`,
    );
  }
  return env;
}

export function validateReservedConcurrency(quotas: Quotas, value: unknown): number {
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < 0 ||
    value > quotas.accountConcurrency
  ) {
    invalid(
      `options.reservedConcurrency must be an integer between 0 and ${quotas.accountConcurrency}, got ${show(value)}`,
    );
  }
  return value;
}

export function validateDescription(value: unknown): string {
  if (typeof value !== 'string' || value.length > 256) {
    invalid(`options.description must be a string of at most 256 characters, got ${show(value)}`);
  }
  return value;
}
