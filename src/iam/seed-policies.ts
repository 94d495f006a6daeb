/**
 * The source model's example policies (the 2014 walkthroughs), written as they were published,
 * so the README, examples and tests use the same documents.
 */

const V = '2012-10-17';

/** Freezes nested arrays and objects too: parsed policies are cached by object identity. */
function deepFreeze<T extends object>(value: T): T {
  for (const v of Object.values(value)) if (typeof v === 'object' && v !== null) deepFreeze(v);
  return Object.freeze(value);
}

/** Trust policy of an execution role: Lambda may assume it to run the code. */
export const LAMBDA_TRUST_POLICY = deepFreeze({
  Version: V,
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

/** Execution-role access policy of the 2014 walkthroughs: write logs anywhere. */
export const EXECUTION_LOGS_POLICY = deepFreeze({
  Version: V,
  Statement: [{ Effect: 'Allow', Action: ['logs:*'], Resource: 'arn:aws:logs:*:*:*' }],
});

/** Push-model invocation role access policy: the source may invoke functions. */
export const INVOKE_ACCESS_POLICY = deepFreeze({
  Version: V,
  Statement: [{ Effect: 'Allow', Action: ['lambda:InvokeAsync', 'lambda:InvokeFunction'], Resource: ['*'] }],
});

/**
 * Push-model invocation role trust policy as the 2014 docs wrote it: S3 may assume the role
 * when the ExternalId names a bucket (S3 passed the bucket ARN as ExternalId).
 */
export const S3_INVOCATION_TRUST_POLICY = deepFreeze({
  Version: V,
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: 's3.amazonaws.com' },
      Action: 'sts:AssumeRole',
      Condition: { StringLike: { 'sts:ExternalId': 'arn:aws:s3:::*' } },
    },
  ],
});

/** The same trust narrowed to one bucket. */
export function s3InvocationTrustPolicy(bucket: string): Record<string, unknown> {
  return {
    Version: V,
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 's3.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': `arn:aws:s3:::${bucket}` } },
      },
    ],
  };
}

/** Pull-model invocation role access policy: read one stream and invoke functions. */
export function streamReadPolicy(streamArn: string): Record<string, unknown> {
  return {
    Version: V,
    Statement: [
      { Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: ['*'] },
      {
        Effect: 'Allow',
        Action: [
          'kinesis:GetRecords',
          'kinesis:GetShardIterator',
          'kinesis:DescribeStream',
          'kinesis:ListStreams',
        ],
        Resource: [streamArn],
      },
    ],
  };
}
