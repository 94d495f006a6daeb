/** CreateFunction / UpdateFunction: validate options and build the stored configuration. */
import { randomUUID } from 'node:crypto';
import type { EngineContext } from '../context.js';
import { fail } from '../errors.js';
import { type PreparedCode, prepareCode } from './code.js';
import { validateLoggingConfig } from './logging-config.js';
import { awsTimestamp } from './registry.js';
import type { CreateFunctionOptions, FunctionConfiguration, UpdateFunctionOptions } from './types.js';
import {
  FUNCTION_DEFAULTS,
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

export async function buildCreate(ctx: EngineContext, options: CreateFunctionOptions): Promise<Built> {
  if (typeof options !== 'object' || options === null) {
    fail('InvalidParameterValueException', 'options must be an object with name, handler, code and role');
  }
  const o = options;
  const name = resolveFunctionName(ctx, o.name);
  const config: FunctionConfiguration = {
    functionName: name,
    functionArn: ctx.arns.function(name),
    runtime: RUNTIME,
    handler: validateHandler(o.handler),
    codeSha256: '',
    codeSize: 0,
    codeSource: 'file',
    description: validateDescription(o.description ?? FUNCTION_DEFAULTS.description),
    memorySize: validateMemory(ctx.quotas, o.memoryMb ?? FUNCTION_DEFAULTS.memoryMb),
    timeout: validateTimeout(ctx.quotas, o.timeoutSec ?? FUNCTION_DEFAULTS.timeoutSec),
    role: validateRole(o.role),
    environment: validateEnvironment(ctx.quotas, o.environment ?? {}),
    lastModified: awsTimestamp(ctx.clock.now()),
    version: '$LATEST',
    revisionId: randomUUID(),
    state: 'Active',
    packageType: 'Zip',
    loggingConfig: validateLoggingConfig(o.loggingConfig ?? {}, name),
  };
  if (o.reservedConcurrency !== undefined) {
    config.reservedConcurrency = validateReservedConcurrency(ctx.quotas, o.reservedConcurrency);
  }
  const code = await prepareCode(o.code);
  applyCode(config, code);
  return { config, zip: code.zip };
}

export async function buildUpdate(
  ctx: EngineContext,
  current: FunctionConfiguration,
  options: UpdateFunctionOptions,
): Promise<Built> {
  if (typeof options !== 'object' || options === null) {
    fail('InvalidParameterValueException', 'options must be an object of the fields to change');
  }
  const o = options;
  const config: FunctionConfiguration = {
    ...current,
    environment: { ...current.environment },
    lastModified: awsTimestamp(ctx.clock.now()),
    revisionId: randomUUID(),
  };
  if (o.handler !== undefined) config.handler = validateHandler(o.handler);
  if (o.memoryMb !== undefined) config.memorySize = validateMemory(ctx.quotas, o.memoryMb);
  if (o.timeoutSec !== undefined) config.timeout = validateTimeout(ctx.quotas, o.timeoutSec);
  if (o.role !== undefined) config.role = validateRole(o.role);
  if (o.environment !== undefined) config.environment = validateEnvironment(ctx.quotas, o.environment);
  if (o.description !== undefined) config.description = validateDescription(o.description);
  if (o.reservedConcurrency === null) delete config.reservedConcurrency;
  else if (o.reservedConcurrency !== undefined) {
    config.reservedConcurrency = validateReservedConcurrency(ctx.quotas, o.reservedConcurrency);
  }
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
