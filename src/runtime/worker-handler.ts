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

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Runs the handler to completion in whichever style it uses. */
export function runHandler(fn: Handler, event: unknown, context: LambdaContext): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (outcome: Settled, fromCallback: boolean): void => {
      if (settled) return;
      settled = true;
      const finish = (): void => (outcome.ok ? resolve(outcome.value) : reject(outcome.error));
      if (fromCallback && context.callbackWaitsForEmptyEventLoop) void waitForEmptyEventLoop().then(finish);
      else finish();
    };
    const failed = (error: unknown): Settled => ({ ok: false, error });
    const callback: Callback = (error, result) =>
      settle(error === undefined || error === null ? { ok: true, value: result } : failed(error), true);
    // The 2014 methods end the invocation at once, as the old runtime froze the process there.
    context.done = (error, result) =>
      settle(error === undefined || error === null ? { ok: true, value: result } : failed(error), false);
    context.succeed = (result) => settle({ ok: true, value: result }, false);
    context.fail = (error) => settle(failed(error ?? 'handled'), false);
    let returned: unknown;
    try {
      returned = fn(event, context, callback);
    } catch (err) {
      settle(failed(err), false);
      return;
    }
    if (isThenable(returned)) {
      returned.then(
        (value) => settle({ ok: true, value }, false),
        (err: unknown) => settle(failed(err), false),
      );
    }
  });
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
