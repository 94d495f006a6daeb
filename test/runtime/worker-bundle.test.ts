/**
 * The built package starts containers from one bundled CommonJS file (scripts/bundle-worker.mjs).
 * The rest of the suite runs the worker from its TypeScript source; this builds the bundle into
 * a temporary directory and drives a real worker started from it through the protocol.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerOptions } from '../../src/runtime/container-setup.js';
import {
  decodeResult,
  encodeInvoke,
  type FromWorker,
  readFromWorker,
  type SdkCallMessage,
} from '../../src/runtime/protocol.js';

const root = join(import.meta.dirname, '../..');
let dir: string;
let bundle: string;

const CODE = `
const { SdkError, buckets } = require('lambdalite/sdk');
exports.echo = async (event, context) => {
  console.log('got', event.n);
  return { n: event.n, id: context.awsRequestId };
};
exports.sdk = async () => {
  try {
    await buckets.getObject('b', 'k');
    return 'no error';
  } catch (err) {
    return { sdkError: err instanceof SdkError, code: err.code };
  }
};`;

const ESM_CODE = `
import { SdkError, buckets } from 'lambdalite/sdk';
export const sdk = async () => {
  try {
    await buckets.getObject('b', 'k');
    return 'no error';
  } catch (err) {
    return { sdkError: err instanceof SdkError, code: err.code };
  }
};`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lambdalite-bundle-'));
  bundle = join(dir, 'runtime', 'worker.cjs');
  execFileSync(process.execPath, [join(root, 'scripts/bundle-worker.mjs'), bundle]);
  // The SDK's own file beside the bundle, as in dist/src/runtime/sdk/index.js.
  await writeFile(join(dir, 'package.json'), '{"type":"module"}');
  await build({
    entryPoints: [join(root, 'src/runtime/sdk/index.ts')],
    outfile: join(dir, 'runtime', 'sdk', 'index.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    logLevel: 'silent',
  });
  await mkdir(join(dir, 'code'));
  await writeFile(join(dir, 'code', 'index.cjs'), CODE);
  await writeFile(join(dir, 'code', 'esm.mjs'), ESM_CODE);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A worker started from the bundle, and its messages as they arrive. */
async function start(handler: string, sdkImports: boolean) {
  const tmp = await mkdtemp(join(dir, 'tmp-'));
  const options = workerOptions(
    {
      taskRoot: join(dir, 'code'),
      handler,
      functionName: 'bundled',
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:bundled',
      memoryMb: 128,
      tmpMb: 16,
      responseBytes: 6 * 1024 * 1024,
      sdkImports,
      region: 'us-east-1',
      environment: {},
      revisionId: 'r',
    },
    tmp,
    '2026/01/01/[$LATEST]0',
  );
  const worker = new Worker(bundle, options);
  const waiting: Array<(m: FromWorker) => void> = [];
  const arrived: FromWorker[] = [];
  worker.on('message', (raw: unknown) => {
    const message = readFromWorker(raw);
    if (message === undefined) return;
    const next = waiting.shift();
    if (next) next(message);
    else arrived.push(message);
  });
  const next = (): Promise<FromWorker> => {
    const message = arrived.shift();
    if (message !== undefined) return Promise.resolve(message);
    return new Promise((resolve) => waiting.push(resolve));
  };
  return { worker, next };
}

const invoke = (requestId: string, event: unknown): string =>
  encodeInvoke({
    requestId,
    payload: JSON.stringify(event),
    remainingMs: 3000,
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:bundled',
  });

describe('the bundled worker entry', () => {
  it('loads the function, runs invocations and ships their logs', async () => {
    const { worker, next } = await start('index.echo', false);
    try {
      expect(await next()).toMatchObject({ type: 'ready' });
      worker.postMessage(invoke('r-1', { n: 1 }));
      expect(await next()).toEqual({ type: 'log', requestId: 'r-1', level: 'INFO', message: 'got 1' });
      const result = await next();
      expect(typeof result === 'string' && decodeResult(result, 'r-1')?.payload).toBe('{"n":1,"id":"r-1"}');
    } finally {
      await worker.terminate();
    }
  });

  it('reports a missing module as an init error', async () => {
    const { worker, next } = await start('missing.handler', false);
    try {
      expect(await next()).toMatchObject({
        type: 'initError',
        error: { errorType: 'Runtime.ImportModuleError' },
      });
    } finally {
      await worker.terminate();
    }
  });

  it.each([
    ['require', 'index.sdk', false],
    ['import', 'esm.sdk', true],
  ])('answers the SDK to %s with its own SdkError class', async (_, handler, sdkImports) => {
    const { worker, next } = await start(handler, sdkImports);
    try {
      expect(await next()).toMatchObject({ type: 'ready' });
      worker.postMessage(invoke('r-2', {}));
      const call = (await next()) as SdkCallMessage;
      expect(call).toMatchObject({ type: 'sdk', service: 'buckets', method: 'getObject', args: ['b', 'k'] });
      worker.postMessage({ type: 'sdkResult', id: call.id, error: { code: 'NoSuchKey', message: 'no k' } });
      const result = await next();
      expect(typeof result === 'string' && JSON.parse(decodeResult(result, 'r-2')?.payload ?? '')).toEqual({
        sdkError: true,
        code: 'NoSuchKey',
      });
    } finally {
      await worker.terminate();
    }
  });
});
