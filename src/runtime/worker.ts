/**
 * The container: entry module of one worker thread. Loads the handler once (init), then serves
 * one invocation at a time. See protocol.ts for the messages.
 */
import { type Dirent, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import {
  type ContainerSpec,
  type ErrorShape,
  type FromWorker,
  type InvokeMessage,
  type ToWorker,
  toErrorShape,
} from './protocol.js';
import { installChannel, SdkChannel } from './sdk/channel.js';
import * as sdk from './sdk/index.js';
import { installSdkResolution } from './sdk/resolve.js';
import { captureConsole } from './worker-console.js';
import { type Handler, type LambdaContext, loadHandler, runHandler } from './worker-handler.js';

const port = parentPort;
if (!port) throw new Error('lambdalite runtime worker must run in a worker thread');
const spec = workerData as ContainerSpec;
const send = (message: FromWorker): void => port.postMessage(message);

// `lambdalite/sdk` resolves from the function's code wherever it lives, and talks to the engine.
const channel = new SdkChannel(port);
installChannel(channel);
const sdkExt = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
installSdkResolution(new URL(`./sdk/index${sdkExt}`, import.meta.url), sdk);
// Listening before init, so SDK calls made while the module loads are answered too.
port.on('message', (message: ToWorker) => {
  if (message.type === 'sdkResult') channel.settle(message);
});

// Lambda's Node runtime keeps the id of the last invocation for output printed after it ended.
let currentRequest: string | undefined;
captureConsole((level, message) => send({ type: 'log', requestId: currentRequest, level, message }));

// An uncaught exception or unhandled rejection reports the error and ends this container only.
process.on('uncaughtException', (err) => fatal(toErrorShape(err), 129));
process.on('unhandledRejection', (reason) => {
  const shape = toErrorShape(reason);
  fatal(
    {
      errorType: 'Runtime.UnhandledPromiseRejection',
      errorMessage:
        reason instanceof Error ? `${shape.errorType}: ${shape.errorMessage}` : shape.errorMessage,
      trace: shape.trace,
    },
    128,
  );
});

function fatal(error: ErrorShape, code: number): void {
  send({ type: 'fatal', requestId: currentRequest, error });
  process.exit(code);
}

function memoryBytes(): number {
  const heap = getHeapStatistics();
  return (
    heap.total_heap_size +
    heap.malloced_memory +
    ((heap as { external_memory?: number }).external_memory ?? 0)
  );
}

/**
 * Bytes under `dir`. Synchronous on purpose (a thread-pool round trip would dominate a warm
 * invocation), and skipped when the directory was empty at the last scan and its mtime has not
 * moved since: no file can appear in it without changing that mtime.
 */
let emptyAt: number | undefined;
function tmpBytes(dir: string): number {
  const mtime = statSync(dir, { throwIfNoEntry: false })?.mtimeMs;
  if (mtime === undefined || mtime === emptyAt) return 0;
  const total = dirBytes(dir);
  emptyAt = readdirSync(dir).length === 0 ? mtime : undefined;
  return total;
}

function dirBytes(dir: string): number {
  let total = 0;
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += dirBytes(path);
    else if (entry.isFile()) total += statSync(path, { throwIfNoEntry: false })?.size ?? 0;
  }
  return total;
}

const initStart = performance.now();
let handler: Awaited<ReturnType<typeof loadHandler>>;
try {
  handler = await loadHandler(spec.taskRoot, spec.handler);
} catch (err) {
  handler = toErrorShape(err);
}
const initDurationMs = performance.now() - initStart;
if (typeof handler === 'function') send({ type: 'ready', initDurationMs });
else send({ type: 'initError', error: handler, initDurationMs });

async function invoke(message: InvokeMessage, fn: Handler): Promise<void> {
  currentRequest = message.requestId;
  const deadline = Date.now() + message.remainingMs;
  const context = {
    functionName: spec.functionName,
    functionVersion: spec.functionVersion,
    invokedFunctionArn: message.invokedFunctionArn,
    memoryLimitInMB: String(spec.memoryMb),
    awsRequestId: message.requestId,
    logGroupName: spec.logGroupName,
    logStreamName: spec.logStreamName,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  } as LambdaContext;
  let payload: string | undefined;
  let error: ErrorShape | undefined;
  let retire = false;
  try {
    const result = await runHandler(fn, JSON.parse(message.payload), context);
    payload = JSON.stringify(result) ?? 'null';
  } catch (err) {
    error = toErrorShape(err);
  }
  // The committed heap only shrinks after GC, so sampling it at the end approximates the peak.
  const peak = memoryBytes();
  const tmpUsed = tmpBytes(spec.tmpDir);
  if (tmpUsed > spec.tmpBytes) {
    // Writes are not intercepted; the quota is checked when the invocation ends and a container
    // over it is failed and discarded with its /tmp.
    error = {
      errorType: 'Error',
      errorMessage: `ENOSPC: no space left on device: /tmp holds ${tmpUsed} bytes, over its quota of ${spec.tmpBytes} bytes`,
      trace: [],
    };
    payload = undefined;
    retire = true;
  }
  send({ type: 'result', requestId: message.requestId, payload, error, memoryBytes: peak, retire });
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'invoke' && typeof handler === 'function') void invoke(message, handler);
});
