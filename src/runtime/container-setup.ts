/**
 * What a container is started with: its worker options (workerData, its own process.env with
 * Lambda's variables, V8 heap limits), its log names, and AWS's report when it dies.
 */
import { randomBytes } from 'node:crypto';
import type { WorkerOptions } from 'node:worker_threads';
import type { ContainerOptions, StopReason } from './container-types.js';
import type { ContainerSpec, ErrorShape } from './protocol.js';

export function logGroupName(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

/** `YYYY/MM/DD/[$LATEST]<32 hex>`, dated when the container starts (reference §7.1). */
export function logStreamName(now: number): string {
  const day = new Date(now).toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

/** The worker's data, its own process.env (Lambda's variables, then the function's) and limits. */
export function workerOptions(
  o: ContainerOptions,
  tmpDir: string,
  stream: string,
  tmpFd?: number,
  tmpTouched?: SharedArrayBuffer,
): WorkerOptions {
  const spec: ContainerSpec = {
    taskRoot: o.taskRoot,
    handler: o.handler,
    functionName: o.functionName,
    functionVersion: '$LATEST',
    functionArn: o.functionArn,
    memoryMb: o.memoryMb,
    logGroupName: logGroupName(o.functionName),
    logStreamName: stream,
    tmpDir,
    tmpBytes: o.tmpMb * 1024 * 1024,
    tmpFd,
    tmpTouched,
    responseBytes: o.responseBytes,
    sdkImports: o.sdkImports,
  };
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    ...o.environment,
    AWS_REGION: o.region,
    AWS_DEFAULT_REGION: o.region,
    AWS_LAMBDA_FUNCTION_NAME: o.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(o.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_LOG_GROUP_NAME: spec.logGroupName,
    AWS_LAMBDA_LOG_STREAM_NAME: stream,
    AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${process.versions.node.split('.')[0]}.x`,
    LAMBDA_TASK_ROOT: o.taskRoot,
    _HANDLER: o.handler,
    TMPDIR: tmpDir,
    TMP: tmpDir,
    TEMP: tmpDir,
  };
  return {
    workerData: spec,
    env,
    stdout: true,
    stderr: true,
    resourceLimits: {
      maxOldGenerationSizeMb: o.memoryMb,
      maxYoungGenerationSizeMb: Math.max(8, Math.floor(o.memoryMb / 16)),
    },
  };
}

/** AWS's report for a container that died mid-invocation (reference §6.6). */
export function deathError(
  requestId: string,
  reason: StopReason,
  code: number,
  memoryMb: number,
  workerError: Error | undefined,
): ErrorShape {
  const prefix = requestId ? `RequestId: ${requestId} Error: ` : 'Error: ';
  if (reason === 'out-of-memory') {
    return {
      errorType: 'Runtime.ExitError',
      errorMessage: `${prefix}Runtime exited with error: signal: killed (out of memory: limit of ${memoryMb} MB reached)`,
      trace: [],
    };
  }
  if (workerError && reason === 'crash') {
    return {
      errorType: workerError.name,
      errorMessage: workerError.message,
      trace: (workerError.stack ?? '').split('\n'),
    };
  }
  return {
    errorType: 'Runtime.ExitError',
    errorMessage: `${prefix}Runtime exited with error: ${reason === 'exit' ? `exit status ${code}` : 'signal: killed'}`,
    trace: [],
  };
}
