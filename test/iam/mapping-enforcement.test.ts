import { describe, expect, it } from 'vitest';
import { LAMBDA_TRUST_POLICY, streamReadPolicy } from '../../src/iam/seed-policies.js';
import { expectCode } from '../helpers/errors.js';
import { ensureRole } from '../helpers/iam.js';
import { pullHarness } from '../helpers/pull-harness.js';

describe('event source mapping invocation checks', () => {
  it('refuses a mapping whose role lacks stream read, naming role, action and resource', async () => {
    const h = await pullHarness('memory');
    const invokeOnly = await ensureRole(h.engine, 'invoke-only', {
      invoke: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: '*' }],
      },
    });
    await expectCode(
      h.engine.mappings.create({
        functionName: 'fn',
        eventSourceArn: h.log.arn,
        startingPosition: 'TRIM_HORIZON',
        role: invokeOnly,
      }),
      'InvalidParameterValueException',
      new RegExp(
        `Cannot access stream .*invoke-only is not authorized to perform: kinesis:GetRecords on resource: ${h.log.arn}`,
      ),
    );
    const untrusted = await ensureRole(
      h.engine,
      'untrusted',
      { read: streamReadPolicy(h.log.arn) },
      {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      },
    );
    await expectCode(
      h.engine.mappings.create({
        functionName: 'fn',
        eventSourceArn: h.log.arn,
        startingPosition: 'TRIM_HORIZON',
        role: untrusted,
      }),
      'InvalidParameterValueException',
      /untrusted .*cannot be assumed by Lambda/,
    );
    // Today's model: without a role the execution role must read the stream.
    h.functions.add('reader-less', 'arn:aws:iam::000000000000:role/no-read');
    await ensureRole(h.engine, 'no-read', {}, LAMBDA_TRUST_POLICY);
    await expectCode(
      h.engine.mappings.create({
        functionName: 'reader-less',
        eventSourceArn: h.log.arn,
        startingPosition: 'TRIM_HORIZON',
      }),
      'InvalidParameterValueException',
      /execution role .*no-read is not authorized to perform: kinesis:GetRecords/,
    );
    expect(await h.engine.mappings.list()).toEqual([]);
  });

  it('blocks the shard once stream read is revoked mid-stream, and resumes when it is granted again', async () => {
    const h = await pullHarness('memory');
    const { uuid } = await h.engine.mappings.create({
      functionName: 'fn',
      eventSourceArn: h.log.arn,
      startingPosition: 'TRIM_HORIZON',
    });
    h.log.put({ partitionKey: 'k', data: '1' });
    await h.events.wait('mapping.batch.succeeded');
    const policy = await h.engine.iam.getRolePolicy('fn-role', 'stream-read');
    await h.engine.iam.deleteRolePolicy('fn-role', 'stream-read');
    h.log.put({ partitionKey: 'k', data: '2' });
    const failed = await h.events.wait('mapping.batch.failed');
    expect(failed.message).toMatch(
      /Cannot access stream .*fn-role is not authorized to perform: kinesis:GetRecords/,
    );
    expect(h.invoker.batches).toHaveLength(1);
    expect((await h.engine.mappings.get(uuid)).lastProcessingResult).toMatch(
      /^PROBLEM: Insufficient permissions/,
    );

    await h.engine.iam.putRolePolicy('fn-role', 'stream-read', policy.policyDocument);
    h.clock.advance(failed.delayMs);
    await h.events.wait('mapping.batch.succeeded', () => true, 2);
    expect(h.invoker.batches).toHaveLength(2);
  });

  it('checks iam:PassRole on the mapping role when the engine has a caller identity', async () => {
    const h = await pullHarness('memory', {
      engine: {
        callerIdentity: {
          policies: [
            {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Action: 'iam:PassRole',
                  Resource: 'arn:aws:iam::000000000000:role/passable',
                },
              ],
            },
          ],
        },
      },
    });
    const read = { read: streamReadPolicy(h.log.arn) };
    const passable = await ensureRole(h.engine, 'passable', read);
    const secret = await ensureRole(h.engine, 'secret', read);
    const base = { functionName: 'fn', eventSourceArn: h.log.arn, startingPosition: 'TRIM_HORIZON' as const };
    await expectCode(
      h.engine.mappings.create({ ...base, role: secret }),
      'AccessDeniedException',
      /arn:aws:iam::000000000000:user\/caller is not authorized to perform: iam:PassRole on resource: .*role\/secret/,
    );
    const { uuid } = await h.engine.mappings.create({ ...base, role: passable });
    await expectCode(
      h.engine.mappings.update(uuid, { role: secret }),
      'AccessDeniedException',
      /iam:PassRole/,
    );
    await expectCode(
      h.engine.iam.deleteRole('passable'),
      'DeleteConflict',
      new RegExp(`event-source-mapping:${uuid}`),
    );
  });
});
