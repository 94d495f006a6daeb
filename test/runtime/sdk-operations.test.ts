import { describe, expect, it } from 'vitest';
import { Arns } from '../../src/arn.js';
import {
  findOperation,
  operationNames,
  SDK_OPERATIONS,
  type SdkApi,
} from '../../src/runtime/sdk/operations.js';

const arns = new Arns('us-east-1', '000000000000');
const needs = (service: string, method: string, ...args: unknown[]) =>
  findOperation(service, method)?.needs(arns, args);

describe('the lambdalite/sdk operations table', () => {
  it('names the IAM action and resource ARN of each call from its arguments', () => {
    expect(needs('buckets', 'headObject', 'b', 'k/1')).toEqual([
      { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k/1' },
    ]);
    expect(needs('buckets', 'copyObject', 'src', 'a', 'dst', 'b')).toEqual([
      { action: 's3:GetObject', resource: 'arn:aws:s3:::src/a' },
      { action: 's3:PutObject', resource: 'arn:aws:s3:::dst/b' },
    ]);
    expect(needs('buckets', 'listObjects', 'b', { prefix: 'p/', maxKeys: 5 })).toEqual([
      {
        action: 's3:ListBucket',
        resource: 'arn:aws:s3:::b',
        context: { 's3:prefix': 'p/', 's3:max-keys': 5 },
      },
    ]);
    expect(needs('tables', 'query', 't', {})).toEqual([
      { action: 'dynamodb:Query', resource: 'arn:aws:dynamodb:us-east-1:000000000000:table/t' },
    ]);
    // An ARN is taken as given.
    const stream = 'arn:aws:kinesis:us-east-1:000000000000:stream/s';
    expect(needs('streams', 'putRecords', stream, [])).toEqual([
      { action: 'kinesis:PutRecords', resource: stream },
    ]);
    expect(needs('functions', 'invokeAsync', 'f')).toEqual([
      {
        action: 'lambda:InvokeAsync',
        resource: 'arn:aws:lambda:us-east-1:000000000000:function:f',
        anyOf: ['lambda:InvokeAsync', 'lambda:InvokeFunction'],
      },
    ]);
  });

  it('finds only the table own entries', () => {
    for (const [service, method] of [
      ['buckets', 'toString'],
      ['buckets', '__proto__'],
      ['__proto__', 'x'],
      ['constructor', 'name'],
      ['iam', 'createRole'],
    ] as const) {
      expect(findOperation(service, method)).toBeUndefined();
    }
    expect(operationNames('tables')).toEqual(Object.keys(SDK_OPERATIONS.tables));
  });

  it('runs a call on the service with the arguments as sent', async () => {
    const calls: unknown[][] = [];
    const api = {
      buckets: {},
      streams: {},
      functions: {},
      tables: {
        marker: 'tables',
        async getItem(this: { marker: string }, ...args: unknown[]) {
          calls.push([this.marker, ...args]);
          return { id: { S: '1' } };
        },
      },
    };
    const operation = findOperation('tables', 'getItem');
    // The double implements only the method called: the table's own types are not in play here.
    const result = await operation?.run(api as unknown as SdkApi, ['t', { id: { S: '1' } }]);
    expect(result).toEqual({ id: { S: '1' } });
    expect(calls).toEqual([['tables', 't', { id: { S: '1' } }]]);
  });
});
