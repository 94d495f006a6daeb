/**
 * Messages between the engine and a container (one worker thread). The worker starts with
 * `ContainerSpec` as workerData, loads the handler module once (init), answers `ready` or
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
  /** One Int32, set once anything may have written to tmpDir (see worker-tmp.ts TmpTouch). */
  tmpTouched?: SharedArrayBuffer;
  /** The synchronous response limit (quotas.syncPayloadBytes), UTF-8 bytes of the JSON text. */
  responseBytes: number;
  /** The code mentions `lambdalite/sdk`: register the ESM resolve hook (it costs start-up time). */
  sdkImports: boolean;
}

/**
 * One invocation. It crosses to the worker as one string ({@link encodeInvoke}): a string is
 * cheaper to structured-clone than an object of five fields, on the warm path both ways.
 */
export interface InvokeMessage {
  requestId: string;
  /** The event as JSON text (Lambda hands functions JSON, never live objects). */
  payload: string;
  /**
   * `kinesis`: `payload` is a Kinesis event in the compact form of kinesis-event.ts, which the
   * container turns into the same object JSON.parse of the full event would give.
   */
  format?: 'json' | 'kinesis';
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

/** An invoke travels as its string encoding; everything else as an object. */
export type ToWorker = string | string[] | SdkResultMessage;

/**
 * `<remainingMs>\n<invokedFunctionArn>\n<requestId length>\n<requestId><payload>`, with a `K`
 * in front when the payload is a compact Kinesis event (`format: 'kinesis'`).
 */
export function encodeInvoke(m: InvokeMessage): string {
  const head = m.format === 'kinesis' ? 'K' : '';
  return `${head}${m.remainingMs}\n${m.invokedFunctionArn}\n${m.requestId.length}\n${m.requestId}${m.payload}`;
}

export function decodeInvoke(text: string): InvokeMessage {
  const kinesis = text.charCodeAt(0) === 75; // 'K'
  const a = text.indexOf('\n');
  const b = text.indexOf('\n', a + 1);
  const c = text.indexOf('\n', b + 1);
  const idEnd = c + 1 + Number(text.slice(b + 1, c));
  return {
    remainingMs: Number(text.slice(kinesis ? 1 : 0, a)),
    invokedFunctionArn: text.slice(a + 1, b),
    requestId: text.slice(c + 1, idEnd),
    payload: text.slice(idEnd),
    format: kinesis ? 'kinesis' : 'json',
  };
}

/**
 * A successful result, the warm path's answer, travels as one string too:
 * `<memoryBytes>\n<requestId><payload>` (the engine knows which request id to expect). Errors,
 * logs and the rest are objects.
 */
export function encodeResult(requestId: string, memoryBytes: number, payload: string): string {
  return `${memoryBytes}\n${requestId}${payload}`;
}

/**
 * The payload of an encoded result for `requestId`, or undefined when it answers another request
 * or is not a result at all (the function's code can post any string on the port).
 */
export function decodeResult(
  text: string,
  requestId: string,
): { payload: string; memoryBytes: number } | undefined {
  const nl = text.indexOf('\n');
  if (nl < 1 || !text.startsWith(requestId, nl + 1)) return undefined;
  const memoryBytes = Number(text.slice(0, nl));
  if (!isCount(memoryBytes)) return undefined;
  return { payload: text.slice(nl + 1 + requestId.length), memoryBytes };
}

/** One `lambdalite/sdk` call made by the function: `service.method(...args)` (structured clone). */
export interface SdkCallMessage {
  type: 'sdk';
  id: number;
  service: string;
  method: string;
  args: unknown[];
}

export type FromWorker =
  /** A successful result ({@link encodeResult}). */
  | string
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
  /** The container's memory (heap and external) passed its limit: the engine ends it. */
  | { type: 'memory'; memoryBytes: number }
  | SdkCallMessage;

const LOG_LEVELS: ReadonlySet<unknown> = new Set<LogLevel>(['INFO', 'WARN', 'ERROR', 'DEBUG', 'TRACE']);

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0;

const isOptionalString = (value: unknown): value is string | undefined =>
  value === undefined || typeof value === 'string';

function isErrorShape(value: unknown): value is ErrorShape {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Partial<Record<keyof ErrorShape, unknown>>;
  return (
    typeof e.errorType === 'string' &&
    typeof e.errorMessage === 'string' &&
    Array.isArray(e.trace) &&
    e.trace.every((line) => typeof line === 'string')
  );
}

/**
 * The message a worker posted, checked for shape, or undefined when it is not one of
 * {@link FromWorker}. The function's code shares the worker's port (`parentPort`), so anything
 * may arrive: `null`, numbers, objects with a known `type` and wrong fields. Encoded results
 * (strings) are checked by {@link decodeResult} against the request they must answer.
 */
export function readFromWorker(message: unknown): FromWorker | undefined {
  if (typeof message === 'string') return message;
  if (typeof message !== 'object' || message === null) return undefined;
  const m = message as Record<string, unknown>;
  switch (m.type) {
    case 'log':
      return isOptionalString(m.requestId) && LOG_LEVELS.has(m.level) && typeof m.message === 'string'
        ? (message as FromWorker)
        : undefined;
    case 'result':
      return typeof m.requestId === 'string' &&
        isOptionalString(m.payload) &&
        (m.error === undefined || isErrorShape(m.error)) &&
        isCount(m.memoryBytes) &&
        (m.retire === undefined || typeof m.retire === 'boolean')
        ? (message as FromWorker)
        : undefined;
    case 'ready':
      return isCount(m.initDurationMs) ? (message as FromWorker) : undefined;
    case 'initError':
      return isCount(m.initDurationMs) && isErrorShape(m.error) ? (message as FromWorker) : undefined;
    case 'fatal':
      return isOptionalString(m.requestId) && isErrorShape(m.error) ? (message as FromWorker) : undefined;
    case 'memory':
      return isCount(m.memoryBytes) ? (message as FromWorker) : undefined;
    case 'sdk':
      return Number.isSafeInteger(m.id) &&
        typeof m.service === 'string' &&
        typeof m.method === 'string' &&
        Array.isArray(m.args)
        ? (message as FromWorker)
        : undefined;
    default:
      return undefined;
  }
}

/** The error of an invocation that left /tmp over its quota (the worker's check or the engine's). */
export function tmpQuotaError(usedBytes: number, quotaBytes: number): ErrorShape {
  return {
    errorType: 'Error',
    errorMessage: `ENOSPC: no space left on device: /tmp holds ${usedBytes} bytes, over its quota of ${quotaBytes} bytes`,
    trace: [],
  };
}

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
