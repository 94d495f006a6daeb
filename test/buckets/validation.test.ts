import { describe, expect, it } from 'vitest';
import { bucketNameProblem } from '../../src/buckets/validate.js';
import { createEngine } from '../../src/index.js';
import { openEngine, tempDir } from '../helpers/engines.js';
import { expectCode } from '../helpers/errors.js';
import { createFixture } from '../helpers/functions.js';
import { allowS3 } from '../helpers/iam.js';
import { dumpStore } from './helpers.js';

describe('bucket names', () => {
  it.each([
    ['ab', /3 to 63/],
    ['a'.repeat(64), /3 to 63/],
    ['My-bucket', /lowercase/],
    ['under_score', /lowercase/],
    ['-start', /begin and end/],
    ['end-', /begin and end/],
    ['.dot', /begin and end/],
    ['two..dots', /adjacent periods/],
    ['192.168.5.4', /IP address/],
    ['xn--bucket', /prefix 'xn--'/],
    ['sthree-bucket', /prefix 'sthree-'/],
    ['sthree-configurator', /prefix 'sthree-'/],
    ['amzn-s3-demo-bucket', /prefix 'amzn-s3-demo-'/],
    ['bucket-s3alias', /suffix '-s3alias'/],
    ['bucket--ol-s3', /suffix '--ol-s3'/],
    ['bucket.mrap', /suffix '.mrap'/],
    ['bucket--x-s3', /suffix '--x-s3'/],
  ])('refuses %s, naming the rule', async (name, rule) => {
    const engine = await openEngine();
    await expectCode(engine.buckets.create(name), 'InvalidBucketName', rule);
    await expectCode(engine.buckets.create(name), 'InvalidBucketName', name.slice(0, 10));
  });

  it.each(['abc', 'a'.repeat(63), 'my.bucket-1', '1bucket', '192.168.5.a'])('accepts %s', (name) => {
    expect(bucketNameProblem(name)).toBeUndefined();
  });
});

describe('keys, metadata and bucket state', () => {
  it('refuses a key over 1024 UTF-8 bytes with KeyTooLongError, counting bytes not characters', async () => {
    const engine = await openEngine();
    await engine.buckets.create('keys');
    await engine.buckets.putObject('keys', 'a'.repeat(1024), 'ok');
    await engine.buckets.putObject('keys', 'é'.repeat(512), 'ok');
    await expectCode(
      engine.buckets.putObject('keys', 'a'.repeat(1025), 'x'),
      'KeyTooLongError',
      /1025 UTF-8 bytes/,
    );
    await expectCode(engine.buckets.putObject('keys', 'é'.repeat(513), 'x'), 'KeyTooLongError', /1026/);
    await expectCode(engine.buckets.getObject('keys', 'a'.repeat(1025)), 'KeyTooLongError');
  });

  it('refuses an empty key and a key that is not valid UTF-8 with InvalidArgument', async () => {
    const engine = await openEngine();
    await engine.buckets.create('keys');
    await expectCode(engine.buckets.putObject('keys', '', 'x'), 'InvalidArgument', /1 to 1024/);
    await expectCode(
      engine.buckets.putObject('keys', 'bad\uD800', 'x'),
      'InvalidArgument',
      /not valid UTF-8/,
    );
  });

  it('refuses more than 2 KB of user metadata with MetadataTooLarge', async () => {
    const engine = await openEngine();
    await engine.buckets.create('meta');
    await engine.buckets.putObject('meta', 'fits', 'x', { metadata: { k: 'v'.repeat(2047) } });
    await expectCode(
      engine.buckets.putObject('meta', 'big', 'x', { metadata: { k: 'v'.repeat(2048) } }),
      'MetadataTooLarge',
      /2049 bytes/,
    );
  });

  it('answers NoSuchBucket, NoSuchKey, BucketAlreadyOwnedByYou and BucketNotEmpty', async () => {
    const engine = await openEngine();
    await expectCode(engine.buckets.putObject('nope', 'k', 'x'), 'NoSuchBucket', /nope/);
    await expectCode(engine.buckets.listObjects('nope'), 'NoSuchBucket', /nope/);
    await expectCode(engine.buckets.delete('nope'), 'NoSuchBucket', /nope/);
    await engine.buckets.create('here');
    await expectCode(engine.buckets.create('here'), 'BucketAlreadyOwnedByYou', /here/);
    await expectCode(engine.buckets.getObject('here', 'missing'), 'NoSuchKey', /missing/);
    await expectCode(engine.buckets.headObject('here', 'missing'), 'NoSuchKey', /missing/);
    await expectCode(engine.buckets.copyObject('here', 'missing', 'here', 'x'), 'NoSuchKey', /missing/);
    await engine.buckets.putObject('here', 'k', 'x');
    await expectCode(engine.buckets.delete('here'), 'BucketNotEmpty', /here/);
    await engine.buckets.deleteObject('here', 'k');
    await engine.buckets.delete('here');
    expect(await engine.buckets.list()).toEqual([]);
  });

  it('refuses bad options naming them', async () => {
    const engine = await openEngine();
    await engine.buckets.create('opts');
    await expectCode(
      engine.buckets.putObject('opts', 'k', 'x', { contentType: '' }),
      'InvalidArgument',
      /contentType/,
    );
    await expectCode(
      engine.buckets.putObject('opts', 'k', 'x', { metadata: { a: 1 as unknown as string } }),
      'InvalidArgument',
      /metadata\.a/,
    );
    await expectCode(
      engine.buckets.putObject('opts', 'k', 42 as unknown as string),
      'InvalidArgument',
      /body/,
    );
    await expectCode(engine.buckets.listObjects('opts', { maxKeys: -1 }), 'InvalidArgument', /maxKeys/);
  });

  it('refuses every call after close with EngineClosed', async () => {
    const engine = await openEngine();
    await engine.buckets.create('closing');
    await engine.close();
    await expectCode(engine.buckets.putObject('closing', 'k', 'x'), 'EngineClosed');
    await expectCode(engine.buckets.list(), 'EngineClosed');
    await expectCode(engine.buckets.listObjects('closing'), 'EngineClosed');
  });

  it('leaves the store byte-for-byte unchanged after every rejected call', async () => {
    const location = await tempDir();
    const engine = await createEngine({ location });
    await createFixture(engine, 'fn', 'styles.promiseHandler');
    await allowS3(engine, 'fn', 'kept');
    await engine.buckets.create('kept');
    await engine.buckets.putObject('kept', 'k', 'body', { metadata: { a: 'b' } });
    await engine.buckets.putObject('kept', 'large', Buffer.alloc(2 * 1024 * 1024, 1));
    await engine.buckets.putNotificationConfiguration('kept', {
      lambdaFunctionConfigurations: [
        { id: 'one', functionArn: engineFn(engine), events: ['s3:ObjectCreated:*'] },
      ],
    });
    await engine.close();
    const before = await dumpStore(location);
    const again = await createEngine({ location });
    const b = again.buckets;
    const rejected = [
      () => b.create('Bad_Name'),
      () => b.create('kept'),
      () => b.putObject('kept', 'a'.repeat(1025), 'x'),
      () => b.putObject('kept', 'k', 'x', { metadata: { k: 'v'.repeat(3000) } }),
      () => b.putObject('missing', 'k', 'x'),
      () => b.putObject('kept', 'large', 'x', { metadata: { k: 'v'.repeat(3000) } }),
      () => b.delete('Bad_Name'),
      () => b.delete('kept'),
      () => b.copyObject('kept', 'absent', 'kept', 'k2'),
      () => b.copyObject('kept', 'k', 'missing', 'k2'),
      () =>
        b.putNotificationConfiguration('kept', {
          lambdaFunctionConfigurations: [{ functionArn: engineFn(again), events: ['s3:Nope'] }],
        }),
    ];
    for (const call of rejected) await expect(call()).rejects.toThrow();
    await again.close();
    expect(await dumpStore(location)).toEqual(before);
  });
});

function engineFn(engine: { region: string; accountId: string }): string {
  return `arn:aws:lambda:${engine.region}:${engine.accountId}:function:fn`;
}
