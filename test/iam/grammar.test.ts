import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/iam/parse.js';
import type { PolicyKind } from '../../src/iam/types.js';
import { expectCodeSync } from '../helpers/errors.js';
import { allow, decide, policy } from './helpers.js';

const ok = allow('s3:GetObject', 'arn:aws:s3:::b/*');

describe('accepted documents', () => {
  it('accepts Statement as a single object or as a list, given as text or object', () => {
    const single = { Version: '2012-10-17', Id: 'p1', Statement: ok };
    expect(decide(single, 's3:GetObject', 'arn:aws:s3:::b/k')).toBe('Allow');
    expect(decide(JSON.stringify(single), 's3:GetObject', 'arn:aws:s3:::b/k')).toBe('Allow');
    expect(decide(policy(ok, { ...ok, Sid: 'Two' }), 's3:GetObject', 'arn:aws:s3:::b/k')).toBe('Allow');
  });

  it('treats a document without Version as 2008-10-17', () => {
    expect(parsePolicy({ Statement: ok }).version).toBe('2008-10-17');
  });

  it('accepts every principal type in a resource policy', () => {
    const parsed = parsePolicy(
      policy({
        ...ok,
        Principal: {
          AWS: ['123456789012', 'arn:aws:iam::123456789012:role/r'],
          Service: 's3.amazonaws.com',
          Federated: 'cognito-identity.amazonaws.com',
          CanonicalUser: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be',
        },
      }),
      'resource',
    );
    expect(parsed.statements[0]?.principal?.values.size).toBe(4);
  });

  it('returns the cached parse for the same text', () => {
    const text = JSON.stringify(policy(ok));
    expect(parsePolicy(text)).toBe(parsePolicy(text));
  });
});

describe('malformed documents are refused with MalformedPolicyDocument', () => {
  const cases: Array<[string, unknown, RegExp, PolicyKind?]> = [
    ['text that is not JSON', '{"Version": ', /not valid JSON/],
    ['a JSON array', [], /must be a JSON object/],
    ['JSON text of a number', '42', /must be a JSON object/],
    [
      'an unknown top-level element',
      { Version: '2012-10-17', Statement: ok, Extra: 1 },
      /unknown top-level element 'Extra'/,
    ],
    ['a bad Version', { Version: '2020-01-01', Statement: ok }, /Version must be.*"2020-01-01"/],
    ['a missing Statement', { Version: '2012-10-17' }, /missing Statement/],
    ['an empty Statement list', { Version: '2012-10-17', Statement: [] }, /must not be empty/],
    ['a statement that is not an object', policy('x' as never), /statement 0 must be an object/],
    ['a missing Effect', policy({ Action: 's3:*', Resource: '*' }), /missing Effect in statement 0/],
    ['a bad Effect', policy({ ...ok, Effect: 'allow' }), /Effect must be 'Allow' or 'Deny', got "allow"/],
    ['both Action and NotAction', policy({ ...ok, NotAction: 's3:PutObject' }), /Action and NotAction/],
    ['no Action at all', policy({ Effect: 'Allow', Resource: '*' }), /missing Action/],
    ['both Resource and NotResource', policy({ ...ok, NotResource: '*' }), /Resource and NotResource/],
    ['no Resource in an identity policy', policy({ Effect: 'Allow', Action: 's3:*' }), /missing Resource/],
    ['an action without a service prefix', policy(allow('GetObject')), /action 'GetObject' must look like/],
    ['an empty Action list', policy(allow([])), /Action must not be an empty list/],
    ['a non-string action', policy(allow([3 as never])), /Action must be a non-empty string/],
    [
      'a resource that is not an ARN',
      policy(allow('s3:GetObject', 'photos/*')),
      /resource 'photos\/\*' must be in ARN/,
    ],
    [
      'an unknown statement element',
      policy({ ...ok, Actions: 's3:*' }),
      /unknown element 'Actions' in statement 0/,
    ],
    [
      'a Principal in an identity policy',
      policy({ ...ok, Principal: '*' }),
      /identity policy must not specify a Principal/,
    ],
    ['a resource policy without Principal', policy(ok), /missing Principal/, 'resource'],
    [
      'both Principal and NotPrincipal',
      policy({ ...ok, Principal: '*', NotPrincipal: '*' }),
      /Principal and NotPrincipal/,
      'resource',
    ],
    [
      'an unknown principal type',
      policy({ ...ok, Principal: { User: 'x' } }),
      /unknown Principal type 'User'/,
      'resource',
    ],
    [
      'a principal that is neither "*" nor an object',
      policy({ ...ok, Principal: 'me' }),
      /must be "\*" or an object/,
      'resource',
    ],
    [
      'a trust policy with a Resource',
      policy({ ...ok, Principal: '*' }),
      /trust policy must not have Resource/,
      'trust',
    ],
    [
      'an unknown condition operator',
      policy({ ...ok, Condition: { StringEqual: { k: 'v' } } }),
      /unknown condition operator 'StringEqual'/,
    ],
    [
      'NullIfExists',
      policy({ ...ok, Condition: { NullIfExists: { k: 'true' } } }),
      /Null does not take IfExists/,
    ],
    ['a condition that is not an object', policy({ ...ok, Condition: 'x' }), /Condition must be an object/],
    [
      'a condition value that is an object',
      policy({ ...ok, Condition: { StringEquals: { k: { a: 1 } } } }),
      /string, number or boolean/,
    ],
    [
      'a non-numeric Numeric value',
      policy({ ...ok, Condition: { NumericLessThan: { k: 'ten' } } }),
      /'ten' is not a number/,
    ],
    [
      'an invalid date',
      policy({ ...ok, Condition: { DateLessThan: { k: 'yesterday' } } }),
      /not an ISO-8601 date/,
    ],
    [
      'an invalid CIDR',
      policy({ ...ok, Condition: { IpAddress: { 'aws:SourceIp': '300.1.1.1/8' } } }),
      /not an IP address/,
    ],
    [
      'a CIDR prefix longer than its address',
      policy({ ...ok, Condition: { IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '10.0.0.0/33'] } } }),
      /'10.0.0.0\/33' is not an IP address/,
    ],
    [
      'an IPv6 CIDR prefix over 128',
      policy({ ...ok, Condition: { NotIpAddress: { 'aws:SourceIp': '2001:db8::/129' } } }),
      /not an IP address/,
    ],
    [
      'an invalid Bool',
      policy({ ...ok, Condition: { Bool: { k: 'yes' } } }),
      /'yes' is not 'true' or 'false'/,
    ],
    ['duplicate Sids', policy({ ...ok, Sid: 'A' }, { ...ok, Sid: 'A' }), /duplicate Sid "A" in statement 1/],
  ];

  it.each(cases)('refuses %s', (_name, doc, message, kind = 'identity') => {
    expectCodeSync(() => parsePolicy(doc as object, kind), 'MalformedPolicyDocument', message);
  });

  it('names the statement by index and Sid', () => {
    expectCodeSync(
      () => parsePolicy(policy(ok, { Sid: 'Broken', Effect: 'Maybe', Action: 's3:*', Resource: '*' })),
      'MalformedPolicyDocument',
      /statement 1 \(Sid "Broken"\)/,
    );
  });
});
