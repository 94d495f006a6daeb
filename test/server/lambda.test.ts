import {
  AddPermissionCommand,
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  DeleteEventSourceMappingCommand,
  DeleteFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  GetEventSourceMappingCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionEventInvokeConfigCommand,
  GetPolicyCommand,
  InvokeCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ListFunctionsCommand,
  PutFunctionConcurrencyCommand,
  PutFunctionEventInvokeConfigCommand,
  RemovePermissionCommand,
  UpdateEventSourceMappingCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXECUTION_LOGS_POLICY, LAMBDA_TRUST_POLICY } from '../../src/index.js';
import { type Served, startServed } from './harness.js';
import { zipHandler } from './zip.js';

let served: Served;
let lambda: LambdaClient;
let role: string;

const ECHO = `export const handler = async (event) => { console.log('got', JSON.stringify(event)); return { echo: event }; };`;
const THROWS = `export const handler = async () => { throw new TypeError('bad input'); };`;

beforeAll(async () => {
  served = await startServed();
  lambda = new LambdaClient(served.client);
  role = (
    await served.engine.iam.createRole({
      name: 'fn',
      assumeRolePolicy: LAMBDA_TRUST_POLICY,
      policies: { logs: EXECUTION_LOGS_POLICY },
    })
  ).arn;
});
afterAll(async () => {
  lambda.destroy();
  await served.close();
});

describe('Lambda through the SDK', () => {
  it('creates a function from a zip, reports it Active, lists, updates and deletes it', async () => {
    const created = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'echo',
        Runtime: 'nodejs20.x',
        Role: role,
        Handler: 'index.handler',
        Code: { ZipFile: zipHandler(ECHO) },
        MemorySize: 256,
      }),
    );
    expect(created).toMatchObject({
      FunctionName: 'echo',
      State: 'Active',
      MemorySize: 256,
      $metadata: { httpStatusCode: 201 },
    });
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 5 }, { FunctionName: 'echo' });
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'echo' }));
    expect(got.Configuration?.FunctionArn).toBe('arn:aws:lambda:us-east-1:000000000000:function:echo');
    const { Functions } = await lambda.send(new ListFunctionsCommand({}));
    expect(Functions?.map((f) => f.FunctionName)).toContain('echo');
    const updated = await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'echo',
        Timeout: 10,
        Environment: { Variables: { A: '1' } },
      }),
    );
    expect(updated).toMatchObject({ Timeout: 10, Environment: { Variables: { A: '1' } } });
    const recoded = await lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: 'echo', ZipFile: zipHandler(ECHO) }),
    );
    expect(recoded.CodeSha256).toBe(created.CodeSha256);
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'echo' }));
    await expect(lambda.send(new GetFunctionCommand({ FunctionName: 'echo' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('invokes synchronously with tail logs, asynchronously (202) and as a dry run (204)', async () => {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'inv',
        Role: role,
        Handler: 'index.handler',
        Code: { ZipFile: zipHandler(ECHO) },
      }),
    );
    const sync = await lambda.send(
      new InvokeCommand({ FunctionName: 'inv', Payload: JSON.stringify({ a: 1 }), LogType: 'Tail' }),
    );
    expect(sync.StatusCode).toBe(200);
    expect(JSON.parse(Buffer.from(sync.Payload!).toString())).toEqual({ echo: { a: 1 } });
    expect(sync.ExecutedVersion).toBe('$LATEST');
    const tail = Buffer.from(sync.LogResult!, 'base64').toString();
    expect(tail).toContain('got {"a":1}');
    // The SDK reads x-amzn-RequestId: Invoke's is the invocation's own request id.
    expect(tail).toContain(`START RequestId: ${sync.$metadata.requestId} `);
    const event = await lambda.send(
      new InvokeCommand({ FunctionName: 'inv', InvocationType: 'Event', Payload: '{}' }),
    );
    expect(event.StatusCode).toBe(202);
    const dry = await lambda.send(new InvokeCommand({ FunctionName: 'inv', InvocationType: 'DryRun' }));
    expect(dry.StatusCode).toBe(204);
    await expect(lambda.send(new InvokeCommand({ FunctionName: 'nobody' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      $metadata: { requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
    });
    const listed = await lambda.send(new ListFunctionsCommand({}));
    expect(listed.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(listed.$metadata.requestId).not.toBe(sync.$metadata.requestId);
    await expect(
      lambda.send(new InvokeCommand({ FunctionName: 'inv', Payload: '{not json' })),
    ).rejects.toMatchObject({
      name: 'InvalidRequestContentException',
    });
  });

  it('reports a function error in X-Amz-Function-Error with the error payload', async () => {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'throws',
        Role: role,
        Handler: 'index.handler',
        Code: { ZipFile: zipHandler(THROWS) },
      }),
    );
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'throws' }));
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe('Unhandled');
    expect(JSON.parse(Buffer.from(out.Payload!).toString())).toMatchObject({
      errorType: 'TypeError',
      errorMessage: 'bad input',
    });
  });

  it('adds, reads and removes permissions; sets event invoke config and concurrency', async () => {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'perm',
        Role: role,
        Handler: 'index.handler',
        Code: { ZipFile: zipHandler(ECHO) },
      }),
    );
    const added = await lambda.send(
      new AddPermissionCommand({
        FunctionName: 'perm',
        StatementId: 's3',
        Action: 'lambda:InvokeFunction',
        Principal: 's3.amazonaws.com',
        SourceArn: 'arn:aws:s3:::b',
      }),
    );
    expect(JSON.parse(added.Statement!)).toMatchObject({
      Sid: 's3',
      Principal: { Service: 's3.amazonaws.com' },
    });
    const { Policy } = await lambda.send(new GetPolicyCommand({ FunctionName: 'perm' }));
    expect(JSON.parse(Policy!).Statement).toHaveLength(1);
    await expect(
      lambda.send(
        new AddPermissionCommand({
          FunctionName: 'perm',
          StatementId: 's3',
          Action: 'lambda:InvokeFunction',
          Principal: 's3.amazonaws.com',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceConflictException' });
    await lambda.send(new RemovePermissionCommand({ FunctionName: 'perm', StatementId: 's3' }));
    await expect(lambda.send(new GetPolicyCommand({ FunctionName: 'perm' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });

    const config = await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: 'perm',
        MaximumRetryAttempts: 1,
        MaximumEventAgeInSeconds: 600,
      }),
    );
    expect(config).toMatchObject({ MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 600 });
    expect(config.LastModified).toBeInstanceOf(Date);
    const read = await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'perm' }));
    expect(read.MaximumRetryAttempts).toBe(1);

    const conc = await lambda.send(
      new PutFunctionConcurrencyCommand({ FunctionName: 'perm', ReservedConcurrentExecutions: 3 }),
    );
    expect(conc.ReservedConcurrentExecutions).toBe(3);
    expect(
      (await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'perm' })))
        .ReservedConcurrentExecutions,
    ).toBe(3);
    await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'perm' }));
    expect(
      (await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'perm' })))
        .ReservedConcurrentExecutions,
    ).toBeUndefined();
  });

  it('creates, reads, updates, lists and deletes an event source mapping', async () => {
    const { streamArn } = await served.engine.streams.create('src');
    await served.engine.iam.putRolePolicy('fn', 'read', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'kinesis:*', Resource: streamArn }],
    });
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'esm',
        Role: role,
        Handler: 'index.handler',
        Code: { ZipFile: zipHandler(ECHO) },
      }),
    );
    const created = await lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: 'esm',
        EventSourceArn: streamArn,
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 10,
        MaximumBatchingWindowInSeconds: 1,
      }),
    );
    expect(created).toMatchObject({
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 1,
      EventSourceArn: streamArn,
      $metadata: { httpStatusCode: 202 },
    });
    const uuid = created.UUID!;
    expect((await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).UUID).toBe(uuid);
    const updated = await lambda.send(
      new UpdateEventSourceMappingCommand({ UUID: uuid, BatchSize: 20, Enabled: false }),
    );
    expect(updated.BatchSize).toBe(20);
    const listed = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: 'esm' }));
    expect(listed.EventSourceMappings?.map((m) => m.UUID)).toEqual([uuid]);
    await lambda.send(new DeleteEventSourceMappingCommand({ UUID: uuid }));
    await expect(lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});
