import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createEngine, ManualClock } from '../../src/index.js';
import { BACKEND_KINDS, collect, openEngine, tempDir } from '../helpers/engines.js';
import { createFixture } from '../helpers/functions.js';
import { allowS3 } from '../helpers/iam.js';
import { dumpStore } from './helpers.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0, 0);

describe.each(BACKEND_KINDS)('objects contract (%s)', (kind) => {
  it('round-trips a body with its ETag, size, content type, metadata and lastModified', async () => {
    const clock = new ManualClock(T0);
    const engine = await openEngine(kind, { clock });
    await engine.buckets.create('photos');
    const put = await engine.buckets.putObject('photos', 'cat.jpg', Buffer.from('meow'), {
      contentType: 'image/jpeg',
      metadata: { Owner: 'tom' },
    });
    expect(put).toEqual({ eTag: createHash('md5').update('meow').digest('hex'), size: 4 });
    const got = await engine.buckets.getObject('photos', 'cat.jpg');
    expect(got.body.toString()).toBe('meow');
    expect(got).toMatchObject({
      eTag: put.eTag,
      size: 4,
      contentType: 'image/jpeg',
      metadata: { owner: 'tom' },
    });
    expect(got.lastModified).toEqual(new Date(T0));
    const head = await engine.buckets.headObject('photos', 'cat.jpg');
    expect(head).toEqual({
      eTag: put.eTag,
      size: 4,
      lastModified: new Date(T0),
      contentType: 'image/jpeg',
      metadata: { owner: 'tom' },
    });
  });

  it("stores 'binary/octet-stream' when no content type is given, and the empty body's MD5", async () => {
    const engine = await openEngine(kind);
    await engine.buckets.create('defaults');
    const put = await engine.buckets.putObject('defaults', 'empty', new Uint8Array(0));
    expect(put).toEqual({ eTag: 'd41d8cd98f00b204e9800998ecf8427e', size: 0 });
    const got = await engine.buckets.getObject('defaults', 'empty');
    expect(got.contentType).toBe('binary/octet-stream');
    expect(got.body.length).toBe(0);
  });

  it('overwrites in place and removes the old body, so a smaller body reads back whole', async () => {
    const engine = await openEngine(kind);
    await engine.buckets.create('over');
    await engine.buckets.putObject('over', 'k', Buffer.alloc(3 * 1024 * 1024, 1));
    await engine.buckets.putObject('over', 'k', 'small');
    expect((await engine.buckets.getObject('over', 'k')).body.toString()).toBe('small');
  });

  it('round-trips a 20 MiB object byte for byte', async () => {
    const engine = await openEngine(kind);
    await engine.buckets.create('big');
    const body = Buffer.alloc(20 * 1024 * 1024 + 7);
    for (let i = 0; i < body.length; i += 4096) body[i] = (i / 4096) & 0xff;
    const put = await engine.buckets.putObject('big', 'blob', body);
    expect(put.size).toBe(body.length);
    const got = await engine.buckets.getObject('big', 'blob');
    expect(got.body.equals(body)).toBe(true);
    expect(got.eTag).toBe(createHash('md5').update(body).digest('hex'));
  });

  it('copies body, content type and metadata, and deletes idempotently', async () => {
    const engine = await openEngine(kind);
    await engine.buckets.create('src');
    await engine.buckets.create('dst');
    await engine.buckets.putObject('src', 'a', 'payload', {
      contentType: 'text/plain',
      metadata: { x: '1' },
    });
    const copied = await engine.buckets.copyObject('src', 'a', 'dst', 'b');
    const got = await engine.buckets.getObject('dst', 'b');
    expect(got.body.toString()).toBe('payload');
    expect(got).toMatchObject({ eTag: copied.eTag, contentType: 'text/plain', metadata: { x: '1' } });
    await engine.buckets.deleteObject('dst', 'b');
    await engine.buckets.deleteObject('dst', 'b');
    expect((await engine.buckets.listObjects('dst')).contents).toEqual([]);
  });

  it('lists buckets in name order with their creation dates', async () => {
    const clock = new ManualClock(T0);
    const engine = await openEngine(kind, { clock });
    await engine.buckets.create('zeta');
    clock.advance(1000);
    await engine.buckets.create('alpha');
    expect(await engine.buckets.list()).toEqual([
      { name: 'alpha', creationDate: new Date(T0 + 1000) },
      { name: 'zeta', creationDate: new Date(T0) },
    ]);
  });

  it('serialises writes to one key: the last write started is the one kept', async () => {
    const engine = await openEngine(kind);
    await engine.buckets.create('race');
    await Promise.all(Array.from({ length: 20 }, (_, i) => engine.buckets.putObject('race', 'k', `v${i}`)));
    expect((await engine.buckets.getObject('race', 'k')).body.toString()).toBe('v19');
  });

  it('never deletes a bucket that a concurrent put is filling', async () => {
    const engine = await openEngine(kind);
    await engine.buckets.create('busy');
    const put = engine.buckets.putObject('busy', 'k', 'x');
    const del = expect(engine.buckets.delete('busy')).rejects.toMatchObject({ code: 'BucketNotEmpty' });
    await put;
    await del;
    expect((await engine.buckets.list()).map((b) => b.name)).toEqual(['busy']);
  });
});

describe('bucket event records', () => {
  it('shapes ObjectCreated:Put, :Copy and ObjectRemoved:Delete as AWS documents, field order included', async () => {
    const clock = new ManualClock(T0);
    const engine = await openEngine('memory', { clock, region: 'eu-west-1', accountId: '123456789012' });
    await engine.buckets.create('shapes');
    const records = collect(engine.buckets.events$, 3);
    const put = await engine.buckets.putObject('shapes', 'HappyFace.jpg', 'smile');
    await engine.buckets.copyObject('shapes', 'HappyFace.jpg', 'shapes', 'copy.jpg');
    await engine.buckets.deleteObject('shapes', 'HappyFace.jpg');
    await engine.buckets.deleteObject('shapes', 'never-existed');
    const [created, copied, removed] = await records;
    expect(Object.keys(created ?? {})).toEqual([
      'eventVersion',
      'eventSource',
      'awsRegion',
      'eventTime',
      'eventName',
      'userIdentity',
      'requestParameters',
      'responseElements',
      's3',
    ]);
    expect(created).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'eu-west-1',
      eventTime: '2026-01-01T12:00:00.000Z',
      eventName: 'ObjectCreated:Put',
      userIdentity: { principalId: '123456789012' },
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: '',
        bucket: {
          name: 'shapes',
          ownerIdentity: { principalId: '123456789012' },
          arn: 'arn:aws:s3:::shapes',
        },
        object: { key: 'HappyFace.jpg', size: 5, eTag: put.eTag },
      },
    });
    expect(Object.keys(created?.s3 ?? {})).toEqual([
      's3SchemaVersion',
      'configurationId',
      'bucket',
      'object',
    ]);
    expect(Object.keys(created?.s3.object ?? {})).toEqual(['key', 'size', 'eTag', 'sequencer']);
    expect(created?.responseElements['x-amz-request-id']).toMatch(/^[0-9A-F]{16}$/);
    expect(created?.responseElements['x-amz-id-2'].length).toBeGreaterThan(40);
    expect(copied).toMatchObject({
      eventName: 'ObjectCreated:Copy',
      s3: { object: { key: 'copy.jpg', size: 5 } },
    });
    expect(removed?.eventName).toBe('ObjectRemoved:Delete');
    expect(Object.keys(removed?.s3.object ?? {})).toEqual(['key', 'sequencer']);
  });

  it('form-URL-encodes keys: space as +, unicode and reserved characters percent-encoded', async () => {
    const engine = await openEngine('memory');
    await engine.buckets.create('keys');
    const keys = ['red flower.jpg', 'ünï cødé/日本.txt', 'a:b=c&d+e', 'tilde~(x)!'];
    const records = collect(engine.buckets.events$, keys.length);
    for (const key of keys) await engine.buckets.putObject('keys', key, 'x');
    expect((await records).map((r) => r.s3.object.key)).toEqual([
      'red+flower.jpg',
      '%C3%BCn%C3%AF+c%C3%B8d%C3%A9/%E6%97%A5%E6%9C%AC.txt',
      'a%3Ab%3Dc%26d%2Be',
      'tilde%7E%28x%29%21',
    ]);
    expect((await records).map((r) => decodeURIComponent(r.s3.object.key.replace(/\+/g, ' ')))).toEqual(keys);
  });

  it('orders concurrent overwrites of one key: events, sequencers and the surviving version agree', async () => {
    const engine = await openEngine('memory');
    await engine.buckets.create('order');
    const records = collect(engine.buckets.events$, 10);
    await Promise.all(Array.from({ length: 10 }, (_, i) => engine.buckets.putObject('order', 'k', `v${i}`)));
    const got = await records;
    const sequencers = got.map((r) => r.s3.object.sequencer);
    expect([...sequencers].sort()).toEqual(sequencers);
    expect(got.at(-1)?.s3.object.eTag).toBe((await engine.buckets.headObject('order', 'k')).eTag);
  });

  it('increases sequencers per key across restarts even when the clock stands still', async () => {
    const location = await tempDir();
    const clock = new ManualClock(T0);
    const sequencers: string[] = [];
    for (let round = 0; round < 2; round++) {
      const engine = await createEngine({ location, clock });
      if (round === 0) await engine.buckets.create('seq');
      const records = collect(engine.buckets.events$, 3);
      await engine.buckets.putObject('seq', 'k', 'a');
      await engine.buckets.putObject('seq', 'k', 'b');
      await engine.buckets.deleteObject('seq', 'k');
      sequencers.push(...(await records).map((r) => r.s3.object.sequencer));
      await engine.close();
    }
    const sorted = [...sequencers].sort();
    expect(sorted).toEqual(sequencers);
    expect(new Set(sequencers).size).toBe(6);
    for (const s of sequencers) expect(s).toMatch(/^[0-9A-F]+$/);
  });
});

describe('persistence', () => {
  it('closes at once after opening, while buckets are still loading', async () => {
    const location = await tempDir();
    for (let i = 0; i < 3; i++) await (await createEngine({ location })).close();
  });

  it('lets calls accepted before close finish and persist, and refuses later ones', async () => {
    const location = await tempDir();
    const engine = await createEngine({ location });
    await engine.buckets.create('drain');
    const puts = Array.from({ length: 5 }, (_, i) =>
      engine.buckets.putObject('drain', `k${i}`, Buffer.alloc(2 * 1024 * 1024, i)),
    );
    const closing = engine.close();
    await expect(engine.buckets.putObject('drain', 'late', 'x')).rejects.toMatchObject({
      code: 'EngineClosed',
    });
    await Promise.all([...puts, closing]);
    const again = await createEngine({ location });
    try {
      expect((await again.buckets.listObjects('drain')).contents.map((c) => c.key)).toEqual([
        'k0',
        'k1',
        'k2',
        'k3',
        'k4',
      ]);
    } finally {
      await again.close();
    }
  });

  it('keeps buckets, objects and notification configuration across close and reopen', async () => {
    const location = await tempDir();
    const first = await createEngine({ location });
    await createFixture(first, 'f', 'styles.promiseHandler');
    await allowS3(first, 'f', 'kept');
    await first.buckets.create('kept');
    await first.buckets.putObject('kept', 'dir/a.txt', 'alpha', {
      contentType: 'text/plain',
      metadata: { m: '1' },
    });
    await first.buckets.putNotificationConfiguration('kept', {
      lambdaFunctionConfigurations: [
        {
          id: 'c1',
          functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:f',
          events: ['s3:ObjectCreated:*'],
        },
      ],
    });
    await first.close();
    const second = await createEngine({ location });
    try {
      expect((await second.buckets.list()).map((b) => b.name)).toEqual(['kept']);
      const got = await second.buckets.getObject('kept', 'dir/a.txt');
      expect(got).toMatchObject({ contentType: 'text/plain', metadata: { m: '1' }, size: 5 });
      expect(got.body.toString()).toBe('alpha');
      expect(
        (await second.buckets.getNotificationConfiguration('kept')).lambdaFunctionConfigurations[0]?.id,
      ).toBe('c1');
    } finally {
      await second.close();
    }
  });
});

describe('body storage', () => {
  it('removes the old chunks in the same write when a large object is overwritten or deleted', async () => {
    const location = await tempDir();
    const engine = await createEngine({ location });
    await engine.buckets.create('chunks');
    await engine.buckets.putObject('chunks', 'big', Buffer.alloc(3 * 1024 * 1024 + 1, 7));
    await engine.buckets.putObject('chunks', 'big', Buffer.alloc(2 * 1024 * 1024, 8));
    await engine.buckets.putObject('chunks', 'gone', Buffer.alloc(1024 * 1024 + 1, 9));
    await engine.buckets.deleteObject('chunks', 'gone');
    await engine.close();
    const chunkKeys = (await dumpStore(location)).filter((line) => line.startsWith('object-chunks:'));
    expect(chunkKeys).toHaveLength(2);
    const again = await createEngine({ location });
    try {
      await again.buckets.putObject('chunks', 'big', 'small now');
      expect((await again.buckets.getObject('chunks', 'big')).body.toString()).toBe('small now');
    } finally {
      await again.close();
    }
    expect((await dumpStore(location)).filter((line) => line.startsWith('object-chunks:'))).toEqual([]);
  });

  it('never returns a body mixed from two versions while a large object is overwritten', async () => {
    const engine = await openEngine('disk');
    await engine.buckets.create('mix');
    const versions = [1, 2, 3, 4].map((n) => Buffer.alloc(2 * 1024 * 1024 + 5, n));
    await engine.buckets.putObject('mix', 'k', versions[0] ?? '');
    const writes = versions.map((v) => engine.buckets.putObject('mix', 'k', v));
    const reads = Array.from({ length: 8 }, () => engine.buckets.getObject('mix', 'k'));
    await Promise.all(writes);
    for (const got of await Promise.all(reads)) {
      expect(createHash('md5').update(got.body).digest('hex')).toBe(got.eTag);
    }
  });

  it('refuses a put that arrives while the bucket is being deleted with NoSuchBucket', async () => {
    const engine = await openEngine('memory');
    await engine.buckets.create('doomed');
    const del = engine.buckets.delete('doomed');
    const put = expect(engine.buckets.putObject('doomed', 'k', 'x')).rejects.toMatchObject({
      code: 'NoSuchBucket',
    });
    await del;
    await put;
  });
});
