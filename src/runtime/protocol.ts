/**
 * Messages between the engine and a container (one worker thread). The worker starts with
 * {@link ContainerSpec} as workerData, loads the handler module once (init), answers `ready` or
 * `initError`, then serves one `invoke` at a time. Console output travels as `log` messages
 * tagged with the request id, as it happens, so a container killed at its deadline has already
 * shipped what it printed.
 */

export type LogLevel = 'INFO' | 'WARN' | 'ERROR' | 'DEBUG' | 'TRACE';

/** AWS's error shape (Node >= 10 runtimes). */
export interface ErrorShape {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

export interface ContainerSpec {
  /** Absolute directory the handler path is resolved from (LAMBDA_TASK_ROOT). */
  taskRoot: string;
  handler: string;
  functionName: string;
  functionVersion: string;
  functionArn: string;
  memoryMb: number;
  logGroupName: string;
  logStreamName: string;
  /** This container's private temp directory and its quota in bytes. */
  tmpDir: string;
  tmpBytes: number;
  /** A descriptor of tmpDir, opened and closed by the engine (a cheap fstat per invocation). */
  tmpFd?: number;
  /** The code mentions `lambdalite/sdk`: register the ESM resolve hook (it costs start-up time). */
  sdkImports: boolean;
}

export interface InvokeMessage {
  type: 'invoke';
  requestId: string;
  /** The event as JSON text (Lambda hands functions JSON, never live objects). */
  payload: string;
  /** Milliseconds left until the deadline, measured on the engine clock when sent. */
  remainingMs: number;
  invokedFunctionArn: string;
}

/** The engine's answer to one `sdk` call: the result (structured-cloned) or the error's code. */
export interface SdkResultMessage {
  type: 'sdkResult';
  id: number;
  result?: unknown;
  error?: { code: string; message: string };
}

export type ToWorker = InvokeMessage | SdkResultMessage;

/** One `lambdalite/sdk` call made by the function: `service.method(...args)` (structured clone). */
export interface SdkCallMessage {
  type: 'sdk';
  id: number;
  service: string;
  method: string;
  args: unknown[];
}

export type FromWorker =
  | { type: 'ready'; initDurationMs: number }
  | { type: 'initError'; error: ErrorShape; initDurationMs: number }
  | { type: 'log'; requestId: string | undefined; level: LogLevel; message: string }
  | {
      type: 'result';
      requestId: string;
      /** JSON text of the result (`null` when the handler returned undefined), or the error. */
      payload?: string;
      error?: ErrorShape;
      /** Peak of the container's memory measured around the invocation, bytes. */
      memoryBytes: number;
      /** True when the container must not be reused (e.g. /tmp over quota). */
      retire?: boolean;
    }
  /** Sent just before the worker exits on an uncaught exception or unhandled rejection. */
  | { type: 'fatal'; requestId: string | undefined; error: ErrorShape }
  | SdkCallMessage;

/** AWS's shape for a thrown value (reference §6.6). */
export function toErrorShape(value: unknown): ErrorShape {
  if (value instanceof Error) {
    return {
      errorType: value.name,
      errorMessage: value.message,
      trace: (value.stack ?? `${value.name}: ${value.message}`).split('\n'),
    };
  }
  if (typeof value === 'object' && value !== null && 'errorMessage' in value) {
    const v = value as { errorType?: unknown; errorMessage: unknown };
    return { errorType: String(v.errorType ?? 'Error'), errorMessage: String(v.errorMessage), trace: [] };
  }
  return { errorType: typeof value, errorMessage: String(value), trace: [] };
}
