/**
 * Inside a container: loads the handler module (ESM or CJS, by dynamic import) and runs one
 * invocation in any of Lambda's Node programming models: async / Promise, `(event, context,
 * callback)`, and the 2014 `context.succeed / fail / done`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ErrorShape } from './protocol.js';

export type Handler = (event: unknown, context: LambdaContext, callback: Callback) => unknown;
type Callback = (error?: unknown, result?: unknown) => void;

export interface LambdaContext {
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
  done(error?: unknown, result?: unknown): void;
  succeed(result?: unknown): void;
  fail(error?: unknown): void;
}

/** Module extensions tried in Lambda's order. */
const EXTENSIONS = ['.js', '.mjs', '.cjs'];

/** Loads `path/file.export` from `taskRoot`; an error shape when the module or export is missing. */
export async function loadHandler(taskRoot: string, handler: string): Promise<Handler | ErrorShape> {
  const dot = handler.lastIndexOf('.');
  const modulePath = handler.slice(0, dot);
  const exportName = handler.slice(dot + 1);
  const file = EXTENSIONS.map((ext) => join(taskRoot, modulePath + ext)).find((f) => existsSync(f));
  if (!file) {
    return {
      errorType: 'Runtime.ImportModuleError',
      errorMessage: `Error: Cannot find module '${modulePath}'\nRequire stack:\n- ${taskRoot}`,
      trace: [`Runtime.ImportModuleError: Error: Cannot find module '${modulePath}'`],
    };
  }
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const fromDefault = (mod.default as Record<string, unknown> | undefined)?.[exportName];
  const fn =
    mod[exportName] ??
    (typeof mod.default === 'object' || typeof mod.default === 'function' ? fromDefault : undefined);
  if (typeof fn !== 'function') {
    return {
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: `${handler} is undefined or not exported`,
      trace: [`Runtime.HandlerNotFound: ${handler} is undefined or not exported`],
    };
  }
  return fn as Handler;
}

/** What every invocation of this container shares in its context. */
export interface ContainerIdentity {
  functionName: string;
  functionVersion: string;
  memoryLimitInMB: string;
  logGroupName: string;
  logStreamName: string;
}

/** How an invocation ended: `ok` with the result, or not with the error (called once). */
export type Finish = (ok: boolean, value: unknown) => void;

const isError = (error: unknown): boolean => error !== undefined && error !== null;

/**
 * Runs the handler to completion in whichever style it uses and calls `finish` once, in a later
 * microtask than the one that settled it (so output printed right after `callback` or
 * `context.succeed` in the same turn still belongs to the invocation). The context is built
 * with all its fields at once: one object shape for every invocation.
 */
export function runHandler(
  fn: Handler,
  event: unknown,
  identity: ContainerIdentity,
  requestId: string,
  invokedFunctionArn: string,
  deadline: number,
  finish: Finish,
): void {
  let settled = false;
  const settle = (ok: boolean, value: unknown, fromCallback: boolean): void => {
    if (settled) return;
    settled = true;
    if (fromCallback && context.callbackWaitsForEmptyEventLoop) {
      void waitForEmptyEventLoop().then(() => finish(ok, value));
    } else {
      queueMicrotask(() => finish(ok, value));
    }
  };
  const context: LambdaContext = {
    functionName: identity.functionName,
    functionVersion: identity.functionVersion,
    invokedFunctionArn,
    memoryLimitInMB: identity.memoryLimitInMB,
    awsRequestId: requestId,
    logGroupName: identity.logGroupName,
    logStreamName: identity.logStreamName,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    // The 2014 methods end the invocation at once, as the old runtime froze the process there.
    done: (error, result) => (isError(error) ? settle(false, error, false) : settle(true, result, false)),
    succeed: (result) => settle(true, result, false),
    fail: (error) => settle(false, error ?? 'handled', false),
  };
  const callback: Callback = (error, result) =>
    isError(error) ? settle(false, error, true) : settle(true, result, true);
  let returned: unknown;
  try {
    returned = fn(event, context, callback);
  } catch (err) {
    settle(false, err, false);
    return;
  }
  if (isThenable(returned)) {
    returned.then(
      (value) => settle(true, value, false),
      (err: unknown) => settle(false, err, false),
    );
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * A worker's event loop is never empty (its MessagePort to the engine keeps it alive), so
 * "empty" means: no active resource other than MessagePorts keeps the loop alive, per
 * `process.getActiveResourcesInfo()` (ref'd timers, sockets, file requests, child processes,
 * immediates). Checked after each turn; unref'd handles do not count, as in Node.
 */
async function waitForEmptyEventLoop(): Promise<void> {
  for (let turn = 0; ; turn++) {
    await new Promise<void>((done) => (turn < 3 ? setImmediate(done) : setTimeout(done, 1)));
    if (process.getActiveResourcesInfo().every((r) => r === 'MessagePort')) return;
  }
}
