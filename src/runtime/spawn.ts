/**
 * Starts the container worker. The built package runs `worker.cjs`, the worker entry bundled
 * into one CommonJS file by `npm run build` (scripts/bundle-worker.mjs): one module to load, no
 * ESM loader before the function's code. A build without the bundle (tsc alone) runs `worker.js`.
 * When only the TypeScript source exists (vitest, tsx), a tiny bootstrap registers tsx's loader
 * inside the worker and then imports `worker.ts` (an `--import tsx` execArgv does not apply to a
 * worker's entry module on Node 20).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

const bundledEntry = new URL('./worker.cjs', import.meta.url);
const builtEntry = new URL('./worker.js', import.meta.url);
const sourceEntry = new URL('./worker.ts', import.meta.url);
/** Where containers start from, decided once (the files do not come and go while running). */
let entry: URL | undefined;
let bootstrap: string | undefined;

export function spawnWorker(options: WorkerOptions): Worker {
  entry ??= [bundledEntry, builtEntry, sourceEntry].find((url) => existsSync(fileURLToPath(url)));
  if (entry !== sourceEntry && entry !== undefined) return new Worker(entry, options);
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
