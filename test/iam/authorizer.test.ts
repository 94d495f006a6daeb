import { describe, expect, it } from 'vitest';
import { assumedRoleArn } from '../../src/iam/authorizer.js';
import { functionPolicyDocument, permissionStatement } from '../../src/iam/resource-policy.js';
import {
  EXECUTION_LOGS_POLICY,
  INVOKE_ACCESS_POLICY,
  LAMBDA_TRUST_POLICY,
  S3_INVOCATION_TRUST_POLICY,
  s3InvocationTrustPolicy,
  streamReadPolicy,
} from '../../src/iam/seed-policies.js';
import { type Engine, ManualClock } from '../../src/index.js';
import { openEngine } from '../helpers/engines.js';
import { expectCode } from '../helpers/errors.js';
import { internals } from '../helpers/harness.js';
import { allow, policy } from './helpers.js';

const ACCT = '123456789012';
const open = (options = {}) => openEngine('memory', { accountId: ACCT, ...options });

async function role(engine: Engine, name: string, trust: object, policies: Record<string, object> = {}) {
  return (await engine.iam.createRole({ name, assumeRolePolicy: trust, policies })).arn;
}

describe('seed policies from the source model work as written', () => {
  it('the execution role with logs:* may write to its log group and nothing else', async () => {
    const engine = await open();
    const arn = await role(engine, 'exec', LAMBDA_TRUST_POLICY, { logs: EXECUTION_LOGS_POLICY });
    const group = internals(engine).authorizer;
    const logGroup = `arn:aws:logs:us-east-1:${ACCT}:log-group:/aws/lambda/thumbnailer:*`;
    for (const action of ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents']) {
      expect((await group.authorizeRole(arn, action, logGroup)).decision).toBe('Allow');
    }
    expect((await group.authorizeRole(arn, 's3:PutObject', 'arn:aws:s3:::photos/a')).decision).toBe(
      'ImplicitDeny',
    );
    expect(await group.trustsService(arn, 'lambda.amazonaws.com')).toBe(true);
    expect(await group.trustsService(arn, 's3.amazonaws.com')).toBe(false);
  });

  it('the push access policy allows lambda:InvokeAsync and lambda:InvokeFunction on any function', async () => {
    const engine = await open();
    const arn = await role(engine, 'invoker', S3_INVOCATION_TRUST_POLICY, { invoke: INVOKE_ACCESS_POLICY });
    const fn = `arn:aws:lambda:us-east-1:${ACCT}:function:thumbnailer`;
    for (const action of ['lambda:InvokeAsync', 'lambda:InvokeFunction']) {
      expect((await internals(engine).authorizer.authorizeRole(arn, action, fn)).decision).toBe('Allow');
    }
    expect(
      (await internals(engine).authorizer.authorizeRole(arn, 'lambda:DeleteFunction', fn)).decision,
    ).toBe('ImplicitDeny');
  });

  it('the 2014 trust policy lets s3.amazonaws.com assume the role when ExternalId names a bucket', async () => {
    const engine = await open();
    const arn = await role(engine, 'invoker', S3_INVOCATION_TRUST_POLICY);
    const trusts = (service: string, context: Record<string, string>) =>
      internals(engine).authorizer.trustsService(arn, service, context);
    expect(await trusts('s3.amazonaws.com', { 'sts:ExternalId': 'arn:aws:s3:::photos' })).toBe(true);
    expect(await trusts('s3.amazonaws.com', { 'sts:ExternalId': 'photos' })).toBe(false);
    expect(await trusts('s3.amazonaws.com', {})).toBe(false);
    expect(await trusts('sns.amazonaws.com', { 'sts:ExternalId': 'arn:aws:s3:::photos' })).toBe(false);
  });

  it('the exact-bucket trust policy admits that bucket only', async () => {
    const engine = await open();
    const arn = await role(engine, 'invoker', s3InvocationTrustPolicy('photos'));
    const trusts = (bucket: string) =>
      internals(engine).authorizer.trustsService(arn, 's3.amazonaws.com', {
        'sts:ExternalId': `arn:aws:s3:::${bucket}`,
      });
    expect(await trusts('photos')).toBe(true);
    expect(await trusts('music')).toBe(false);
  });

  it('the pull-model policy reads its stream and no other', async () => {
    const engine = await open();
    const stream = `arn:aws:kinesis:us-east-1:${ACCT}:stream/orders`;
    const arn = await role(engine, 'poller', LAMBDA_TRUST_POLICY, { read: streamReadPolicy(stream) });
    const a = internals(engine).authorizer;
    for (const action of [
      'kinesis:GetRecords',
      'kinesis:GetShardIterator',
      'kinesis:DescribeStream',
      'kinesis:ListStreams',
    ]) {
      expect((await a.authorizeRole(arn, action, stream)).decision).toBe('Allow');
    }
    expect(
      (await a.authorizeRole(arn, 'kinesis:GetRecords', `arn:aws:kinesis:us-east-1:${ACCT}:stream/other`))
        .decision,
    ).toBe('ImplicitDeny');
    expect((await a.authorizeRole(arn, 'kinesis:PutRecord', stream)).decision).toBe('ImplicitDeny');
    expect(
      (await a.authorizeRole(arn, 'lambda:InvokeFunction', `arn:aws:lambda:us-east-1:${ACCT}:function:f`))
        .decision,
    ).toBe('Allow');
  });
});

describe('Authorizer', () => {
  it('denies an unknown role implicitly and does not trust it', async () => {
    const engine = await open();
    const ghost = `arn:aws:iam::${ACCT}:role/ghost`;
    expect(
      await internals(engine).authorizer.authorizeRole(ghost, 's3:GetObject', 'arn:aws:s3:::b/k'),
    ).toEqual({
      decision: 'ImplicitDeny',
      matchedStatements: [],
    });
    expect(await internals(engine).authorizer.trustsService(ghost, 'lambda.amazonaws.com')).toBe(false);
  });

  it('sees a revoked policy on the next check', async () => {
    const engine = await open();
    const arn = await role(engine, 'exec', LAMBDA_TRUST_POLICY, {
      s3: policy(allow('s3:PutObject', 'arn:aws:s3:::photos/*')),
    });
    const check = () =>
      internals(engine).authorizer.authorizeRole(arn, 's3:PutObject', 'arn:aws:s3:::photos/a');
    expect((await check()).decision).toBe('Allow');
    await engine.iam.deleteRolePolicy('exec', 's3');
    expect((await check()).decision).toBe('ImplicitDeny');
  });

  it('throws AccessDenied for S3 and AccessDeniedException elsewhere, naming session, action and resource', async () => {
    const engine = await open();
    const arn = await role(engine, 'exec', LAMBDA_TRUST_POLICY, {
      thumbs: policy(allow('s3:PutObject', 'arn:aws:s3:::photos/thumbnails/*')),
      guard: policy({ Effect: 'Deny', Action: 'kinesis:*', Resource: '*' }),
    });
    const a = internals(engine).authorizer;
    await a.assertRoleAllows(arn, 's3:PutObject', 'arn:aws:s3:::photos/thumbnails/a.png');
    await expectCode(
      a.assertRoleAllows(arn, 's3:PutObject', 'arn:aws:s3:::photos/originals/a.png', {
        session: 'thumbnailer',
      }),
      'AccessDenied',
      `User: arn:aws:sts::${ACCT}:assumed-role/exec/thumbnailer is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::photos/originals/a.png because no identity-based policy allows the s3:PutObject action`,
    );
    const stream = `arn:aws:kinesis:us-east-1:${ACCT}:stream/s`;
    await expectCode(
      a.assertRoleAllows(arn, 'kinesis:PutRecord', stream),
      'AccessDeniedException',
      /assumed-role\/exec\/lambdalite is not authorized to perform: kinesis:PutRecord on resource: .*stream\/s with an explicit deny/,
    );
    await expectCode(
      a.assertRoleAllows(arn, 'dynamodb:PutItem', `arn:aws:dynamodb:us-east-1:${ACCT}:table/t`),
      'AccessDeniedException',
    );
  });

  it('builds assumed-role ARNs without the role path', () => {
    expect(assumedRoleArn(`arn:aws:iam::${ACCT}:role/app/exec`, 'f')).toBe(
      `arn:aws:sts::${ACCT}:assumed-role/exec/f`,
    );
  });

  it('fills aws:CurrentTime from the engine clock', async () => {
    const clock = new ManualClock(Date.parse('2014-11-13T00:00:00Z'));
    const engine = await open({ clock });
    const arn = await role(engine, 'launch', LAMBDA_TRUST_POLICY, {
      window: policy(
        allow('s3:GetObject', '*', {
          Condition: { DateLessThan: { 'aws:CurrentTime': '2014-11-14T00:00:00Z' } },
        }),
      ),
    });
    const check = () => internals(engine).authorizer.authorizeRole(arn, 's3:GetObject', 'arn:aws:s3:::b/k');
    expect((await check()).decision).toBe('Allow');
    clock.advance(2 * 86_400_000);
    expect((await check()).decision).toBe('ImplicitDeny');
  });

  it('evaluates a function policy built by permissionStatement for a service principal', async () => {
    const engine = await open();
    const fn = `arn:aws:lambda:us-east-1:${ACCT}:function:thumbnailer`;
    const doc = functionPolicyDocument([
      permissionStatement({
        statementId: 's3',
        action: 'lambda:InvokeFunction',
        principal: 's3.amazonaws.com',
        sourceArn: 'arn:aws:s3:::photos',
        sourceAccount: ACCT,
        functionArn: fn,
      }),
    ]);
    const check = (sourceArn: string, service = 's3.amazonaws.com') =>
      internals(engine).authorizer.evaluateResourcePolicy(doc, {
        principal: { service },
        action: 'lambda:InvokeFunction',
        resource: fn,
        context: { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': ACCT },
      }).decision;
    expect(check('arn:aws:s3:::photos')).toBe('Allow');
    expect(check('arn:aws:s3:::music')).toBe('ImplicitDeny');
    expect(check('arn:aws:s3:::photos', 'sns.amazonaws.com')).toBe('ImplicitDeny');
  });
});

describe('iam:PassRole', () => {
  const target = `arn:aws:iam::${ACCT}:role/exec`;

  it('is not checked when the engine has no caller identity', async () => {
    const engine = await open();
    await internals(engine).authorizer.assertPassRole(target);
    expect((await internals(engine).authorizer.checkPassRole(undefined, target)).decision).toBe('Allow');
  });

  it('checks the configured caller policies', async () => {
    const engine = await open({
      callerIdentity: {
        policies: { pass: policy(allow('iam:PassRole', `arn:aws:iam::${ACCT}:role/exec`)) },
        arn: `arn:aws:iam::${ACCT}:user/deployer`,
      },
    });
    await internals(engine).authorizer.assertPassRole(target);
    await expectCode(
      internals(engine).authorizer.assertPassRole(`arn:aws:iam::${ACCT}:role/admin`),
      'AccessDeniedException',
      `User: arn:aws:iam::${ACCT}:user/deployer is not authorized to perform: iam:PassRole on resource: arn:aws:iam::${ACCT}:role/admin`,
    );
  });

  it('checks the identity policies of a configured caller role', async () => {
    const engine = await open({ callerIdentity: { roleArn: `arn:aws:iam::${ACCT}:role/deployer` } });
    await role(engine, 'deployer', LAMBDA_TRUST_POLICY, {
      pass: policy(allow('iam:PassRole', `arn:aws:iam::${ACCT}:role/exec*`)),
    });
    await internals(engine).authorizer.assertPassRole(target);
    await expectCode(
      internals(engine).authorizer.assertPassRole(`arn:aws:iam::${ACCT}:role/admin`),
      'AccessDeniedException',
      /assumed-role\/deployer/,
    );
  });
});

describe('trust for AWS principals', () => {
  it('lets a trusted role (and its sessions) assume the role, and no other', async () => {
    const engine = await open();
    const deployer = `arn:aws:iam::${ACCT}:role/deployer`;
    const arn = await role(
      engine,
      'target',
      policy({ Effect: 'Allow', Principal: { AWS: deployer }, Action: 'sts:AssumeRole' }),
    );
    const a = internals(engine).authorizer;
    expect(await a.trusts(arn, { aws: deployer })).toBe(true);
    expect(await a.trusts(arn, { aws: `arn:aws:sts::${ACCT}:assumed-role/deployer/ci` })).toBe(true);
    expect(await a.trusts(arn, { aws: `arn:aws:iam::${ACCT}:role/other` })).toBe(false);
    expect(await a.trusts(arn, { service: 'lambda.amazonaws.com' })).toBe(false);
  });
});

describe('Authorizer helpers for several actions', () => {
  const fn = `arn:aws:lambda:us-east-1:${ACCT}:function:f`;

  it('authorizeRoleAnyOf allows when either action is allowed, unless one is explicitly denied', async () => {
    const engine = await open();
    const asyncOnly = await role(engine, 'async-only', S3_INVOCATION_TRUST_POLICY, {
      invoke: policy(allow('lambda:InvokeAsync', '*')),
    });
    const denied = await role(engine, 'denied', S3_INVOCATION_TRUST_POLICY, {
      invoke: policy(allow('lambda:InvokeAsync', '*'), {
        Effect: 'Deny',
        Action: 'lambda:InvokeFunction',
        Resource: '*',
      }),
    });
    const actions = ['lambda:InvokeAsync', 'lambda:InvokeFunction'];
    expect((await internals(engine).authorizer.authorizeRoleAnyOf(asyncOnly, actions, fn)).decision).toBe(
      'Allow',
    );
    expect((await internals(engine).authorizer.authorizeRoleAnyOf(denied, actions, fn)).decision).toBe(
      'ExplicitDeny',
    );
    expect(
      (await internals(engine).authorizer.authorizeRoleAnyOf(asyncOnly, ['lambda:GetFunction'], fn)).decision,
    ).toBe('ImplicitDeny');
  });

  it('assertRoleAllowsAll names the first action that is not allowed', async () => {
    const engine = await open();
    const stream = `arn:aws:kinesis:us-east-1:${ACCT}:stream/orders`;
    const partial = await role(engine, 'partial', LAMBDA_TRUST_POLICY, {
      read: policy(allow(['kinesis:DescribeStream', 'kinesis:GetShardIterator'], stream)),
    });
    const reads = ['kinesis:DescribeStream', 'kinesis:GetShardIterator', 'kinesis:GetRecords'];
    await expectCode(
      internals(engine).authorizer.assertRoleAllowsAll(partial, reads, stream),
      'AccessDeniedException',
      /kinesis:GetRecords on resource: .*stream\/orders/,
    );
  });
});
