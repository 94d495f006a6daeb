/**
 * Runs one function in a worker-thread container: `npx tsx examples/functions-hello.ts`.
 */
import { fileURLToPath } from 'node:url';
import { createEngine, EXECUTION_LOGS_POLICY, LAMBDA_TRUST_POLICY } from '../src/index.js';

const engine = await createEngine();
engine.events$.subscribe((event) => {
  if (event.type === 'function.log') console.log(`[log] ${event.line}`);
  if (event.type === 'function.logs.denied') console.log(`[no logs] ${event.message}`);
});
// Logs reach the log group only if the execution role allows the logs actions, as in AWS.
const role = await engine.iam.createRole({
  name: 'hello',
  assumeRolePolicy: LAMBDA_TRUST_POLICY,
  policies: { logs: EXECUTION_LOGS_POLICY },
});
await engine.functions.create({
  name: 'hello',
  handler: 'index.handler',
  code: { directory: fileURLToPath(new URL('./hello/', import.meta.url)) },
  role: role.arn,
});
console.log((await engine.functions.invoke('hello', { name: 'cold' })).payload);
console.log((await engine.functions.invoke('hello', { name: 'warm' })).payload);
await engine.close();
