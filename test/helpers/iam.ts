/**
 * IAM set-up for tests of enforced parts: roles that exist with the policies a test needs, and
 * the resource-policy statement that lets S3 invoke a function. Tests grant what they use
 * instead of the engine relaxing its checks.
 */

import { EXECUTION_LOGS_POLICY, LAMBDA_TRUST_POLICY } from '../../src/iam/seed-policies.js';
import type { PolicyInput } from '../../src/iam/types.js';
import type { Engine } from '../../src/index.js';

/** Read access to every Kinesis stream and DynamoDB table stream (AWSLambda*ExecutionRole-like). */
export const STREAM_READER_POLICY = Object.freeze({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: [
        'kinesis:GetRecords',
        'kinesis:GetShardIterator',
        'kinesis:DescribeStream',
        'kinesis:ListStreams',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:DescribeStream',
        'dynamodb:ListStreams',
      ],
      Resource: '*',
    },
  ],
});

/**
 * Creates the role (trusting lambda.amazonaws.com unless `trust` is given) with `policies`,
 * unless a role of that name exists already. Returns its ARN.
 */
export async function ensureRole(
  engine: Engine,
  name: string,
  policies: Record<string, PolicyInput> = {},
  trust: PolicyInput = LAMBDA_TRUST_POLICY,
): Promise<string> {
  const existing = await engine.iam.listRoles();
  const found = existing.find((r) => r.roleName === name);
  if (found) return found.arn;
  return (await engine.iam.createRole({ name, assumeRolePolicy: trust, policies })).arn;
}

/** An execution role that may write logs (the seed's `logs:*` policy). */
export function ensureLogsRole(engine: Engine, name: string): Promise<string> {
  return ensureRole(engine, name, { logs: EXECUTION_LOGS_POLICY });
}

/** An execution role that may read any stream (for mappings without an invocation role). */
export function ensureStreamReaderRole(engine: Engine, name: string): Promise<string> {
  return ensureRole(engine, name, { 'stream-read': STREAM_READER_POLICY, logs: EXECUTION_LOGS_POLICY });
}

/** The function policy statement S3 needs to deliver `bucket`'s events (AddPermission). */
export async function allowS3(engine: Engine, functionName: string, bucket: string): Promise<void> {
  await engine.functions.addPermission(functionName, {
    statementId: `s3-${bucket}`,
    action: 'lambda:InvokeFunction',
    principal: 's3.amazonaws.com',
    sourceArn: `arn:aws:s3:::${bucket}`,
    sourceAccount: engine.accountId,
  });
}
