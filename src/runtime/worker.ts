/**
 * The container: entry module of one worker thread. Loads the handler once (init), then serves
 * one invocation at a time. See protocol.ts for the messages. The build bundles this module and
 * everything it imports into one CommonJS file (scripts/bundle-worker.mjs, spawn.ts): a new
 * container then loads one module, and no ESM loader or builtin-module facade before the
 * function's own code.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { decodeKinesisBatch } from './kinesis-event.js';
import {
  type ContainerSpec,
  decodeInvoke,
  type ErrorShape,
  encodeResult,
  type FromWorker,
  type ToWorker,
  tmpQuotaError,
  toErrorShape,
} from './protocol.js';
import { boundedError, serialiseResponse } from './response-size.js';
import { installChannel, SdkChannel } from './sdk/channel.js';
import * as sdk from './sdk/index.js';
import { installSdkResolution } from './sdk/resolve.js';
import { captureConsole } from './worker-console.js';
import { type ContainerIdentity, type Handler, loadHandler, runHandler } from './worker-handler.js';
import { hookAllocations, MemoryGuard } from './worker-limits.js';
import { TmpQuota, TmpTouch, TmpUsage } from './worker-tmp.js';

const port = parentPort;
if (!port) throw new Error('lambdalite runtime worker must run in a worker thread');
const spec = workerData as ContainerSpec;
const send = (message: FromWorker): void => port.postMessage(message);

// `lambdalite/sdk` resolves from the function's code wherever it lives, and talks to the engine.
const channel = new SdkChannel(port);
installChannel(channel);
// The SDK's own file (this module may be the bundle, which holds a copy of the SDK).
const sdkUrl = new URL(`./sdk/index${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
// Listening before init, so SDK calls made while the module loads are answered too.
// One listener for everything the engine sends (each listener is a call per message).
port.on('message', (message: ToWorker) => {
  if (typeof message === 'string') {
    if (typeof handler === 'function') receive(message, handler);
  } else if (Array.isArray(message)) {
    if (typeof handler === 'function') for (const text of message) receive(text, handler);
  } else if (typeof message === 'object' && message !== null && message.type === 'sdkResult') {
    // The code may emit on parentPort too: only the engine's sdkResult objects settle calls.
    channel.settle(message);
  }
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

// Taken before the code loads: a handler that replaces process.exit cannot keep its container.
const exit = process.exit.bind(process);

function fatal(error: ErrorShape, code: number): void {
  send({ type: 'fatal', requestId: currentRequest, error });
  exit(code);
}

// Limits are in force before the module loads: init counts against them too.
const tmpTouch = new TmpTouch(spec.tmpTouched);
const memory = new MemoryGuard(
  spec.memoryMb * 1024 * 1024,
  (memoryBytes) => {
    send({ type: 'memory', memoryBytes });
    // Ends the thread at once, even inside a synchronous loop; the engine reports out of memory.
    exit(137);
  },
  // A child process started while the handler waits: the engine's scan of /tmp starts.
  () => tmpTouch.poll(),
);
hookAllocations((bytes) => memory.allocating(bytes));
const tmpUsage = new TmpUsage(spec.tmpDir, spec.tmpFd, tmpTouch);
const tmpQuota = new TmpQuota(spec.tmpDir, spec.tmpBytes, tmpTouch);
tmpQuota.hookWrites();
tmpTouch.hookWriters();
memory.begin();

let handler: Handler | ErrorShape | undefined;
void init();

/** Loads the function's module (Lambda's init phase) and reports ready or the init error. */
async function init(): Promise<void> {
  // Date.now, not performance.now: `performance` is loaded lazily, and costs start-up time.
  const initStart = Date.now();
  let loaded: Handler | ErrorShape;
  try {
    // Code that mentions the SDK gets the SDK's file for `import` and `require` alike (one copy);
    // other code only a `require` of a computed name could reach, answered by the copy here.
    const exports: object = spec.sdkImports ? await import(sdkUrl.href) : sdk;
    installSdkResolution(sdkUrl, exports, spec.sdkImports);
    loaded = await loadHandler(spec.taskRoot, spec.handler);
  } catch (err) {
    loaded = toErrorShape(err);
  }
  handler = loaded;
  const initDurationMs = Date.now() - initStart;
  memory.end();
  tmpTouch.poll();
  if (typeof loaded === 'function') send({ type: 'ready', initDurationMs });
  else send({ type: 'initError', error: loaded, initDurationMs });
}

const identity: ContainerIdentity = {
  functionName: spec.functionName,
  functionVersion: spec.functionVersion,
  memoryLimitInMB: String(spec.memoryMb),
  logGroupName: spec.logGroupName,
  logStreamName: spec.logStreamName,
};

/**
 * Invocations the engine sent while one was running (it may queue one behind the current, so
 * the container never waits for the engine between events): started in order, one at a time.
 */
const waiting: string[] = [];
let running = false;

function receive(text: string, fn: Handler): void {
  if (running) waiting.push(text);
  else invoke(text, fn);
}

function invoke(text: string, fn: Handler): void {
  running = true;
  const message = decodeInvoke(text);
  const requestId = message.requestId;
  currentRequest = requestId;
  const deadline = Date.now() + message.remainingMs;
  memory.begin();
  const finish = (ok: boolean, value: unknown): void => complete(requestId, ok, value);
  let event: unknown;
  try {
    event = message.format === 'kinesis' ? decodeKinesisBatch(message.payload) : JSON.parse(message.payload);
  } catch (err) {
    finish(false, err);
    return;
  }
  runHandler(fn, event, identity, requestId, message.invokedFunctionArn, deadline, finish);
}

function complete(requestId: string, ok: boolean, value: unknown): void {
  let payload: string | undefined;
  let error: ErrorShape | undefined;
  if (ok) {
    try {
      const serialised = serialiseResponse(value, spec.responseBytes);
      if (serialised.ok) payload = serialised.json;
      else error = serialised.error;
    } catch (err) {
      error = toErrorShape(err);
    }
  } else {
    error = boundedError(toErrorShape(value), spec.responseBytes);
  }
  const peak = memory.end();
  const tmpUsed = tmpUsage.bytes();
  tmpQuota.measured(tmpUsed);
  if (tmpUsed > spec.tmpBytes) {
    // Written past the write checks (a FileHandle, a child process): the container is failed
    // and discarded with its /tmp.
    error = tmpQuotaError(tmpUsed, spec.tmpBytes);
    send({ type: 'result', requestId, error, memoryBytes: peak, retire: true });
    // A retired container takes nothing more (the engine stops it).
    return;
  }
  // A success is one string (cheaper to clone than an object); an error the full message.
  if (error === undefined) send(encodeResult(requestId, peak, payload ?? 'null'));
  else send({ type: 'result', requestId, error, memoryBytes: peak, retire: false });
  next();
}

/** The invocation ended: start the one waiting, if any. */
function next(): void {
  running = false;
  const text = waiting.shift();
  if (text !== undefined && typeof handler === 'function') invoke(text, handler);
}
