import {
  CloudWatchLogsClient,
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXECUTION_LOGS_POLICY, LAMBDA_TRUST_POLICY } from '../../src/index.js';
import { type Served, startServed } from './harness.js';
import { zipHandler } from './zip.js';

let served: Served;
let logs: CloudWatchLogsClient;
let lambda: LambdaClient;

beforeAll(async () => {
  served = await startServed();
  logs = new CloudWatchLogsClient(served.client);
  lambda = new LambdaClient(served.client);
});
afterAll(async () => {
  logs.destroy();
  lambda.destroy();
  await served.close();
});

describe('CloudWatch Logs through the SDK', () => {
  it('reads a function’s log group, streams and events, filters them, sets retention and deletes the group', async () => {
    const { arn } = await served.engine.iam.createRole({
      name: 'log',
      assumeRolePolicy: LAMBDA_TRUST_POLICY,
      policies: { logs: EXECUTION_LOGS_POLICY },
    });
    const source = `export const handler = async (e) => { console.log('order', e.id); console.log('noise'); return 'ok'; };`;
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'logger',
        Role: arn,
        Handler: 'index.handler',
        Code: { ZipFile: zipHandler(source) },
      }),
    );
    const report = firstValueFrom(
      served.engine.logs.tail('/aws/lambda/logger').pipe(
        filter((e) => e.message.startsWith('REPORT')),
        timeout(20_000),
      ),
    );
    await lambda.send(new InvokeCommand({ FunctionName: 'logger', Payload: JSON.stringify({ id: 7 }) }));
    await report;

    const { logGroups } = await logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/' }),
    );
    expect(logGroups?.map((g) => g.logGroupName)).toEqual(['/aws/lambda/logger']);
    const { logStreams } = await logs.send(
      new DescribeLogStreamsCommand({ logGroupName: '/aws/lambda/logger' }),
    );
    expect(logStreams).toHaveLength(1);
    const streamName = logStreams![0]!.logStreamName!;
    const page = await logs.send(
      new GetLogEventsCommand({
        logGroupName: '/aws/lambda/logger',
        logStreamName: streamName,
        startFromHead: true,
      }),
    );
    const messages = page.events?.map((e) => e.message ?? '') ?? [];
    expect(messages[0]).toMatch(/^START RequestId: /);
    expect(messages.some((m) => m.includes('order 7'))).toBe(true);
    expect(page.nextForwardToken).toBeTruthy();
    const found = await logs.send(
      new FilterLogEventsCommand({
        logGroupName: '/aws/lambda/logger',
        filterPattern: 'order',
        interleaved: true,
      }),
    );
    expect(found.events?.map((e) => e.logStreamName)).toEqual([streamName]);
    expect(found.events?.[0]?.message).toContain('order 7');
    expect(found.events?.[0]?.eventId).toBeTruthy();

    await logs.send(
      new PutRetentionPolicyCommand({ logGroupName: '/aws/lambda/logger', retentionInDays: 7 }),
    );
    const after = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/logger' }));
    expect(after.logGroups?.[0]?.retentionInDays).toBe(7);
    await logs.send(new DeleteLogGroupCommand({ logGroupName: '/aws/lambda/logger' }));
    await expect(
      logs.send(new DescribeLogStreamsCommand({ logGroupName: '/aws/lambda/logger' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});
