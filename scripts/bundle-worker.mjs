/**
 * Bundles the container's worker entry (src/runtime/worker.ts and everything it imports) into
 * one CommonJS file, dist/src/runtime/worker.cjs, or the path given as the first argument.
 * A container started from the built package then loads one module instead of a dozen ESM
 * modules, and touches no ESM loader and no builtin-module facade before the function's own
 * code (src/runtime/spawn.ts picks the bundle; docs/notes/runtime.md says why).
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const outfile = process.argv[2] ?? `${root}dist/src/runtime/worker.cjs`;

await build({
  entryPoints: [`${root}src/runtime/worker.ts`],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // The entry finds the SDK's file beside itself (./sdk/index.js) through its own URL.
  define: { 'import.meta.url': '__workerUrl' },
  banner: { js: 'const __workerUrl = require("node:url").pathToFileURL(__filename).href;' },
  sourcemap: true,
  logLevel: 'warning',
});
