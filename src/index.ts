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
export type { AsyncInvocationQueue } from './functions/async-queue.js';
export type {
  FunctionInvoker,
  InvocationOutcome,
  InvocationRequest,
  InvocationType,
} from './functions/invoker.js';
export type { Functions } from './functions/service.js';
export type {
  AddPermissionOptions,
  CreateFunctionOptions,
  FunctionCode,
  FunctionConfiguration,
  FunctionPolicy,
  InvokeOptions,
  InvokeResult,
  PolicyStatement,
  UpdateFunctionOptions,
} from './functions/types.js';
export type { Quotas } from './quotas.js';
export { DEFAULT_QUOTAS, TODAY_QUOTAS } from './quotas.js';
