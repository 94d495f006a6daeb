import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import {
  EXECUTION_LOGS_POLICY,
  INVOKE_ACCESS_POLICY,
  LAMBDA_TRUST_POLICY,
  S3_INVOCATION_TRUST_POLICY,
  s3InvocationTrustPolicy,
} from '../../src/iam/seed-policies.js';
import { ManualClock } from '../../src/index.js';
import { nextEvent, openEngine } from '../helpers/engines.js';
import { expectCode } from '../helpers/errors.js';
import { createFixture } from '../helpers/functions.js';
import { allowS3, ensureRole } from '../helpers/iam.js';

const V = '2012-10-17';
const fnArn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

/** An execution role that may read `photos/*`, write only `photos/thumbnails/*`, and log. */
async function thumbnailRole(engine: Awaited<ReturnType<typeof openEngine>>): Promise<string> {
  return ensureRole(engine, 'thumbs-role', {
    logs: EXECUTION_LOGS_POLICY,
    s3: {
      Version: V,
      Statement: [
        { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::photos/*' },
        { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::photos/thumbnails/*' },
      ],
    },
  });
}

describe('execution role enforcement through lambdalite/sdk', () => {
  it('lets an S3-triggered function write thumbnails/* and denies it anywhere else', async () => {
    const engine = await openEngine('memory');
    const role = await thumbnailRole(engine);
    await engine.buckets.create('photos');
    await createFixture(engine, 'thumbs', 'sdk.thumbnail', { role });
    await createFixture(engine, 'caller', 'sdk.call', { role });
    await allowS3(engine, 'thumbs', 'photos');
    await engine.buckets.putNotificationConfiguration('photos', {
      lambdaFunctionConfigurations: [
        { functionArn: fnArn('thumbs'), events: ['s3:ObjectCreated:*'], filter: { prefix: 'uploads/' } },
      ],
    });
    const done = nextEvent(engine, 'async.succeeded', (e) => e.functionName === 'thumbs');
    await engine.buckets.putObject('photos', 'uploads/cat.jpg', 'meow');
    await done;
    const thumb = await engine.buckets.getObject('photos', 'thumbnails/uploads/cat.jpg');
    expect(thumb.body.toString()).toBe('thumb:meow');

    const denied = await engine.functions.invoke('caller', {
      service: 'buckets',
      method: 'putObject',
      args: ['photos', 'elsewhere/cat.jpg', 'x'],
    });
    expect(denied.payload).toMatchObject({ ok: false, name: 'AccessDenied', code: 'AccessDenied' });
    expect((denied.payload as { message: string }).message).toBe(
      'User: arn:aws:sts::000000000000:assumed-role/thumbs-role/caller is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::photos/elsewhere/cat.jpg because no identity-based policy allows the s3:PutObject action',
    );
    await expectCode(engine.buckets.headObject('photos', 'elsewhere/cat.jpg'), 'NoSuchKey');
  });

  it('names AccessDeniedException for other services and passes engine errors through with their code', async () => {
    const engine = await openEngine('memory');
    const role = await thumbnailRole(engine);
    await createFixture(engine, 'caller', 'sdk.call', { role });
    const put = await engine.functions.invoke('caller', {
      service: 'streams',
      method: 'putRecord',
      args: ['events', { partitionKey: 'k', data: 'x' }],
    });
    expect(put.payload).toMatchObject({ ok: false, code: 'AccessDeniedException' });
    expect((put.payload as { message: string }).message).toMatch(
      /assumed-role\/thumbs-role\/caller is not authorized to perform: kinesis:PutRecord on resource: arn:aws:kinesis:us-east-1:000000000000:stream\/events/,
    );
    const missing = await engine.functions.invoke('caller', {
      service: 'buckets',
      method: 'getObject',
      args: ['photos', 'absent.jpg'],
    });
    expect(missing.payload).toMatchObject({ ok: false, name: 'NoSuchBucket', code: 'NoSuchBucket' });
  });

  it('writes a table and invokes another function when the role allows exactly that', async () => {
    const engine = await openEngine('memory');
    const { arn: tableArn } = await engine.tables.create('orders', { partitionKey: 'id' });
    const role = await ensureRole(engine, 'orders-writer', {
      logs: EXECUTION_LOGS_POLICY,
      work: {
        Version: V,
        Statement: [
          { Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: tableArn },
          { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: fnArn('echo') },
        ],
      },
    });
    await createFixture(engine, 'caller', 'sdk.call', { role });
    await createFixture(engine, 'echo', 'styles.promiseHandler');
    const call = async (service: string, method: string, args: unknown[]) =>
      (await engine.functions.invoke('caller', { service, method, args })).payload;
    expect(await call('tables', 'putItem', ['orders', { id: 'o-1', total: 3 }])).toEqual({
      ok: true,
      result: null,
    });
    expect(await engine.tables.getItem('orders', { id: 'o-1' })).toEqual({ id: 'o-1', total: 3 });
    expect(await call('tables', 'getItem', ['orders', { id: 'o-1' }])).toMatchObject({
      ok: false,
      code: 'AccessDeniedException',
    });
    const invoked = (await call('functions', 'invoke', ['echo', { hi: 1 }])) as {
      ok: boolean;
      result: unknown;
    };
    expect(invoked).toMatchObject({ ok: true, result: { statusCode: 200 } });
    expect(await call('functions', 'invoke', ['caller', {}])).toMatchObject({
      ok: false,
      code: 'AccessDeniedException',
    });
  });

  it('resolves lambdalite/sdk from require() and from an uploaded zip without node_modules', async () => {
    const engine = await openEngine('memory');
    const role = await ensureRole(engine, 'writer', {
      s3: { Version: V, Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::box/*' }] },
    });
    await engine.buckets.create('box');
    await createFixture(engine, 'cjs', 'sdk-require.handler', { role });
    const viaRequire = await engine.functions.invoke('cjs', { bucket: 'box', key: 'a.txt' });
    expect(viaRequire.payload).toBe('from require');

    const source = `import { buckets } from 'lambdalite/sdk';
export const handler = async () => (await buckets.getObject('box', 'a.txt')).body.toString();`;
    const zipFile = zipSync({ 'index.mjs': new TextEncoder().encode(source) });
    await engine.functions.create({ name: 'zipped', handler: 'index.handler', code: { zipFile }, role });
    expect((await engine.functions.invoke('zipped', {})).payload).toBe('from require');
  });

  it('drops the logs of a function whose role lacks the logs actions, and says so once per container', async () => {
    const engine = await openEngine('memory');
    const role = await ensureRole(engine, 'silent');
    await createFixture(engine, 'quiet', 'styles.promiseHandler', { role });
    const logs: string[] = [];
    const sub = engine.events$.subscribe((e) => {
      if (e.type === 'function.log' && e.functionName === 'quiet') logs.push(e.line);
    });
    const denied = nextEvent(engine, 'function.logs.denied', (e) => e.functionName === 'quiet');
    await engine.functions.invoke('quiet', {});
    expect((await denied).message).toMatch(
      /silent is not authorized to perform: logs:CreateLogGroup on resource: arn:aws:logs:us-east-1:000000000000:log-group:\/aws\/lambda\/quiet:\*/,
    );
    sub.unsubscribe();
    expect(logs).toEqual([]);
  });
});

describe('bucket notification invocation checks', () => {
  const config = (invocationRole?: string) => ({
    lambdaFunctionConfigurations: [
      {
        functionArn: fnArn('f'),
        events: ['s3:ObjectCreated:*'],
        ...(invocationRole ? { invocationRole } : {}),
      },
    ],
  });

  it('accepts the seed invocation role and refuses one that does not trust s3 or names another bucket', async () => {
    const engine = await openEngine('memory');
    await createFixture(engine, 'f', 'styles.promiseHandler');
    await engine.buckets.create('photos');
    const seed = await ensureRole(
      engine,
      'seed-invoke',
      { invoke: INVOKE_ACCESS_POLICY },
      S3_INVOCATION_TRUST_POLICY,
    );
    await engine.buckets.putNotificationConfiguration('photos', config(seed));
    const narrow = await ensureRole(
      engine,
      'photos-invoke',
      { invoke: INVOKE_ACCESS_POLICY },
      s3InvocationTrustPolicy('photos'),
    );
    await engine.buckets.putNotificationConfiguration('photos', config(narrow));

    const other = await ensureRole(
      engine,
      'other-invoke',
      { invoke: INVOKE_ACCESS_POLICY },
      s3InvocationTrustPolicy('other'),
    );
    await expectCode(
      engine.buckets.putNotificationConfiguration('photos', config(other)),
      'InvalidArgument',
      /Unable to validate the following destination configurations.*other-invoke.*sts:ExternalId arn:aws:s3:::photos/,
    );
    const lambdaTrust = await ensureRole(
      engine,
      'lambda-trust',
      { invoke: INVOKE_ACCESS_POLICY },
      LAMBDA_TRUST_POLICY,
    );
    await expectCode(
      engine.buckets.putNotificationConfiguration('photos', config(lambdaTrust)),
      'InvalidArgument',
      /Unable to validate.*lambda-trust.*does not let s3.amazonaws.com/,
    );
    const noInvoke = await ensureRole(engine, 'no-invoke', {}, S3_INVOCATION_TRUST_POLICY);
    await expectCode(
      engine.buckets.putNotificationConfiguration('photos', config(noInvoke)),
      'InvalidArgument',
      /no-invoke is not authorized to perform: lambda:InvokeAsync or lambda:InvokeFunction/,
    );
    // The refused calls left the accepted configuration in place.
    const kept = await engine.buckets.getNotificationConfiguration('photos');
    expect(kept.lambdaFunctionConfigurations[0]?.invocationRole).toBe(narrow);
  });

  it('refuses a configuration without invocation role unless the function policy allows S3 for that bucket', async () => {
    const engine = await openEngine('memory');
    await createFixture(engine, 'f', 'styles.promiseHandler');
    await engine.buckets.create('photos');
    await expectCode(
      engine.buckets.putNotificationConfiguration('photos', config()),
      'InvalidArgument',
      /Unable to validate the following destination configurations.*resource policy/,
    );
    await allowS3(engine, 'f', 'another-bucket');
    await expectCode(engine.buckets.putNotificationConfiguration('photos', config()), 'InvalidArgument');
    await allowS3(engine, 'f', 'photos');
    await engine.buckets.putNotificationConfiguration('photos', config());
  });

  it('stops delivering once the permission is revoked: the event is retried, then dead-lettered', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const engine = await openEngine('memory', { clock });
    await createFixture(engine, 'f', 'styles.promiseHandler');
    await engine.buckets.create('photos');
    await allowS3(engine, 'f', 'photos');
    await engine.buckets.putNotificationConfiguration('photos', config());
    const first = nextEvent(engine, 'async.succeeded', (e) => e.functionName === 'f');
    await engine.buckets.putObject('photos', 'a.jpg', 'x');
    await first;

    await engine.functions.removePermission('f', 's3-photos');
    const failed = nextEvent(engine, 'async.failed', (e) => e.functionName === 'f');
    const denials: number[] = [];
    const sub = engine.events$.subscribe((e) => {
      if (e.type === 'async.attempt' && e.outcome === 'access-denied') denials.push(e.attempt);
      if (e.type === 'async.retry-scheduled') queueMicrotask(() => clock.advance(e.delayMs));
    });
    const invoked: string[] = [];
    const sub2 = engine.events$.subscribe((e) => {
      if (e.type === 'function.invocation.started') invoked.push(e.requestId);
    });
    await engine.buckets.putObject('photos', 'b.jpg', 'x');
    expect(await failed).toMatchObject({
      condition: 'RetriesExhausted',
      attempts: 3,
      destination: 'dead-letter',
    });
    sub.unsubscribe();
    sub2.unsubscribe();
    expect(denials).toEqual([1, 2, 3]);
    expect(invoked).toEqual([]);
    const [letter] = await engine.functions.deadLetters('f');
    expect(letter?.lastError).toMatch(
      /AccessDeniedException: the resource policy of .*function:f does not allow s3.amazonaws.com/,
    );
  });
});

describe('iam:PassRole and the engine caller', () => {
  it('checks PassRole on create and update, and lambda:InvokeFunction on direct invokes, when a caller identity is set', async () => {
    const engine = await openEngine('memory', {
      callerIdentity: {
        policies: {
          deploy: {
            Version: V,
            Statement: [
              { Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::000000000000:role/allowed' },
              { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: fnArn('open') },
            ],
          },
        },
      },
    });
    const allowed = await ensureRole(engine, 'allowed', { logs: EXECUTION_LOGS_POLICY });
    const other = await ensureRole(engine, 'other');
    await expectCode(
      createFixture(engine, 'nope', 'styles.promiseHandler', { role: other }),
      'AccessDeniedException',
      /not authorized to perform: iam:PassRole on resource: arn:aws:iam::000000000000:role\/other/,
    );
    await createFixture(engine, 'open', 'styles.promiseHandler', { role: allowed });
    await createFixture(engine, 'closed', 'styles.promiseHandler', { role: allowed });
    await expectCode(
      engine.functions.update('open', { role: other }),
      'AccessDeniedException',
      /iam:PassRole/,
    );
    expect((await engine.functions.invoke('open', {})).statusCode).toBe(200);
    await expectCode(
      engine.functions.invoke('closed', {}),
      'AccessDeniedException',
      /not authorized to perform: lambda:InvokeFunction on resource: .*function:closed/,
    );
  });

  it('refuses to delete a role while a function uses it', async () => {
    const engine = await openEngine('memory');
    const role = await ensureRole(engine, 'in-use');
    await createFixture(engine, 'user', 'styles.promiseHandler', { role });
    await expectCode(engine.iam.deleteRole('in-use'), 'DeleteConflict', /function:user/);
    await engine.functions.delete('user');
    await engine.iam.deleteRole('in-use');
  });
});
