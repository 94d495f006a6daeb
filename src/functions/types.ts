/**
 * Public shapes of the function registry: what `create` / `update` take and what every read
 * returns (AWS's FunctionConfiguration in camelCase).
 */

import type { LoggingConfig, LoggingConfigInput } from './logging-config.js';

/** Where a function's code comes from. */
export type FunctionCode =
  /** One module file, referenced in place: edits take effect at the next cold start. */
  | { file: string }
  /** A directory (the task root), referenced in place: edits take effect at the next cold start. */
  | { directory: string }
  /** A zip bundling the code and its node_modules: stored in LevelDB and unpacked to a cache. */
  | { zipFile: Buffer | Uint8Array };

export interface CreateFunctionOptions {
  /** 1-64 characters of `[a-zA-Z0-9-_]`, or a function ARN of this engine's region and account. */
  name: string;
  /** `path/file.export`, resolved from the code's root, e.g. `index.handler`. */
  handler: string;
  code: FunctionCode;
  /** Default 128; a multiple of quotas.memoryStepMb in [quotas.memoryMinMb, quotas.memoryMaxMb]. */
  memoryMb?: number;
  /** Default 3; whole seconds in [1, quotas.timeoutMaxSec]. */
  timeoutSec?: number;
  /** Execution role ARN, `arn:aws:iam::<account>:role/<name>`. */
  role: string;
  /** The function's own variables; keys plus values at most quotas.envBytes; reserved names refused. */
  environment?: Record<string, string>;
  /** Caps (and in AWS guarantees) the function's concurrent containers; 0 disables invocation. */
  reservedConcurrency?: number;
  /** 0-256 characters. */
  description?: string;
  /** Text (default) or JSON log lines, and the JSON format's level filters. */
  loggingConfig?: LoggingConfigInput;
}

/** Fields `update` may change; omitted fields keep their value. `reservedConcurrency: null` removes the cap. */
export interface UpdateFunctionOptions {
  handler?: string;
  code?: FunctionCode;
  memoryMb?: number;
  timeoutSec?: number;
  role?: string;
  environment?: Record<string, string>;
  reservedConcurrency?: number | null;
  description?: string;
  loggingConfig?: LoggingConfigInput;
}

export type CodeSource = 'file' | 'directory' | 'zip';

export interface FunctionConfiguration {
  functionName: string;
  functionArn: string;
  /** `nodejs<major>.x` of the Node.js running the engine. */
  runtime: string;
  handler: string;
  /** Base64 SHA-256 of the code (the zip bytes; the file; the directory's files in path order). */
  codeSha256: string;
  /** Bytes of the zip, the file, or the directory's files. */
  codeSize: number;
  codeSource: CodeSource;
  /** For 'file' and 'directory' code: the absolute path the function runs from. */
  codePath?: string;
  description: string;
  memorySize: number;
  timeout: number;
  role: string;
  environment: Record<string, string>;
  reservedConcurrency?: number;
  /** How its log lines are written (absent in configurations stored before it existed: Text). */
  loggingConfig?: LoggingConfig;
  /** AWS's format, e.g. `2026-01-01T00:00:00.000+0000`, from the engine clock. */
  lastModified: string;
  version: '$LATEST';
  /** Changes on every update; containers started under another revision are not reused. */
  revisionId: string;
  state: 'Active';
  packageType: 'Zip';
}

export interface InvokeOptions {
  /** Default 'RequestResponse'. */
  invocationType?: 'RequestResponse' | 'Event' | 'DryRun';
  /** 'Tail' returns the last 4 KB of the invocation's log lines, base64, in `logResult`. */
  logType?: 'None' | 'Tail';
}

export interface InvokeResult {
  /** 200 RequestResponse (also on function error), 202 Event, 204 DryRun. */
  statusCode: number;
  /** The handler's result, or `{ errorType, errorMessage, trace }` when `functionError` is set. */
  payload?: unknown;
  functionError?: 'Unhandled' | 'Handled';
  logResult?: string;
  executedVersion?: string;
  /** The request id of the invocation (sync) or the queued event (async). */
  requestId: string;
}

export interface AddPermissionOptions {
  /** 1-100 characters of `[a-zA-Z0-9-_.]`, unique in the function's policy. */
  statementId: string;
  /** e.g. 'lambda:InvokeFunction' or 'lambda:*'. */
  action: string;
  /** A service principal (`s3.amazonaws.com`), an account id, or an ARN. */
  principal: string;
  sourceArn?: string;
  sourceAccount?: string;
}

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Principal: { Service: string } | { AWS: string };
  Action: string;
  Resource: string;
  Condition?: Record<string, Record<string, string>>;
}

export interface FunctionPolicy {
  Version: '2012-10-17';
  Id: 'default';
  Statement: PolicyStatement[];
}
