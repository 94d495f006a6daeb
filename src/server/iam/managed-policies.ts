/**
 * The AWS managed policies `AttachRolePolicy` accepts: those whose document the engine already
 * knows (its seed policies). The engine has inline policies only, so an attached managed policy
 * is kept as an inline policy under the managed policy's name; ListAttachedRolePolicies shows
 * those, ListRolePolicies the rest.
 */
import { EXECUTION_LOGS_POLICY, INVOKE_ACCESS_POLICY } from '../../iam/seed-policies.js';

const STREAM_READ_AND_LOGS = Object.freeze({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: [
        'kinesis:DescribeStream',
        'kinesis:DescribeStreamSummary',
        'kinesis:GetRecords',
        'kinesis:GetShardIterator',
        'kinesis:ListShards',
        'kinesis:ListStreams',
      ],
      Resource: '*',
    },
    {
      Effect: 'Allow',
      Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: '*',
    },
  ],
});

const TABLE_STREAM_READ_AND_LOGS = Object.freeze({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: [
        'dynamodb:DescribeStream',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:ListStreams',
      ],
      Resource: '*',
    },
    {
      Effect: 'Allow',
      Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: '*',
    },
  ],
});

export interface ManagedPolicy {
  readonly name: string;
  readonly arn: string;
  readonly document: Readonly<Record<string, unknown>>;
}

const SERVICE_ROLE = 'arn:aws:iam::aws:policy/service-role/';

export const MANAGED_POLICIES: ReadonlyMap<string, ManagedPolicy> = new Map(
  (
    [
      ['AWSLambdaBasicExecutionRole', EXECUTION_LOGS_POLICY],
      ['AWSLambdaKinesisExecutionRole', STREAM_READ_AND_LOGS],
      ['AWSLambdaDynamoDBExecutionRole', TABLE_STREAM_READ_AND_LOGS],
      ['AWSLambdaRole', INVOKE_ACCESS_POLICY],
    ] as const
  ).map(([name, document]) => [`${SERVICE_ROLE}${name}`, { name, arn: `${SERVICE_ROLE}${name}`, document }]),
);

export const MANAGED_BY_NAME: ReadonlyMap<string, ManagedPolicy> = new Map(
  [...MANAGED_POLICIES.values()].map((p) => [p.name, p]),
);
