import { describe, expect, it } from 'vitest';
import { Arns, parseArn } from '../src/arn.js';
import { ERROR_CODES, isLambdaliteError, LambdaliteError } from '../src/index.js';
import { expectCodeSync } from './helpers/errors.js';

describe('LambdaliteError', () => {
  it('carries code, default status, retriable flag and cause', () => {
    const cause = new Error('disk');
    const err = new LambdaliteError('TooManyRequestsException', 'Rate exceeded for f', { cause });
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe('TooManyRequestsException');
    expect(err.statusCode).toBe(429);
    expect(err.retriable).toBe(true);
    expect(err.cause).toBe(cause);
    expect(isLambdaliteError(err, 'TooManyRequestsException')).toBe(true);
    expect(isLambdaliteError(err, 'NoSuchKey')).toBe(false);
  });

  it('is named by its code, as AWS SDK v3 errors are, and is still a LambdaliteError', () => {
    const err = new LambdaliteError('NoSuchKey', 'The specified key does not exist.');
    expect(err.name).toBe('NoSuchKey');
    expect(err).toBeInstanceOf(LambdaliteError);
    expect(String(err)).toBe('NoSuchKey: The specified key does not exist.');
  });

  it('lets a service override the status (Lambda answers 404 for ResourceNotFoundException)', () => {
    const err = new LambdaliteError('ResourceNotFoundException', 'Function not found: f', {
      statusCode: 404,
    });
    expect(err.statusCode).toBe(404);
    expect(ERROR_CODES.ResourceNotFoundException.status).toBe(400);
  });
});

describe('ARNs', () => {
  const arns = new Arns('eu-west-1', '123456789012');

  it('builds the ARN of each resource kind as AWS writes it', () => {
    expect(arns.bucket('photos')).toBe('arn:aws:s3:::photos');
    expect(arns.object('photos', 'a/b.jpg')).toBe('arn:aws:s3:::photos/a/b.jpg');
    expect(arns.stream('clicks')).toBe('arn:aws:kinesis:eu-west-1:123456789012:stream/clicks');
    expect(arns.table('Users')).toBe('arn:aws:dynamodb:eu-west-1:123456789012:table/Users');
    expect(arns.tableStream('Users', '2026-01-01T00:00:00.000')).toBe(
      'arn:aws:dynamodb:eu-west-1:123456789012:table/Users/stream/2026-01-01T00:00:00.000',
    );
    expect(arns.function('f')).toBe('arn:aws:lambda:eu-west-1:123456789012:function:f');
    expect(arns.function('f', '$LATEST')).toBe('arn:aws:lambda:eu-west-1:123456789012:function:f:$LATEST');
    expect(arns.role('exec')).toBe('arn:aws:iam::123456789012:role/exec');
    expect(arns.role('exec', '/service/')).toBe('arn:aws:iam::123456789012:role/service/exec');
    expect(arns.logGroup('/aws/lambda/f')).toBe(
      'arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/f:*',
    );
  });

  it('parses an ARN and keeps the colons of its resource part', () => {
    expect(parseArn('arn:aws:lambda:us-east-1:123456789012:function:f:PROD')).toEqual({
      partition: 'aws',
      service: 'lambda',
      region: 'us-east-1',
      accountId: '123456789012',
      resource: 'function:f:PROD',
    });
    expect(parseArn('arn:aws:s3:::bucket/key').resource).toBe('bucket/key');
  });

  it('refuses text that is not an ARN, naming it', () => {
    expectCodeSync(() => parseArn('not-an-arn'), 'InvalidArgument', /'not-an-arn'/);
    expectCodeSync(() => parseArn('arn:aws:s3'), 'InvalidArgument', /arn:aws:s3/);
  });
});
