import { describe, expect, it } from 'vitest';
import { functionPolicyDocument, permissionStatement } from '../../src/iam/resource-policy.js';
import { simulate } from '../../src/iam/simulate.js';
import { allow, policy } from './helpers.js';

const OBJ = 'arn:aws:s3:::photos/a.jpg';

describe('decision order: explicit Deny > Allow > implicit deny', () => {
  it('denies implicitly when nothing applies', () => {
    const result = simulate({
      policies: [policy(allow('s3:PutObject'))],
      action: 's3:GetObject',
      resource: OBJ,
    });
    expect(result).toEqual({ decision: 'ImplicitDeny', matchedStatements: [] });
  });

  it('allows and names the deciding statement by policy, Sid and index', () => {
    const result = simulate({
      policies: { read: policy(allow('s3:PutObject'), { ...allow('s3:GetObject'), Sid: 'Read' }) },
      action: 's3:GetObject',
      resource: OBJ,
    });
    expect(result.decision).toBe('Allow');
    expect(result.decidingStatement).toEqual({ policyName: 'read', sid: 'Read', index: 1, effect: 'Allow' });
  });

  it('lets a Deny in one policy override an Allow in another, and reports both matches', () => {
    const result = simulate({
      policies: {
        everything: policy(allow('*')),
        guard: policy({
          Sid: 'NoDelete',
          Effect: 'Deny',
          Action: 's3:Delete*',
          Resource: 'arn:aws:s3:::photos/*',
        }),
      },
      action: 's3:DeleteObject',
      resource: OBJ,
    });
    expect(result.decision).toBe('ExplicitDeny');
    expect(result.decidingStatement).toMatchObject({ policyName: 'guard', sid: 'NoDelete', index: 0 });
    expect(result.matchedStatements.map((s) => s.policyName)).toEqual(['everything', 'guard']);
  });

  it('lets a Deny override an Allow within the same policy regardless of order', () => {
    const deny = { Effect: 'Deny', Action: 's3:GetObject', Resource: OBJ };
    for (const doc of [policy(allow('s3:*'), deny), policy(deny, allow('s3:*'))]) {
      expect(simulate({ policies: [doc], action: 's3:GetObject', resource: OBJ }).decision).toBe(
        'ExplicitDeny',
      );
    }
  });

  it('applies a conditional Deny only when its condition holds (AWS aws:SecureTransport example)', () => {
    const doc = policy(allow('s3:*'), {
      Effect: 'Deny',
      Action: 's3:*',
      Resource: '*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    const run = (secure: boolean) =>
      simulate({
        policies: [doc],
        action: 's3:GetObject',
        resource: OBJ,
        context: { 'aws:SecureTransport': secure },
      });
    expect(run(true).decision).toBe('Allow');
    expect(run(false).decision).toBe('ExplicitDeny');
  });

  it('applies an IP restriction as in the AWS "deny outside these ranges" example', () => {
    const doc = policy(allow('s3:*'), {
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { NotIpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '203.0.113.0/24'] } },
    });
    const run = (ip: string) =>
      simulate({ policies: [doc], action: 's3:GetObject', resource: OBJ, context: { 'aws:SourceIp': ip } })
        .decision;
    expect(run('203.0.113.9')).toBe('Allow');
    expect(run('198.51.100.1')).toBe('ExplicitDeny');
  });

  it('applies a time window with DateGreaterThan / DateLessThan on aws:CurrentTime', () => {
    const doc = policy(
      allow('s3:GetObject', '*', {
        Condition: {
          DateGreaterThan: { 'aws:CurrentTime': '2014-11-13T00:00:00Z' },
          DateLessThan: { 'aws:CurrentTime': '2014-12-31T23:59:59Z' },
        },
      }),
    );
    const at = (time: string) =>
      simulate({
        policies: [doc],
        action: 's3:GetObject',
        resource: OBJ,
        context: { 'aws:CurrentTime': time },
      }).decision;
    expect(at('2014-11-20T10:00:00Z')).toBe('Allow');
    expect(at('2015-01-02T00:00:00Z')).toBe('ImplicitDeny');
  });
});

describe('identity and resource policies of the same account', () => {
  const fn = 'arn:aws:lambda:us-east-1:123456789012:function:thumbnailer';
  const functionPolicy = functionPolicyDocument([
    permissionStatement({
      statementId: 's3-invoke',
      action: 'lambda:InvokeFunction',
      principal: 's3.amazonaws.com',
      sourceArn: 'arn:aws:s3:::photos',
      sourceAccount: '123456789012',
      functionArn: fn,
    }),
  ]);

  it('builds the statement AddPermission stores, exactly', () => {
    expect(functionPolicy.Statement[0]).toEqual({
      Sid: 's3-invoke',
      Effect: 'Allow',
      Principal: { Service: 's3.amazonaws.com' },
      Action: 'lambda:InvokeFunction',
      Resource: fn,
      Condition: {
        StringEquals: { 'AWS:SourceAccount': '123456789012' },
        ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::photos' },
      },
    });
    expect(
      permissionStatement({
        statementId: 'a',
        action: 'lambda:*',
        principal: '123456789012',
        functionArn: fn,
      }).Principal,
    ).toEqual({
      AWS: 'arn:aws:iam::123456789012:root',
    });
  });

  it('allows through the resource policy alone when identity policies say nothing', () => {
    const run = (sourceArn: string, sourceAccount = '123456789012') =>
      simulate({
        policies: [],
        resourcePolicy: functionPolicy,
        principal: { service: 's3.amazonaws.com' },
        action: 'lambda:InvokeFunction',
        resource: fn,
        context: { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': sourceAccount },
      });
    expect(run('arn:aws:s3:::photos').decision).toBe('Allow');
    expect(run('arn:aws:s3:::photos').decidingStatement).toMatchObject({
      policyName: 'ResourcePolicy',
      sid: 's3-invoke',
    });
    expect(run('arn:aws:s3:::other').decision).toBe('ImplicitDeny');
    expect(run('arn:aws:s3:::photos', '999999999999').decision).toBe('ImplicitDeny');
  });

  it('allows through the identity policy alone, and an identity Deny beats a resource Allow', () => {
    const base = {
      action: 'lambda:InvokeFunction',
      resource: fn,
      principal: { aws: 'arn:aws:iam::123456789012:role/r' },
    };
    expect(
      simulate({
        ...base,
        policies: [policy(allow('lambda:InvokeFunction'))],
        resourcePolicy: functionPolicy,
      }).decision,
    ).toBe('Allow');
    const denyAll = policy({ Effect: 'Deny', Action: 'lambda:*', Resource: '*' });
    const open = policy({ Effect: 'Allow', Principal: '*', Action: 'lambda:*', Resource: fn });
    expect(simulate({ ...base, policies: [denyAll], resourcePolicy: open }).decision).toBe('ExplicitDeny');
  });
});
