/**
 * Starts the container worker. Built code (dist) runs `worker.js` directly with plain Node; when
 * only the TypeScript source exists (vitest, tsx), a tiny bootstrap registers tsx's loader inside
 * the worker and then imports `worker.ts` (an `--import tsx` execArgv does not apply to a worker's
 * entry module on Node 20).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

const builtEntry = new URL('./worker.js', import.meta.url);
const sourceEntry = new URL('./worker.ts', import.meta.url);
let bootstrap: string | undefined;

export function spawnWorker(options: WorkerOptions): Worker {
  if (existsSync(fileURLToPath(builtEntry))) return new Worker(builtEntry, options);
  bootstrap ??= sourceBootstrap();
  return new Worker(bootstrap, { ...options, eval: true });
}

function sourceBootstrap(): string {
  const api = createRequire(import.meta.url)
    .resolve('tsx/esm/api')
    .replace(/\.cjs$/, '.mjs');
  const apiUrl = JSON.stringify(pathToFileURL(api).href);
  return `(async () => { const { register } = await import(${apiUrl}); register(); await import(${JSON.stringify(sourceEntry.href)}); })();`;
}
