// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables are written ${...} in plain strings
import { describe, expect, it } from 'vitest';
import { CONDITION_OPERATORS } from '../../src/iam/conditions.js';
import type { RequestContext } from '../../src/iam/types.js';
import { allow, conditionAllows, decide, policy } from './helpers.js';

type Case = [operator: string, policyValue: unknown, requestValue: RequestContext[string], expected: boolean];

const KEY = 'test:key';

// Each row: Condition { [operator]: { 'test:key': policyValue } } against context { 'test:key': requestValue }.
const OPERATOR_CASES: Case[] = [
  ['StringEquals', 'abc', 'abc', true],
  ['StringEquals', 'abc', 'ABC', false],
  ['StringEquals', ['x', 'abc'], 'abc', true],
  ['StringNotEquals', 'abc', 'abd', true],
  ['StringNotEquals', ['abc', 'abd'], 'abd', false],
  ['StringEqualsIgnoreCase', 'abc', 'ABC', true],
  ['StringEqualsIgnoreCase', 'abc', 'abd', false],
  ['StringNotEqualsIgnoreCase', 'abc', 'ABC', false],
  ['StringNotEqualsIgnoreCase', 'abc', 'xyz', true],
  ['StringLike', 'home/*', 'home/alice/file', true],
  ['StringLike', 'home/?', 'home/ab', false],
  ['StringLike', 'home/??', 'home/ab', true],
  ['StringLike', 'Home/*', 'home/a', false],
  ['StringNotLike', 'tmp/*', 'home/a', true],
  ['StringNotLike', ['tmp/*', 'home/*'], 'home/a', false],
  ['NumericEquals', '10', '10', true],
  ['NumericEquals', 10, '10.0', true],
  ['NumericEquals', '10', 'ten', false],
  ['NumericNotEquals', '10', '11', true],
  ['NumericNotEquals', '10', 10, false],
  ['NumericLessThan', '10', 9, true],
  ['NumericLessThan', '10', 10, false],
  ['NumericLessThanEquals', '10', 10, true],
  ['NumericGreaterThan', '10', 11, true],
  ['NumericGreaterThan', '10', 10, false],
  ['NumericGreaterThanEquals', '10', 10, true],
  ['NumericGreaterThanEquals', '10', -3, false],
  ['DateEquals', '2014-11-13T00:00:00Z', '2014-11-13T00:00:00.000Z', true],
  ['DateEquals', '1415836800', '2014-11-13T00:00:00Z', true],
  ['DateNotEquals', '2014-11-13T00:00:00Z', '2014-11-14T00:00:00Z', true],
  ['DateLessThan', '2015-01-01T00:00:00Z', '2014-11-13T12:00:00Z', true],
  ['DateLessThan', '2015-01-01T00:00:00Z', '2015-01-01T00:00:00Z', false],
  ['DateLessThanEquals', '2015-01-01T00:00:00Z', '2015-01-01T00:00:00Z', true],
  ['DateGreaterThan', '2015-01-01T00:00:00Z', '2016-01-01T00:00:00Z', true],
  ['DateGreaterThan', '2015-01-01T00:00:00Z', new Date('2014-01-01T00:00:00Z'), false],
  ['DateGreaterThanEquals', '2015-01-01', '1420070400', true],
  ['Bool', 'true', 'true', true],
  ['Bool', 'true', true, true],
  ['Bool', 'true', 'false', false],
  ['Bool', 'false', false, true],
  ['BinaryEquals', 'QmluYXJ5VmFsdWU=', 'QmluYXJ5VmFsdWU=', true],
  ['BinaryEquals', 'QmluYXJ5VmFsdWU=', 'T3RoZXI=', false],
  ['IpAddress', '203.0.113.0/24', '203.0.113.42', true],
  ['IpAddress', '203.0.113.0/24', '203.0.114.1', false],
  ['IpAddress', ['10.0.0.0/8', '203.0.113.7'], '203.0.113.7', true],
  ['IpAddress', '2001:db8::/32', '2001:db8:85a3::8a2e:370:7334', true],
  ['IpAddress', '2001:db8::/32', '2001:db9::1', false],
  ['IpAddress', '203.0.113.0/24', '2001:db8::1', false],
  ['IpAddress', '203.0.113.0/24', '::ffff:203.0.113.5', false],
  ['IpAddress', '::ffff:0:0/96', '::ffff:203.0.113.5', true],
  ['IpAddress', '0.0.0.0/0', '198.51.100.1', true],
  ['IpAddress', '203.0.113.7', '203.0.113.8', false],
  ['IpAddress', '203.0.113.0/24', 'not-an-ip', false],
  ['IpAddress', 'fe80::/10', 'fe80::1%eth0', false],
  ['NotIpAddress', '203.0.113.0/24', '198.51.100.1', true],
  ['NotIpAddress', '203.0.113.0/24', '203.0.113.1', false],
  ['ArnEquals', 'arn:aws:s3:::photos', 'arn:aws:s3:::photos', true],
  ['ArnEquals', 'arn:aws:sns:*:123456789012:topic', 'arn:aws:sns:us-east-1:123456789012:topic', true],
  ['ArnLike', 'arn:aws:s3:::photos*', 'arn:aws:s3:::photos-2014', true],
  ['ArnLike', 'arn:aws:s3:::*', 'arn:aws:s3:::any-bucket', true],
  ['ArnLike', 'arn:aws:s3:::*', 'arn:aws:sqs:::any', false],
  ['ArnLike', 'arn:aws:s3:::photos', 'not-an-arn', false],
  ['ArnLike', 'arn:aws:kinesis:*:*:stream/*', 'arn:aws:kinesis:us-east-1:123456789012:stream/s', true],
  ['ArnNotEquals', 'arn:aws:s3:::photos', 'arn:aws:s3:::other', true],
  ['ArnNotLike', 'arn:aws:s3:::photos*', 'arn:aws:s3:::photos2', false],
  ['ArnNotLike', 'arn:aws:s3:::photos*', 'arn:aws:s3:::music', true],
];

describe('condition operators', () => {
  it.each(OPERATOR_CASES)('%s %j against %j: %s', (operator, value, request, expected) => {
    expect(conditionAllows({ [operator]: { [KEY]: value } }, { [KEY]: request })).toBe(expected);
  });

  it('covers every operator the engine accepts', () => {
    const tested = new Set([...OPERATOR_CASES.map((c) => c[0]), 'Null']);
    expect(CONDITION_OPERATORS.filter((op) => !tested.has(op))).toEqual([]);
  });
});

describe('missing keys', () => {
  // Reference §8.2: a missing key makes a condition false, except negated operators, IfExists and Null.
  it.each([
    ['StringEquals', false],
    ['StringLike', false],
    ['NumericLessThan', false],
    ['DateGreaterThan', false],
    ['Bool', false],
    ['IpAddress', false],
    ['ArnLike', false],
    ['StringNotEquals', true],
    ['StringNotLike', true],
    ['NumericNotEquals', true],
    ['NotIpAddress', true],
    ['ArnNotLike', true],
  ])('%s on an absent key evaluates to %s', (operator, expected) => {
    const value = operator.includes('Ip')
      ? '10.0.0.0/8'
      : operator.startsWith('Arn')
        ? 'arn:aws:s3:::b'
        : operator.startsWith('Date')
          ? '2014-01-01'
          : operator === 'Bool'
            ? 'true'
            : '1';
    expect(conditionAllows({ [operator]: { [KEY]: value } })).toBe(expected);
  });

  it.each([
    ['StringEqualsIfExists', {}, true],
    ['StringEqualsIfExists', { [KEY]: 'abc' }, true],
    ['StringEqualsIfExists', { [KEY]: 'xyz' }, false],
    ['NumericLessThanIfExists', {}, true],
    ['NumericLessThanIfExists', { [KEY]: '100' }, false],
    ['ArnLikeIfExists', {}, true],
    ['BoolIfExists', {}, true],
    ['IpAddressIfExists', {}, true],
  ])('%s with context %j: %s', (operator, context, expected) => {
    const value = operator.startsWith('Numeric')
      ? '10'
      : operator.startsWith('Arn')
        ? 'arn:aws:s3:::*'
        : operator.startsWith('Bool')
          ? 'true'
          : operator.startsWith('Ip')
            ? '10.0.0.0/8'
            : 'abc';
    expect(conditionAllows({ [operator]: { [KEY]: value } }, context)).toBe(expected);
  });

  it.each([
    ['true', {}, true],
    ['true', { [KEY]: 'x' }, false],
    ['false', { [KEY]: 'x' }, true],
    ['false', {}, false],
    ['true', { [KEY]: [] }, true],
  ])('Null %s with context %j: %s', (value, context, expected) => {
    expect(conditionAllows({ Null: { [KEY]: value } }, context as RequestContext)).toBe(expected);
  });
});

describe('combining conditions', () => {
  it('ANDs operators, ANDs keys within an operator, ORs values of one key', () => {
    const condition = {
      StringEquals: { 'a:one': ['x', 'y'], 'a:two': 'z' },
      Bool: { 'aws:SecureTransport': 'true' },
    };
    expect(conditionAllows(condition, { 'a:one': 'y', 'a:two': 'z', 'aws:SecureTransport': true })).toBe(
      true,
    );
    expect(conditionAllows(condition, { 'a:one': 'q', 'a:two': 'z', 'aws:SecureTransport': true })).toBe(
      false,
    );
    expect(conditionAllows(condition, { 'a:one': 'x', 'a:two': 'q', 'aws:SecureTransport': true })).toBe(
      false,
    );
    expect(conditionAllows(condition, { 'a:one': 'x', 'a:two': 'z', 'aws:SecureTransport': false })).toBe(
      false,
    );
  });

  it('reads condition keys case-insensitively', () => {
    expect(
      conditionAllows(
        { StringEquals: { 'AWS:SourceAccount': '123456789012' } },
        { 'aws:sourceaccount': '123456789012' },
      ),
    ).toBe(true);
    expect(
      conditionAllows(
        { StringEquals: { 'aws:sourceaccount': '123456789012' } },
        { 'aws:SourceAccount': '123456789012' },
      ),
    ).toBe(true);
  });
});

describe('set qualifiers', () => {
  const anyValue = { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['env', 'team'] } };
  const allValues = { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] } };

  it.each([
    ['ForAnyValue, one value matches', anyValue, ['env', 'cost'], true],
    ['ForAnyValue, none matches', anyValue, ['cost'], false],
    ['ForAnyValue, key absent', anyValue, undefined, false],
    ['ForAnyValue, key empty', anyValue, [], false],
    ['ForAllValues, every value matches', allValues, ['env', 'team'], true],
    ['ForAllValues, one value does not', allValues, ['env', 'cost'], false],
    ['ForAllValues, key absent (vacuously true)', allValues, undefined, true],
    ['ForAllValues, key empty (vacuously true)', allValues, [], true],
  ])('%s', (_name, condition, tags, expected) => {
    expect(conditionAllows(condition, tags === undefined ? {} : { 'aws:TagKeys': tags })).toBe(expected);
  });

  it('ForAnyValue with a negated operator needs one value outside the list', () => {
    const c = { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['env', 'team'] } };
    expect(conditionAllows(c, { 'aws:TagKeys': ['env', 'cost'] })).toBe(true);
    expect(conditionAllows(c, { 'aws:TagKeys': ['env', 'team'] })).toBe(false);
  });

  it('ForAllValues with StringLike checks each request value against the patterns', () => {
    const c = { 'ForAllValues:StringLike': { 'aws:TagKeys': ['app/*'] } };
    expect(conditionAllows(c, { 'aws:TagKeys': ['app/a', 'app/b'] })).toBe(true);
    expect(conditionAllows(c, { 'aws:TagKeys': ['app/a', 'ops/b'] })).toBe(false);
  });

  it('ForAnyValue with IfExists is true when the key is absent', () => {
    expect(conditionAllows({ 'ForAnyValue:StringEqualsIfExists': { 'aws:TagKeys': 'env' } })).toBe(true);
  });

  it('the AWS pairing of ForAllValues with Null refuses a request without tags', () => {
    const c = { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env'] }, Null: { 'aws:TagKeys': 'false' } };
    expect(conditionAllows(c, {})).toBe(false);
    expect(conditionAllows(c, { 'aws:TagKeys': ['env'] })).toBe(true);
  });

  it('a negated operator on a multi-valued key without qualifier behaves as NOR over all values', () => {
    expect(
      conditionAllows({ StringNotEquals: { 'aws:TagKeys': 'env' } }, { 'aws:TagKeys': ['a', 'env'] }),
    ).toBe(false);
    expect(
      conditionAllows({ StringNotEquals: { 'aws:TagKeys': 'env' } }, { 'aws:TagKeys': ['a', 'b'] }),
    ).toBe(true);
  });
});

describe('policy variables', () => {
  const homeFolder = (version: string) => ({
    Version: version,
    Statement: [allow('s3:GetObject', 'arn:aws:s3:::home/${aws:username}/*')],
  });

  it('substitutes ${aws:username} in Resource (AWS home-folder example)', () => {
    const ctx = { 'aws:username': 'alice' };
    expect(decide(homeFolder('2012-10-17'), 's3:GetObject', 'arn:aws:s3:::home/alice/a.txt', ctx)).toBe(
      'Allow',
    );
    expect(decide(homeFolder('2012-10-17'), 's3:GetObject', 'arn:aws:s3:::home/bob/a.txt', ctx)).toBe(
      'ImplicitDeny',
    );
  });

  it('treats variables as literal text in Version 2008-10-17', () => {
    const ctx = { 'aws:username': 'alice' };
    expect(decide(homeFolder('2008-10-17'), 's3:GetObject', 'arn:aws:s3:::home/alice/a.txt', ctx)).toBe(
      'ImplicitDeny',
    );
    expect(decide(homeFolder('2008-10-17'), 's3:GetObject', 'arn:aws:s3:::home/${aws:username}/a', ctx)).toBe(
      'Allow',
    );
  });

  it('does not match when the variable has no value', () => {
    expect(decide(homeFolder('2012-10-17'), 's3:GetObject', 'arn:aws:s3:::home/alice/a.txt')).toBe(
      'ImplicitDeny',
    );
  });

  it('substitutes tag keys and any context key, case-insensitively, in condition values', () => {
    const doc = policy(
      allow('s3:GetObject', '*', {
        Condition: { StringEquals: { 's3:prefix': '${aws:PrincipalTag/team}/' } },
      }),
    );
    const ctx = { 'aws:principaltag/team': 'ops', 's3:prefix': 'ops/' };
    expect(decide(doc, 's3:GetObject', 'arn:aws:s3:::b', ctx)).toBe('Allow');
    expect(decide(doc, 's3:GetObject', 'arn:aws:s3:::b', { ...ctx, 's3:prefix': 'dev/' })).toBe(
      'ImplicitDeny',
    );
  });

  it('keeps a substituted value literal: a "*" in a user name is no wildcard', () => {
    const ctx = { 'aws:username': '*' };
    expect(decide(homeFolder('2012-10-17'), 's3:GetObject', 'arn:aws:s3:::home/bob/a', ctx)).toBe(
      'ImplicitDeny',
    );
    expect(decide(homeFolder('2012-10-17'), 's3:GetObject', 'arn:aws:s3:::home/*/a', ctx)).toBe('Allow');
  });

  it('reads the ${*}, ${?} and ${$} escapes as literal characters', () => {
    const doc = policy(allow('s3:GetObject', 'arn:aws:s3:::b/${*}${?}${$}'));
    expect(decide(doc, 's3:GetObject', 'arn:aws:s3:::b/*?$')).toBe('Allow');
    expect(decide(doc, 's3:GetObject', 'arn:aws:s3:::b/xy$')).toBe('ImplicitDeny');
  });

  it("uses a default value written as ${key, 'default'}", () => {
    const doc = policy(allow('s3:GetObject', "arn:aws:s3:::b/${aws:username, 'shared'}/*"));
    expect(decide(doc, 's3:GetObject', 'arn:aws:s3:::b/shared/x')).toBe('Allow');
    expect(decide(doc, 's3:GetObject', 'arn:aws:s3:::b/ann/x', { 'aws:username': 'ann' })).toBe('Allow');
  });
});
