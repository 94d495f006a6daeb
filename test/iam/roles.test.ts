import { describe, expect, it } from 'vitest';
import { EXECUTION_LOGS_POLICY, LAMBDA_TRUST_POLICY } from '../../src/iam/seed-policies.js';
import { createEngine, ManualClock } from '../../src/index.js';
import { BACKEND_KINDS, nextEvent, openEngine, tempDir } from '../helpers/engines.js';
import { expectCode } from '../helpers/errors.js';
import { internals, openEngineWith } from '../helpers/harness.js';
import { allow, policy } from './helpers.js';

const WRITE_THUMBS = policy(allow('s3:PutObject', 'arn:aws:s3:::photos/thumbnails/*'));

describe.each(BACKEND_KINDS)('roles (%s)', (kind) => {
  it('creates a role with a trust policy and inline policies, and returns it', async () => {
    const clock = new ManualClock(Date.parse('2014-11-13T12:00:00Z'));
    const engine = await openEngine(kind, { accountId: '123456789012', clock });
    const announced = nextEvent(engine, 'iam.roleCreated');
    const created = await engine.iam.createRole({
      name: 'lambda-exec',
      assumeRolePolicy: LAMBDA_TRUST_POLICY,
      policies: { logs: EXECUTION_LOGS_POLICY },
      path: '/service/',
      description: 'runs the thumbnailer',
    });
    expect(created).toMatchObject({
      arn: 'arn:aws:iam::123456789012:role/service/lambda-exec',
      roleName: 'lambda-exec',
      path: '/service/',
      description: 'runs the thumbnailer',
      createDate: '2014-11-13T12:00:00.000Z',
      policyNames: ['logs'],
    });
    expect(created.roleId).toMatch(/^AROA[A-Z2-7]{17}$/);
    expect(created.assumeRolePolicyDocument).toEqual(LAMBDA_TRUST_POLICY);
    expect(await announced).toMatchObject({ roleName: 'lambda-exec', arn: created.arn });
    expect(await engine.iam.getRole('lambda-exec')).toEqual(created);
    expect((await engine.iam.getRolePolicy('lambda-exec', 'logs')).policyDocument).toEqual(
      EXECUTION_LOGS_POLICY,
    );
  });

  it('accepts policy documents as JSON text', async () => {
    const engine = await openEngine(kind);
    await engine.iam.createRole({ name: 'r', assumeRolePolicy: JSON.stringify(LAMBDA_TRUST_POLICY) });
    await engine.iam.putRolePolicy('r', 'thumbs', JSON.stringify(WRITE_THUMBS));
    expect((await engine.iam.getRolePolicy('r', 'thumbs')).policyDocument).toEqual(WRITE_THUMBS);
  });

  it('puts, replaces, lists and deletes inline policies', async () => {
    const engine = await openEngine(kind);
    await engine.iam.createRole({ name: 'r', assumeRolePolicy: LAMBDA_TRUST_POLICY });
    const put = nextEvent(engine, 'iam.rolePolicyPut');
    await engine.iam.putRolePolicy('r', 'thumbs', WRITE_THUMBS);
    expect(await put).toMatchObject({ roleName: 'r', policyName: 'thumbs' });
    await engine.iam.putRolePolicy('r', 'logs', EXECUTION_LOGS_POLICY);
    await engine.iam.putRolePolicy('r', 'thumbs', policy(allow('s3:GetObject')));
    expect(await engine.iam.listRolePolicies('r')).toEqual(['logs', 'thumbs']);
    expect((await engine.iam.getRolePolicy('r', 'thumbs')).policyDocument).toEqual(
      policy(allow('s3:GetObject')),
    );
    await engine.iam.deleteRolePolicy('r', 'thumbs');
    expect(await engine.iam.listRolePolicies('r')).toEqual(['logs']);
    await expectCode(engine.iam.getRolePolicy('r', 'thumbs'), 'NoSuchEntity', /role policy with name thumbs/);
    await expectCode(engine.iam.deleteRolePolicy('r', 'thumbs'), 'NoSuchEntity', /thumbs/);
  });

  it('lists roles by name, optionally under a path prefix', async () => {
    const engine = await openEngine(kind);
    await engine.iam.createRole({ name: 'b', assumeRolePolicy: LAMBDA_TRUST_POLICY, path: '/app/' });
    await engine.iam.createRole({ name: 'a', assumeRolePolicy: LAMBDA_TRUST_POLICY });
    expect((await engine.iam.listRoles()).map((r) => r.roleName)).toEqual(['a', 'b']);
    expect((await engine.iam.listRoles({ pathPrefix: '/app/' })).map((r) => r.roleName)).toEqual(['b']);
  });

  it('replaces the trust policy', async () => {
    const engine = await openEngine(kind);
    await engine.iam.createRole({ name: 'r', assumeRolePolicy: LAMBDA_TRUST_POLICY });
    const s3Trust = policy({
      Effect: 'Allow',
      Principal: { Service: 's3.amazonaws.com' },
      Action: 'sts:AssumeRole',
    });
    const updated = nextEvent(engine, 'iam.trustPolicyUpdated');
    await engine.iam.updateAssumeRolePolicy('r', s3Trust);
    expect(await updated).toMatchObject({ roleName: 'r' });
    expect((await engine.iam.getRole('r')).assumeRolePolicyDocument).toEqual(s3Trust);
  });

  it('refuses duplicates regardless of case, unknown roles, and bad names', async () => {
    const engine = await openEngine(kind);
    await engine.iam.createRole({ name: 'Exec', assumeRolePolicy: LAMBDA_TRUST_POLICY });
    await expectCode(
      engine.iam.createRole({ name: 'exec', assumeRolePolicy: LAMBDA_TRUST_POLICY }),
      'EntityAlreadyExists',
      /Role with name exec already exists/,
    );
    await expectCode(engine.iam.getRole('nope'), 'NoSuchEntity', /role with name nope cannot be found/);
    await expectCode(engine.iam.putRolePolicy('nope', 'p', WRITE_THUMBS), 'NoSuchEntity', /nope/);
    await expectCode(engine.iam.deleteRole('nope'), 'NoSuchEntity', /nope/);
    await expectCode(engine.iam.updateAssumeRolePolicy('nope', LAMBDA_TRUST_POLICY), 'NoSuchEntity', /nope/);
    for (const name of ['', 'a'.repeat(65), 'has space', 'slash/']) {
      await expectCode(
        engine.iam.createRole({ name, assumeRolePolicy: LAMBDA_TRUST_POLICY }),
        'ValidationError',
        /name must be 1-64/,
      );
    }
    await expectCode(
      engine.iam.createRole({ name: 'p', assumeRolePolicy: LAMBDA_TRUST_POLICY, path: 'app' }),
      'ValidationError',
      /path.*"app"/,
    );
    await expectCode(
      engine.iam.putRolePolicy('Exec', 'bad name', WRITE_THUMBS),
      'ValidationError',
      /policyName.*"bad name"/,
    );
    expect((await engine.iam.listRoles()).map((r) => r.roleName)).toEqual(['Exec']);
  });

  it('refuses malformed documents and writes nothing', async () => {
    const engine = await openEngine(kind);
    await expectCode(
      engine.iam.createRole({
        name: 'r',
        assumeRolePolicy: policy({ Effect: 'Allow', Action: 'sts:AssumeRole' }),
      }),
      'MalformedPolicyDocument',
      /missing Principal/,
    );
    await expectCode(
      engine.iam.createRole({ name: 'r', assumeRolePolicy: LAMBDA_TRUST_POLICY, policies: { p: '{nope' } }),
      'MalformedPolicyDocument',
      /not valid JSON/,
    );
    expect(await engine.iam.listRoles()).toEqual([]);
    await engine.iam.createRole({
      name: 'r',
      assumeRolePolicy: LAMBDA_TRUST_POLICY,
      policies: { logs: EXECUTION_LOGS_POLICY },
    });
    await expectCode(
      engine.iam.putRolePolicy('r', 'logs', policy({ ...allow('s3:*'), Principal: '*' })),
      'MalformedPolicyDocument',
      /must not specify a Principal/,
    );
    expect((await engine.iam.getRolePolicy('r', 'logs')).policyDocument).toEqual(EXECUTION_LOGS_POLICY);
  });

  it('refuses to delete a role in use, naming the users, and deletes it once unused', async () => {
    const users = new Set(['function:thumbnailer']);
    let arn = '';
    const engine = await openEngineWith(
      kind,
      {},
      { roleUsage: [{ usersOf: async (roleArn) => (roleArn === arn ? [...users] : []) }] },
    );
    ({ arn } = await engine.iam.createRole({ name: 'r', assumeRolePolicy: LAMBDA_TRUST_POLICY }));
    await expectCode(
      engine.iam.deleteRole('r'),
      'DeleteConflict',
      /role r is in use by function:thumbnailer/,
    );
    expect((await engine.iam.getRole('r')).arn).toBe(arn);
    users.clear();
    const deleted = nextEvent(engine, 'iam.roleDeleted');
    await engine.iam.deleteRole('r');
    expect(await deleted).toMatchObject({ roleName: 'r', arn });
    await expectCode(engine.iam.getRole('r'), 'NoSuchEntity');
  });

  it('refuses calls after close with EngineClosed', async () => {
    const engine = await openEngine(kind);
    await engine.close();
    await expectCode(
      engine.iam.createRole({ name: 'r', assumeRolePolicy: LAMBDA_TRUST_POLICY }),
      'EngineClosed',
    );
  });

  it('simulates inline documents (DESIGN §4 contract)', async () => {
    const engine = await openEngine(kind);
    const result = await engine.iam.simulate({
      policies: [WRITE_THUMBS],
      action: 's3:PutObject',
      resource: 'arn:aws:s3:::photos/thumbnails/a.png',
    });
    expect(result.decision).toBe('Allow');
    expect(result.decidingStatement).toMatchObject({ policyName: 'policy0', index: 0 });
    expect(
      (
        await engine.iam.simulate({
          policies: WRITE_THUMBS,
          action: 's3:PutObject',
          resource: 'arn:aws:s3:::photos/a.png',
        })
      ).decision,
    ).toBe('ImplicitDeny');
    await expectCode(
      engine.iam.simulate({ policies: [WRITE_THUMBS], action: '', resource: '*' }),
      'InvalidArgument',
      /action/,
    );
    await expectCode(
      engine.iam.simulate({ policies: ['{'], action: 's3:GetObject', resource: '*' }),
      'MalformedPolicyDocument',
    );
  });
});

describe('roles on disk', () => {
  it('survive close and reopen, with their policies and enforcement', async () => {
    const location = await tempDir();
    const first = await createEngine({ location });
    const created = await first.iam.createRole({
      name: 'exec',
      assumeRolePolicy: LAMBDA_TRUST_POLICY,
      policies: { logs: EXECUTION_LOGS_POLICY },
    });
    await first.iam.putRolePolicy('exec', 'thumbs', WRITE_THUMBS);
    await first.iam.createRole({ name: 'gone', assumeRolePolicy: LAMBDA_TRUST_POLICY });
    await first.iam.deleteRole('gone');
    await first.close();

    const second = await createEngine({ location });
    try {
      expect(await second.iam.getRole('exec')).toEqual({ ...created, policyNames: ['logs', 'thumbs'] });
      expect((await second.iam.listRoles()).map((r) => r.roleName)).toEqual(['exec']);
      const decision = await internals(second).authorizer.authorizeRole(
        created.arn,
        's3:PutObject',
        'arn:aws:s3:::photos/thumbnails/x.png',
      );
      expect(decision.decision).toBe('Allow');
    } finally {
      await second.close();
    }
  });
});
