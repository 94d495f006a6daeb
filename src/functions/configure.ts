/** CreateFunction / UpdateFunction: validate options and build the stored configuration. */
import { randomUUID } from 'node:crypto';
import type { EngineContext } from '../context.js';
import { anyValue, by, readOptions } from '../validation/options.js';
import { type PreparedCode, prepareCode } from './code.js';
import { type LoggingConfigInput, validateLoggingConfig } from './logging-config.js';
import { awsTimestamp } from './registry.js';
import type {
  CreateFunctionOptions,
  FunctionCode,
  FunctionConfiguration,
  UpdateFunctionOptions,
} from './types.js';
import {
  FUNCTION_DEFAULTS,
  invalid,
  resolveFunctionName,
  validateDescription,
  validateEnvironment,
  validateHandler,
  validateMemory,
  validateReservedConcurrency,
  validateRole,
  validateTimeout,
} from './validate.js';

export const RUNTIME = `nodejs${process.versions.node.split('.')[0]}.x`;

export interface Built {
  config: FunctionConfiguration;
  zip: Buffer | undefined;
}

function applyCode(config: FunctionConfiguration, code: PreparedCode): void {
  config.codeSource = code.source;
  config.codeSha256 = code.sha256;
  config.codeSize = code.size;
  if (code.path === undefined) delete config.codePath;
  else config.codePath = code.path;
}

/** Every option of create and update; `name` only on create. */
function configOptions(ctx: EngineContext) {
  return {
    handler: by(validateHandler),
    code: anyValue<FunctionCode>(),
    memoryMb: by((v) => validateMemory(ctx.quotas, v)),
    timeoutSec: by((v) => validateTimeout(ctx.quotas, v)),
    role: by(validateRole),
    environment: by((v) => validateEnvironment(ctx.quotas, v)),
    // null (update only) removes the reservation.
    reservedConcurrency: (v: unknown) => (v === null ? null : validateReservedConcurrency(ctx.quotas, v)),
    description: by(validateDescription),
    // Checked by validateLoggingConfig, which needs the function's name and current config.
    loggingConfig: anyValue<LoggingConfigInput>(),
  } as const;
}

export async function buildCreate(ctx: EngineContext, options: CreateFunctionOptions): Promise<Built> {
  const o = readOptions(
    options,
    { name: by((v) => resolveFunctionName(ctx, v)), ...configOptions(ctx) },
    'InvalidParameterValueException',
    { required: ['name', 'handler', 'code', 'role'] },
  );
  if (o.reservedConcurrency === null) invalid('options.reservedConcurrency may be null only on update');
  const name = o.name as string;
  const config: FunctionConfiguration = {
    functionName: name,
    functionArn: ctx.arns.function(name),
    runtime: RUNTIME,
    handler: o.handler as string,
    codeSha256: '',
    codeSize: 0,
    codeSource: 'file',
    description: o.description ?? FUNCTION_DEFAULTS.description,
    memorySize: o.memoryMb ?? FUNCTION_DEFAULTS.memoryMb,
    timeout: o.timeoutSec ?? FUNCTION_DEFAULTS.timeoutSec,
    role: o.role as string,
    environment: o.environment ?? {},
    lastModified: awsTimestamp(ctx.clock.now()),
    version: '$LATEST',
    revisionId: randomUUID(),
    state: 'Active',
    packageType: 'Zip',
    loggingConfig: validateLoggingConfig(o.loggingConfig ?? {}, name),
  };
  if (o.reservedConcurrency !== undefined) config.reservedConcurrency = o.reservedConcurrency;
  const code = await prepareCode(o.code);
  applyCode(config, code);
  return { config, zip: code.zip };
}

export async function buildUpdate(
  ctx: EngineContext,
  current: FunctionConfiguration,
  options: UpdateFunctionOptions,
): Promise<Built> {
  if (options === undefined) invalid('options must be an object of the fields to change');
  const o = readOptions(options, configOptions(ctx), 'InvalidParameterValueException');
  const config: FunctionConfiguration = {
    ...current,
    environment: { ...current.environment },
    lastModified: awsTimestamp(ctx.clock.now()),
    revisionId: randomUUID(),
  };
  if (o.handler !== undefined) config.handler = o.handler;
  if (o.memoryMb !== undefined) config.memorySize = o.memoryMb;
  if (o.timeoutSec !== undefined) config.timeout = o.timeoutSec;
  if (o.role !== undefined) config.role = o.role;
  if (o.environment !== undefined) config.environment = o.environment;
  if (o.description !== undefined) config.description = o.description;
  if (o.reservedConcurrency === null) delete config.reservedConcurrency;
  else if (o.reservedConcurrency !== undefined) config.reservedConcurrency = o.reservedConcurrency;
  if (o.loggingConfig !== undefined) {
    config.loggingConfig = validateLoggingConfig(o.loggingConfig, config.functionName, current.loggingConfig);
  }
  let zip: Buffer | undefined;
  if (o.code !== undefined) {
    const code = await prepareCode(o.code);
    applyCode(config, code);
    zip = code.zip;
  }
  return { config, zip };
}
