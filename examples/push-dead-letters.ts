/**
 * Async invocation with retries and a dead letter, on a manual clock: a function that always
 * fails is invoked with invocationType 'Event'; after its last attempt the event waits in the
 * dead-letter store, ready to be redriven.
 *
 *   npx tsx examples/push-dead-letters.ts
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, EXECUTION_LOGS_POLICY, LAMBDA_TRUST_POLICY, ManualClock } from '../src/index.js';

const code = await mkdtemp(join(tmpdir(), 'lambdalite-example-'));
await writeFile(
  join(code, 'index.mjs'),
  "export const handler = async () => { throw new Error('disk full'); };\n",
);
const clock = new ManualClock(Date.UTC(2026, 0, 1));
const engine = await createEngine({ clock });
engine.events$.subscribe((event) => console.log(new Date(event.time).toISOString(), event.type));
const { arn: role } = await engine.iam.createRole({
  name: 'resize-role',
  assumeRolePolicy: LAMBDA_TRUST_POLICY,
  policies: { logs: EXECUTION_LOGS_POLICY },
});
await engine.functions.create({ name: 'resize', handler: 'index.handler', code: { directory: code }, role });
await engine.functions.putEventInvokeConfig('resize', { maximumRetryAttempts: 1 });
const { requestId } = await engine.functions.invoke(
  'resize',
  { key: 'cat.jpg' },
  { invocationType: 'Event' },
);
console.log('accepted (202)', requestId);
await engine.asyncInvocations.idle();
clock.advance(60_000); // the retry is due one minute later
await engine.asyncInvocations.idle();
console.log(await engine.functions.deadLetters('resize'));
await engine.close();
await rm(code, { recursive: true, force: true });
