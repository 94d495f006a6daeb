/**
 * The AWS managed policies a template may name (in a function's `Policies`, a role's
 * `ManagedPolicyArns`, or implied by SAM for an event source), with the statements AWS
 * publishes for them. The engine has inline policies only, so each becomes an inline policy
 * named after it. A name outside this list is reported, not ignored.
 */

type Doc = { Version: '2012-10-17'; Statement: Array<Record<string, unknown>> };

const allow = (actions: string[], resource: string | string[] = '*'): Doc => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: actions, Resource: resource }],
});

const LOGS = ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'];

const MANAGED = new Map<string, { path: string; document: Doc }>([
  ['AWSLambdaBasicExecutionRole', { path: 'service-role/', document: allow(LOGS) }],
  [
    'AWSLambdaKinesisExecutionRole',
    {
      path: 'service-role/',
      document: allow([
        'kinesis:DescribeStream',
        'kinesis:DescribeStreamSummary',
        'kinesis:GetRecords',
        'kinesis:GetShardIterator',
        'kinesis:ListShards',
        'kinesis:ListStreams',
        'kinesis:SubscribeToShard',
        ...LOGS,
      ]),
    },
  ],
  [
    'AWSLambdaDynamoDBExecutionRole',
    {
      path: 'service-role/',
      document: allow([
        'dynamodb:DescribeStream',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:ListStreams',
        ...LOGS,
      ]),
    },
  ],
  ['AWSLambdaRole', { path: 'service-role/', document: allow(['lambda:InvokeFunction']) }],
  ['AmazonS3ReadOnlyAccess', { path: '', document: allow(['s3:Get*', 's3:List*']) }],
  ['AmazonS3FullAccess', { path: '', document: allow(['s3:*']) }],
  [
    'AmazonKinesisReadOnlyAccess',
    { path: '', document: allow(['kinesis:Get*', 'kinesis:List*', 'kinesis:Describe*']) },
  ],
  ['AmazonKinesisFullAccess', { path: '', document: allow(['kinesis:*']) }],
  [
    'AmazonDynamoDBReadOnlyAccess',
    {
      path: '',
      document: allow([
        'dynamodb:BatchGetItem',
        'dynamodb:Describe*',
        'dynamodb:List*',
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:Scan',
      ]),
    },
  ],
  ['AmazonDynamoDBFullAccess', { path: '', document: allow(['dynamodb:*']) }],
]);

/** The managed policies known here, for messages. */
export const MANAGED_POLICY_NAMES: readonly string[] = [...MANAGED.keys()];

/**
 * A managed policy by name (`AWSLambdaBasicExecutionRole`) or ARN
 * (`arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole`): its inline name and
 * document, or undefined when it is not one of the policies known here.
 */
export function managedPolicy(nameOrArn: string): { name: string; document: Doc } | undefined {
  const arn = /^arn:aws[a-z-]*:iam::aws:policy\/(.+)$/.exec(nameOrArn);
  const path = arn ? arn[1]! : nameOrArn;
  const name = path.slice(path.lastIndexOf('/') + 1);
  const known = MANAGED.get(name);
  if (!known || (arn && path !== `${known.path}${name}`)) return undefined;
  return { name, document: structuredClone(known.document) };
}
