/**
 * IAM enforced end to end (README, "Roles and policies"): a bucket notifies a function through the 2014
 * invocation role; the function's execution role may write only `thumbnails/*`.
 * Run with `npx tsx examples/iam-thumbnails.ts`.
 */
import { fileURLToPath } from 'node:url';
import {
  createEngine,
  EXECUTION_LOGS_POLICY,
  INVOKE_ACCESS_POLICY,
  LAMBDA_TRUST_POLICY,
  s3InvocationTrustPolicy,
} from '../src/index.js';

const engine = await createEngine();
engine.events$.subscribe((event) => {
  if (event.type === 'function.log' && event.kind === 'user') console.log(`[log] ${event.message}`);
});
await engine.buckets.create('photos');
const exec = await engine.iam.createRole({
  name: 'thumbs-exec',
  assumeRolePolicy: LAMBDA_TRUST_POLICY,
  policies: {
    logs: EXECUTION_LOGS_POLICY,
    s3: {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::photos/*' },
        { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::photos/thumbnails/*' },
      ],
    },
  },
});
const fn = await engine.functions.create({
  name: 'thumbs',
  handler: 'index.handler',
  code: { directory: fileURLToPath(new URL('./thumbnails/', import.meta.url)) },
  role: exec.arn,
});
const invoke = await engine.iam.createRole({
  name: 's3-invoke',
  assumeRolePolicy: s3InvocationTrustPolicy('photos'),
  policies: { invoke: INVOKE_ACCESS_POLICY },
});
await engine.buckets.putNotificationConfiguration('photos', {
  lambdaFunctionConfigurations: [
    {
      functionArn: fn.functionArn,
      events: ['s3:ObjectCreated:*'],
      filter: { prefix: 'uploads/' },
      invocationRole: invoke.arn,
    },
  ],
});
const done = new Promise<void>((resolve) => {
  engine.events$.subscribe((event) => {
    if (event.type === 'async.succeeded' || event.type === 'async.failed') resolve();
  });
});
await engine.buckets.putObject('photos', 'uploads/cat.jpg', 'a picture of a cat');
await done;
const listed = await engine.buckets.listObjects('photos');
console.log(listed.contents.map((o) => o.key));
await engine.close();
