/**
 * The whole pipeline through the wire, every step made by an AWS SDK v3 client: S3 put ->
 * notification -> function -> Kinesis -> mapping -> function -> DynamoDB, then the logs read back.
 */
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import {
  AddPermissionCommand,
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import {
  CreateBucketCommand,
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAMBDA_TRUST_POLICY } from '../../src/index.js';
import { type Served, startServed } from './harness.js';
import { zipHandler } from './zip.js';

const INGEST = `
import { buckets, streams } from 'lambdalite/sdk';
export const handler = async (event) => {
  for (const r of event.Records) {
    const key = decodeURIComponent(r.s3.object.key.replace(/\\+/g, ' '));
    const { body } = await buckets.getObject(r.s3.bucket.name, key);
    await streams.putRecord('summaries', { partitionKey: key, data: JSON.stringify({ key, words: body.toString().split(' ').length }) });
  }
};`;

const INDEXER = `
import { tables } from 'lambdalite/sdk';
export const handler = async (event) => {
  for (const r of event.Records) {
    const summary = JSON.parse(Buffer.from(r.kinesis.data, 'base64').toString());
    await tables.putItem('documents', { key: summary.key, words: summary.words });
  }
};`;

let served: Served;
let clients: {
  s3: S3Client;
  lambda: LambdaClient;
  kinesis: KinesisClient;
  ddb: DynamoDBClient;
  iam: IAMClient;
  logs: CloudWatchLogsClient;
};

beforeAll(async () => {
  served = await startServed();
  clients = {
    s3: new S3Client(served.client),
    lambda: new LambdaClient(served.client),
    kinesis: new KinesisClient(served.client),
    ddb: new DynamoDBClient(served.client),
    iam: new IAMClient(served.client),
    logs: new CloudWatchLogsClient(served.client),
  };
});
afterAll(async () => {
  for (const c of Object.values(clients)) c.destroy();
  await served.close();
});

describe('the full pipeline through the wire', () => {
  it('S3 put -> notification -> ingest -> Kinesis -> mapping -> indexer -> DynamoDB', async () => {
    const { s3, lambda, kinesis, ddb, iam, logs } = clients;
    const { Role } = await iam.send(
      new CreateRoleCommand({
        RoleName: 'pipeline',
        AssumeRolePolicyDocument: JSON.stringify(LAMBDA_TRUST_POLICY),
      }),
    );
    await iam.send(
      new AttachRolePolicyCommand({
        RoleName: 'pipeline',
        PolicyArn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole',
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'pipeline',
        PolicyName: 'work',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::docs/*' },
            {
              Effect: 'Allow',
              Action: 'kinesis:PutRecord',
              Resource: 'arn:aws:kinesis:us-east-1:000000000000:stream/summaries',
            },
            {
              Effect: 'Allow',
              Action: 'dynamodb:PutItem',
              Resource: 'arn:aws:dynamodb:us-east-1:000000000000:table/documents',
            },
          ],
        }),
      }),
    );
    await kinesis.send(new CreateStreamCommand({ StreamName: 'summaries', ShardCount: 1 }));
    const stream = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'summaries' }));
    await ddb.send(
      new CreateTableCommand({
        TableName: 'documents',
        AttributeDefinitions: [{ AttributeName: 'key', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const ingest = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'ingest',
        Role: Role!.Arn,
        Handler: 'index.handler',
        Runtime: 'nodejs20.x',
        Code: { ZipFile: zipHandler(INGEST) },
      }),
    );
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'indexer',
        Role: Role!.Arn,
        Handler: 'index.handler',
        Runtime: 'nodejs20.x',
        Code: { ZipFile: zipHandler(INDEXER) },
      }),
    );
    await lambda.send(
      new AddPermissionCommand({
        FunctionName: 'ingest',
        StatementId: 's3',
        Action: 'lambda:InvokeFunction',
        Principal: 's3.amazonaws.com',
        SourceArn: 'arn:aws:s3:::docs',
        SourceAccount: '000000000000',
      }),
    );
    await s3.send(new CreateBucketCommand({ Bucket: 'docs' }));
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: 'docs',
        NotificationConfiguration: {
          LambdaFunctionConfigurations: [
            {
              Id: 'texts',
              LambdaFunctionArn: ingest.FunctionArn,
              Events: ['s3:ObjectCreated:*'],
              Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.txt' }] } },
            },
          ],
        },
      }),
    );
    const config = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'docs' }));
    expect(config.LambdaFunctionConfigurations).toEqual([
      {
        Id: 'texts',
        LambdaFunctionArn: ingest.FunctionArn,
        Events: ['s3:ObjectCreated:*'],
        Filter: { Key: { FilterRules: [{ Name: 'Suffix', Value: '.txt' }] } },
      },
    ]);
    await lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'indexer',
        EventSourceArn: stream.StreamDescriptionSummary!.StreamARN,
        StartingPosition: 'TRIM_HORIZON',
      }),
    );

    const indexed = firstValueFrom(
      served.engine.eventsOf$('mapping.batch.succeeded').pipe(
        filter((e) => e.functionName === 'indexer'),
        timeout(20_000),
      ),
    );
    await s3.send(
      new PutObjectCommand({ Bucket: 'docs', Key: 'notes/red fox.txt', Body: 'the quick red fox' }),
    );
    await indexed;
    const { Item } = await ddb.send(
      new GetItemCommand({ TableName: 'documents', Key: { key: { S: 'notes/red fox.txt' } } }),
    );
    expect(Item).toEqual({ key: { S: 'notes/red fox.txt' }, words: { N: '4' } });
    const { events } = await logs.send(
      new FilterLogEventsCommand({ logGroupName: '/aws/lambda/indexer', filterPattern: 'REPORT' }),
    );
    expect(events?.length).toBeGreaterThan(0);
  });
});
