import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/iam/simulate.js';
import { allow, decide, policy } from './helpers.js';

describe('action matching', () => {
  it.each([
    ['s3:GetObject', 's3:GetObject', true],
    ['s3:GetObject', 'S3:getobject', true],
    ['S3:GETOBJECT', 's3:GetObject', true],
    ['s3:Get*', 's3:GetObjectAcl', true],
    ['s3:Get*', 's3:PutObject', false],
    ['s3:*', 's3:PutObject', true],
    ['s3:*', 'kinesis:PutRecord', false],
    ['*', 'kinesis:PutRecord', true],
    ['s3:?etObject', 's3:GetObject', true],
    ['s3:?etObject', 's3:GGetObject', false],
    ['kinesis:*Records', 'kinesis:GetRecords', true],
    ['kinesis:*Records', 'kinesis:PutRecord', false],
    ['lambda:Invoke*', 'lambda:InvokeAsync', true],
    ['lambda:Invoke*', 'lambda:InvokeFunction', true],
    ['s3:GetObject', 's3:GetObjectVersion', false],
  ])('%s matches %s: %s', (pattern, action, expected) => {
    expect(decide(policy(allow(pattern)), action, 'arn:aws:s3:::b') === 'Allow').toBe(expected);
  });

  it('allows when any action of a list matches', () => {
    const doc = policy(allow(['s3:GetObject', 's3:PutObject']));
    expect(decide(doc, 's3:PutObject', 'arn:aws:s3:::b/k')).toBe('Allow');
    expect(decide(doc, 's3:DeleteObject', 'arn:aws:s3:::b/k')).toBe('ImplicitDeny');
  });

  it('NotAction matches every action except those listed', () => {
    const doc = policy({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' });
    expect(decide(doc, 's3:GetObject', 'arn:aws:s3:::b')).toBe('Allow');
    expect(decide(doc, 'iam:CreateRole', 'arn:aws:iam::000000000000:role/r')).toBe('ImplicitDeny');
  });
});

describe('resource matching', () => {
  it.each([
    ['*', 'arn:aws:s3:::bucket/key', true],
    ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/a/b.jpg', true],
    ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket', false],
    ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket2/a', false],
    ['arn:aws:s3:::bucket', 'arn:aws:s3:::Bucket', false],
    ['arn:aws:s3:::bucket/thumbnails/*', 'arn:aws:s3:::bucket/thumbnails/x.png', true],
    ['arn:aws:s3:::bucket/thumbnails/*', 'arn:aws:s3:::bucket/originals/x.png', false],
    ['arn:aws:s3:::bucket/*.jpg', 'arn:aws:s3:::bucket/a/b.jpg', true],
    ['arn:aws:s3:::bucket/?.jpg', 'arn:aws:s3:::bucket/a.jpg', true],
    ['arn:aws:s3:::bucket/?.jpg', 'arn:aws:s3:::bucket/ab.jpg', false],
    ['arn:aws:kinesis:*:*:stream/orders', 'arn:aws:kinesis:us-east-1:123456789012:stream/orders', true],
    ['arn:aws:kinesis:us-*:*:stream/*', 'arn:aws:kinesis:eu-west-1:123456789012:stream/orders', false],
    ['arn:aws:logs:*:*:*', 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f:*', true],
    // a '*' ending a segment spans following colons; one inside a segment does not
    [
      'arn:aws:lambda:us-east-1:123456789012:function:*',
      'arn:aws:lambda:us-east-1:123456789012:function:f:PROD',
      true,
    ],
    [
      'arn:aws:lambda:us-east-1:123456789012:function:f*',
      'arn:aws:lambda:us-east-1:123456789012:function:f:PROD',
      true,
    ],
    [
      'arn:aws:lambda:us-east-1:123456789012:function:*x',
      'arn:aws:lambda:us-east-1:123456789012:function:f:x',
      false,
    ],
    [
      'arn:aws:lambda:us-east-1:1234567890?2:function:f',
      'arn:aws:lambda:us-east-1:123456789012:function:f',
      true,
    ],
  ])('%s matches %s: %s', (pattern, resource, expected) => {
    expect(decide(policy(allow('s3:GetObject', pattern)), 's3:GetObject', resource) === 'Allow').toBe(
      expected,
    );
  });

  it('NotResource matches every resource except those listed', () => {
    const doc = policy({ Effect: 'Allow', Action: 's3:*', NotResource: 'arn:aws:s3:::secret/*' });
    expect(decide(doc, 's3:GetObject', 'arn:aws:s3:::public/a')).toBe('Allow');
    expect(decide(doc, 's3:GetObject', 'arn:aws:s3:::secret/a')).toBe('ImplicitDeny');
  });

  it('a Deny with NotResource denies everything outside the listed resources (AWS example)', () => {
    const doc = policy(allow('s3:*'), {
      Effect: 'Deny',
      Action: 's3:*',
      NotResource: ['arn:aws:s3:::mybucket', 'arn:aws:s3:::mybucket/*'],
    });
    expect(decide(doc, 's3:PutObject', 'arn:aws:s3:::mybucket/a')).toBe('Allow');
    expect(decide(doc, 's3:PutObject', 'arn:aws:s3:::other/a')).toBe('ExplicitDeny');
  });

  it('substitutes variables before matching: values are literal, and a star before an empty value still ends its segment', () => {
    const fn = 'arn:aws:lambda:us-east-1:123456789012:function';
    const doc = policy(allow('lambda:InvokeFunction', `${fn}:f*\${aws:suffix}:PROD`));
    const ctx = (suffix: string) => ({ 'aws:suffix': suffix });
    expect(decide(doc, 'lambda:InvokeFunction', `${fn}:f:x:PROD`, ctx(''))).toBe('Allow');
    expect(decide(doc, 'lambda:InvokeFunction', `${fn}:fa*:PROD`, ctx('*'))).toBe('Allow');
    expect(decide(doc, 'lambda:InvokeFunction', `${fn}:fab:PROD`, ctx('*'))).toBe('ImplicitDeny');
  });
});

describe('principal matching in resource policies', () => {
  const fn = 'arn:aws:lambda:us-east-1:123456789012:function:f';
  const resourceDecision = (
    principalElement: unknown,
    principal: Parameters<typeof simulate>[0]['principal'],
  ) =>
    simulate({
      policies: [],
      resourcePolicy: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: principalElement, Action: 'lambda:InvokeFunction', Resource: fn },
        ],
      },
      principal,
      action: 'lambda:InvokeFunction',
      resource: fn,
    }).decision;

  it.each([
    ['"*" admits a service', '*', { service: 's3.amazonaws.com' }, 'Allow'],
    ['{AWS:"*"} admits a role', { AWS: '*' }, { aws: 'arn:aws:iam::999999999999:role/x' }, 'Allow'],
    [
      'a service principal admits that service',
      { Service: 's3.amazonaws.com' },
      { service: 's3.amazonaws.com' },
      'Allow',
    ],
    [
      'a service principal refuses another service',
      { Service: 's3.amazonaws.com' },
      { service: 'sns.amazonaws.com' },
      'ImplicitDeny',
    ],
    [
      'a service list admits any of them',
      { Service: ['sns.amazonaws.com', 's3.amazonaws.com'] },
      { service: 's3.amazonaws.com' },
      'Allow',
    ],
    [
      'an account id admits its roles',
      { AWS: '123456789012' },
      { aws: 'arn:aws:iam::123456789012:role/r' },
      'Allow',
    ],
    [
      'an account id refuses other accounts',
      { AWS: '123456789012' },
      { aws: 'arn:aws:iam::999999999999:role/r' },
      'ImplicitDeny',
    ],
    [
      'account root admits its sessions',
      { AWS: 'arn:aws:iam::123456789012:root' },
      { aws: 'arn:aws:sts::123456789012:assumed-role/r/s' },
      'Allow',
    ],
    [
      'a role ARN admits the role',
      { AWS: 'arn:aws:iam::123456789012:role/r' },
      { aws: 'arn:aws:iam::123456789012:role/r' },
      'Allow',
    ],
    [
      'a role ARN admits its sessions',
      { AWS: 'arn:aws:iam::123456789012:role/app/r' },
      { aws: 'arn:aws:sts::123456789012:assumed-role/r/s' },
      'Allow',
    ],
    [
      'a role ARN refuses another role',
      { AWS: 'arn:aws:iam::123456789012:role/r' },
      { aws: 'arn:aws:iam::123456789012:role/q' },
      'ImplicitDeny',
    ],
    [
      'an AWS principal refuses a service',
      { AWS: '123456789012' },
      { service: 's3.amazonaws.com' },
      'ImplicitDeny',
    ],
  ])('%s', (_name, element, principal, expected) => {
    expect(resourceDecision(element, principal as never)).toBe(expected);
  });

  it('NotPrincipal applies to everyone except the principals listed', () => {
    const run = (service: string) =>
      simulate({
        policies: [policy(allow('lambda:InvokeFunction'))],
        resourcePolicy: policy({
          Effect: 'Deny',
          NotPrincipal: { Service: 's3.amazonaws.com' },
          Action: 'lambda:InvokeFunction',
          Resource: fn,
        }),
        principal: { service },
        action: 'lambda:InvokeFunction',
        resource: fn,
      }).decision;
    expect(run('s3.amazonaws.com')).toBe('Allow');
    expect(run('sns.amazonaws.com')).toBe('ExplicitDeny');
  });
});
