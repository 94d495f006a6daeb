import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apply, type Engine, loadPipelineFile, PipelineError } from '../../src/index.js';
import { firstMatch, openEngine, tempDir } from '../helpers/engines.js';
import { DEMO_TEMPLATE } from './helpers.js';

const BUCKET = 'lambdalite-uploads-000000000000';

async function templateFile(text: string): Promise<string> {
  const file = join(await tempDir(), 'template.yaml');
  await writeFile(file, text);
  return file;
}

async function failure(promise: Promise<unknown>): Promise<PipelineError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PipelineError);
  return err as PipelineError;
}

function audited(engine: Engine, key: string): Promise<unknown> {
  return firstMatch(
    engine.events$,
    (e) =>
      e.type === 'function.log' && e.functionName === 'lambdalite-AuditFunction' && e.message.includes(key),
    30_000,
  );
}

describe('apply: SAM templates', () => {
  it('runs the demo template end to end: S3 event -> Kinesis event -> table item -> DynamoDB event', async () => {
    const engine = await openEngine();
    const plan = await apply(engine, await loadPipelineFile(DEMO_TEMPLATE));
    expect(plan.steps.every((s) => s.action === 'create')).toBe(true);

    // Parameters and intrinsics resolved as CloudFormation would.
    expect((await engine.streams.describe('lambdalite-Feed')).openShardCount).toBe(2);
    const ingest = await engine.functions.get('lambdalite-IngestFunction');
    expect(ingest).toMatchObject({
      handler: 'ingest.handler',
      timeout: 10,
      memorySize: 128,
      environment: { FEED_STREAM: 'lambdalite-Feed' },
      role: 'arn:aws:iam::000000000000:role/lambdalite-IngestFunctionRole',
    });
    expect((await engine.functions.get('lambdalite-AuditFunction')).environment).toEqual({
      WATCHING: 'lambdalite-Index in us-east-1',
    });
    // SAM's generated execution role: basic execution, the event source's policy, the statements.
    const role = await engine.iam.getRole('lambdalite-IndexFunctionRole');
    expect([...role.policyNames].sort()).toEqual([
      'AWSLambdaBasicExecutionRole',
      'AWSLambdaKinesisExecutionRole',
      'IndexFunctionRolePolicy0',
    ]);
    expect((await engine.buckets.getNotificationConfiguration(BUCKET)).lambdaFunctionConfigurations).toEqual([
      {
        id: 'IngestFunctionUpload',
        functionArn: ingest.functionArn,
        events: ['s3:ObjectCreated:*'],
        filter: { suffix: '.txt' },
      },
    ]);
    expect((await engine.functions.getPolicy('lambdalite-IngestFunction')).Statement[0]).toMatchObject({
      Principal: { Service: 's3.amazonaws.com' },
      Condition: { StringEquals: { 'AWS:SourceAccount': '000000000000' } },
    });

    const seen = audited(engine, 'notes/monday.txt');
    await engine.buckets.putObject(BUCKET, 'notes/monday.txt', 'bought milk and fixed the bike');
    await seen;
    expect(
      await engine.tables.getItem('lambdalite-Index', { folder: 'notes', key: 'notes/monday.txt' }),
    ).toMatchObject({
      words: 6,
    });

    const again = await apply(engine, await loadPipelineFile(DEMO_TEMPLATE));
    expect(again.applied).toBe(false);
    expect(again.steps.every((s) => s.action === 'unchanged')).toBe(true);
  }, 60_000);

  it('takes parameter overrides: a new shard count replaces the stream and its mapping', async () => {
    const engine = await openEngine();
    await apply(engine, await loadPipelineFile(DEMO_TEMPLATE));
    const plan = await apply(engine, await loadPipelineFile(DEMO_TEMPLATE), {
      parameters: { FeedShards: 3 },
    });
    const changed = plan.steps.filter((s) => s.action !== 'unchanged').map((s) => `${s.action} ${s.kind}`);
    expect(changed).toEqual(['replace mapping', 'replace stream']);
    expect((await engine.streams.describe('lambdalite-Feed')).openShardCount).toBe(3);
  });

  it('names the stack in generated names', async () => {
    const engine = await openEngine();
    await apply(engine, await loadPipelineFile(DEMO_TEMPLATE), { stack: 'shop', dryRun: true }).then((plan) =>
      expect(plan.steps.map((s) => s.id)).toContain('shop-IngestFunction'),
    );
  });

  it('reports every unsupported resource, property, event and intrinsic by logical id, and applies nothing', async () => {
    const engine = await openEngine();
    const file = await templateFile(`
Transform: AWS::Serverless-2016-10-31
Conditions:
  Prod: !Equals [a, b]
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ./code
      Handler: index.handler
      Runtime: python3.12
      Layers: [x]
      Policies:
        - AmazonSQSFullAccess
        - S3ReadPolicy: { BucketName: b }
      Environment:
        Variables:
          MODE: !If [Prod, fast, slow]
      Events:
        Jobs:
          Type: SQS
          Properties: { Queue: !GetAtt Queue.Arn }
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]
      KeySchema: [{ AttributeName: id, KeyType: HASH }]
      TimeToLiveSpecification: { Enabled: true }
`);
    const err = await failure(apply(engine, await loadPipelineFile(file)));
    expect(err.code).toBe('ValidationError');
    const lines = err.issues.map((i) => `${i.resource} | ${i.field} | ${i.message}`);
    const has = (text: string) =>
      expect(
        lines.some((l) => l.includes(text)),
        text,
      ).toBe(true);
    has('undefined | Conditions | template section Conditions is not supported');
    has('Queue (AWS::SQS::Queue) | undefined | resource type is not supported');
    has('Fn (AWS::Serverless::Function) | Properties.Runtime | only Node.js runtimes');
    has('Fn (AWS::Serverless::Function) | Properties.Layers | property Layers is not supported');
    has('Properties.Policies[0] | managed policy "AmazonSQSFullAccess" is not known here');
    has('Properties.Policies[1] | SAM policy template S3ReadPolicy is not supported');
    has('Properties.Environment.Variables.MODE | intrinsic function Fn::If is not supported');
    has('Properties.Events.Jobs.Type | event type "SQS" is not supported');
    has(
      'Table (AWS::DynamoDB::Table) | Properties.TimeToLiveSpecification | property TimeToLiveSpecification',
    );
    expect(err.message).toContain(file);
    expect(await engine.functions.list()).toEqual([]);
  });

  it('reports unresolvable references, missing parameters and YAML errors with their place', async () => {
    const engine = await openEngine();
    const refs = await templateFile(`
Parameters:
  Shards: { Type: Number }
Resources:
  S:
    Type: AWS::Kinesis::Stream
    Properties:
      ShardCount: !Ref Shards
      Name: !Sub '\${Missing}-feed'
  T:
    Type: AWS::Kinesis::Stream
    Properties:
      Name: !GetAtt S.StreamArn
`);
    const err = await failure(apply(engine, await loadPipelineFile(refs)));
    const lines = err.issues.map((i) => `${i.resource} | ${i.field ?? ''} | ${i.message}`);
    expect(lines).toEqual(
      expect.arrayContaining([
        'parameter Shards |  | has no Default: give its value in the parameters option',
        `S (AWS::Kinesis::Stream) | Properties.Name | Fn::Sub \${Missing}: no parameter, pseudo parameter, resource or variable of that name`,
        'T (AWS::Kinesis::Stream) | Properties.Name | Fn::GetAtt S.StreamArn: the attribute is not supported (supported: Arn)',
      ]),
    );
    const unknown = await failure(
      apply(engine, await loadPipelineFile(refs), { parameters: { Shards: 1, Nope: 'x' } }),
    );
    expect(unknown.message).toContain('parameter Nope: is not declared in the template Parameters');

    const broken = await templateFile('Resources:\n  A: [unclosed\n');
    const yamlError = await failure(loadPipelineFile(broken));
    expect(yamlError.message).toContain(broken);
    expect(yamlError.message).toMatch(/line \d+/);
  });

  it('translates plain CloudFormation roles, permissions and mappings too', async () => {
    const engine = await openEngine();
    const file = await templateFile(`
Resources:
  Feed:
    Type: AWS::Kinesis::Stream
    Properties: { Name: feed, ShardCount: 1, RetentionPeriodHours: 48 }
  Exec:
    Type: AWS::IAM::Role
    Properties:
      RoleName: exec
      AssumeRolePolicyDocument:
        Statement: [{ Effect: Allow, Principal: { Service: lambda.amazonaws.com }, Action: sts:AssumeRole }]
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole
      Policies:
        - PolicyName: extra
          PolicyDocument: { Statement: [{ Effect: Allow, Action: s3:ListBucket, Resource: '*' }] }
  Reader:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: reader
      CodeUri: ${join(DEMO_TEMPLATE, '..', '..', 'demo')}
      Handler: audit.handler
      Runtime: nodejs20.x
      Role: !GetAtt Exec.Arn
  ReaderMapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref Reader
      EventSourceArn: !GetAtt Feed.Arn
      StartingPosition: LATEST
      MaximumBatchingWindowInSeconds: 2
  Invoke:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !GetAtt Reader.Arn
      Action: lambda:InvokeFunction
      Principal: s3.amazonaws.com
      SourceArn: arn:aws:s3:::elsewhere
`);
    await apply(engine, await loadPipelineFile(file));
    expect((await engine.iam.listRolePolicies('exec')).sort()).toEqual([
      'AWSLambdaKinesisExecutionRole',
      'extra',
    ]);
    expect((await engine.functions.get('reader')).role).toBe('arn:aws:iam::000000000000:role/exec');
    const [mapping] = await engine.mappings.list({ functionName: 'reader' });
    expect(mapping).toMatchObject({ maximumBatchingWindowMs: 2000, startingPosition: 'LATEST' });
    expect((await engine.functions.getPolicy('reader')).Statement[0]?.Sid).toBe('Invoke');
    expect((await engine.streams.describe('feed')).retentionPeriodHours).toBe(48);
    expect((await apply(engine, await loadPipelineFile(file))).applied).toBe(false);
  });
});
