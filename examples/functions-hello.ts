/**
 * Runs one function in a worker-thread container: `npx tsx examples/functions-hello.ts`.
 */
import { fileURLToPath } from 'node:url';
import { createEngine } from '../src/index.js';

const engine = await createEngine();
engine.events$.subscribe((event) => {
  if (event.type === 'function.log') console.log(`[log] ${event.line}`);
});
await engine.functions.create({
  name: 'hello',
  handler: 'index.handler',
  code: { directory: fileURLToPath(new URL('./hello/', import.meta.url)) },
  role: 'arn:aws:iam::000000000000:role/hello',
});
console.log((await engine.functions.invoke('hello', { name: 'cold' })).payload);
console.log((await engine.functions.invoke('hello', { name: 'warm' })).payload);
await engine.close();
