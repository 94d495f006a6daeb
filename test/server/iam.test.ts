import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAMBDA_TRUST_POLICY } from '../../src/index.js';
import { type Served, startServed } from './harness.js';

let served: Served;
let iam: IAMClient;

beforeAll(async () => {
  served = await startServed();
  iam = new IAMClient(served.client);
});
afterAll(async () => {
  iam.destroy();
  await served.close();
});

describe('IAM through the SDK (query protocol)', () => {
  it('creates, reads, lists and deletes roles', async () => {
    const { Role } = await iam.send(
      new CreateRoleCommand({
        RoleName: 'worker',
        AssumeRolePolicyDocument: JSON.stringify(LAMBDA_TRUST_POLICY),
      }),
    );
    expect(Role).toMatchObject({
      RoleName: 'worker',
      Arn: 'arn:aws:iam::000000000000:role/worker',
      Path: '/',
    });
    expect(Role?.CreateDate).toBeInstanceOf(Date);
    expect(JSON.parse(decodeURIComponent(Role!.AssumeRolePolicyDocument!))).toEqual(LAMBDA_TRUST_POLICY);
    expect((await iam.send(new GetRoleCommand({ RoleName: 'worker' }))).Role?.RoleId).toBe(Role?.RoleId);
    expect((await iam.send(new ListRolesCommand({}))).Roles?.map((r) => r.RoleName)).toContain('worker');
    // The SDK names IAM's query-protocol codes by their modeled exceptions (NoSuchEntity -> NoSuchEntityException).
    await expect(
      iam.send(
        new CreateRoleCommand({
          RoleName: 'worker',
          AssumeRolePolicyDocument: JSON.stringify(LAMBDA_TRUST_POLICY),
        }),
      ),
    ).rejects.toMatchObject({ name: 'EntityAlreadyExistsException', Error: { Code: 'EntityAlreadyExists' } });
    await iam.send(new DeleteRoleCommand({ RoleName: 'worker' }));
    await expect(iam.send(new GetRoleCommand({ RoleName: 'worker' }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('puts, reads, lists and deletes inline policies; refuses a malformed one', async () => {
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'inline',
        AssumeRolePolicyDocument: JSON.stringify(LAMBDA_TRUST_POLICY),
      }),
    );
    const doc = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }],
    };
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'inline',
        PolicyName: 'read',
        PolicyDocument: JSON.stringify(doc),
      }),
    );
    const got = await iam.send(new GetRolePolicyCommand({ RoleName: 'inline', PolicyName: 'read' }));
    expect(JSON.parse(decodeURIComponent(got.PolicyDocument!))).toEqual(doc);
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: 'inline' }))).PolicyNames).toEqual([
      'read',
    ]);
    await expect(
      iam.send(
        new PutRolePolicyCommand({
          RoleName: 'inline',
          PolicyName: 'bad',
          PolicyDocument: '{"Statement":[{"Effect":"Maybe"}]}',
        }),
      ),
    ).rejects.toMatchObject({ name: 'MalformedPolicyDocumentException' });
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'inline', PolicyName: 'read' }));
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: 'inline' }))).PolicyNames).toEqual([]);
  });

  it('attaches and detaches the managed policies the engine knows', async () => {
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'managed',
        AssumeRolePolicyDocument: JSON.stringify(LAMBDA_TRUST_POLICY),
      }),
    );
    const arn = 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'managed', PolicyArn: arn }));
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'managed' }));
    expect(attached.AttachedPolicies).toEqual([
      { PolicyName: 'AWSLambdaBasicExecutionRole', PolicyArn: arn },
    ]);
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: 'managed' }))).PolicyNames).toEqual([]);
    const decision = await served.engine.iam.simulate({
      policies: [
        (await served.engine.iam.getRolePolicy('managed', 'AWSLambdaBasicExecutionRole')).policyDocument,
      ],
      action: 'logs:PutLogEvents',
      resource: 'arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/f:*',
    });
    expect(decision.decision).toBe('Allow');
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'managed', PolicyArn: arn }));
    expect(
      (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'managed' }))).AttachedPolicies,
    ).toEqual([]);
    await expect(
      iam.send(
        new AttachRolePolicyCommand({
          RoleName: 'managed',
          PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
        }),
      ),
    ).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });

  it('answers InvalidAction naming an unsupported action', async () => {
    const res = await fetch(served.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=CreateUser&Version=2010-05-08&UserName=bob',
    });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toContain('<Code>InvalidAction</Code>');
    expect(text).toContain('CreateUser');
  });
});
