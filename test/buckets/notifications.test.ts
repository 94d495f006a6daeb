import { describe, expect, it } from 'vitest';
import { Buckets } from '../../src/buckets/buckets.js';
import type { NotificationConfigurationInput } from '../../src/buckets/notification-config.js';
import type { NotificationDelivery, NotificationSink } from '../../src/buckets/notification-sink.js';
import { ManualClock } from '../../src/clock.js';
import { createContext, Lifecycle, resolveOptions } from '../../src/context.js';
import { ALLOWED } from '../../src/errors.js';
import { EventHub } from '../../src/events.js';
import { type BatchOp, putOp, Storage, type Sub } from '../../src/storage/storage.js';
import { collect, openEngine, STORAGE_KINDS, type StorageKind, tempDir } from '../helpers/engines.js';
import { expectCode } from '../helpers/errors.js';
import { createFixture } from '../helpers/functions.js';
import { openEngineWith } from '../helpers/harness.js';
import { allowS3 } from '../helpers/iam.js';

const fn = (name: string, region = 'us-east-1', account = '000000000000'): string =>
  `arn:aws:lambda:${region}:${account}:function:${name}`;

/** A push-queue stand-in: writes one entry per delivery into its own sublevel, in the object's batch. */
class RecordingSink implements NotificationSink {
  readonly committedBatches: NotificationDelivery[][] = [];
  failNext = false;
  #n = 0;
  constructor(readonly queue: Sub<NotificationDelivery>) {}
  deliveryOps(deliveries: readonly NotificationDelivery[]): BatchOp[] {
    const ops = deliveries.map((d) => putOp(this.queue, String(this.#n++).padStart(6, '0'), d));
    if (this.failNext) {
      this.failNext = false;
      // An operation LevelDB refuses: the whole batch, object included, must fail.
      ops.push({ type: 'put', sublevel: this.queue as Sub<unknown>, key: 'bad', value: undefined });
    }
    return ops;
  }
  committed(deliveries: readonly NotificationDelivery[]): void {
    this.committedBatches.push([...deliveries]);
  }
}

async function bucketsWithSink(kind: StorageKind) {
  const storage = await Storage.open(kind === 'disk' ? await tempDir() : undefined);
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const lifecycle = new Lifecycle();
  const ctx = createContext(resolveOptions({ clock }), storage, new EventHub(clock), lifecycle);
  lifecycle.onClose(() => storage.close());
  const sink = new RecordingSink(storage.sublevel<NotificationDelivery>('test-queue'));
  const buckets = new Buckets(ctx, { sink });
  lifecycle.markOpen();
  return { buckets, sink, storage, close: () => lifecycle.close() };
}

describe.each(STORAGE_KINDS)('notification deliveries (%s)', (kind) => {
  it('writes a delivery for the configuration an event matches, stamped with its id, in the object batch', async () => {
    const { buckets, sink, close } = await bucketsWithSink(kind);
    await buckets.create('photos');
    await buckets.putNotificationConfiguration('photos', {
      lambdaFunctionConfigurations: [
        {
          id: 'jpgs',
          functionArn: fn('thumbs'),
          events: ['s3:ObjectCreated:*'],
          filter: { prefix: 'img/', suffix: '.jpg' },
        },
        {
          id: 'gone',
          functionArn: fn('audit'),
          events: ['s3:ObjectRemoved:Delete'],
          invocationRole: 'arn:aws:iam::000000000000:role/s3-invoke',
        },
        {
          id: 'copies',
          functionArn: fn('audit'),
          events: ['s3:ObjectCreated:Copy'],
          filter: { prefix: 'backup/' },
        },
      ],
    });
    await buckets.putObject('photos', 'img/cat.jpg', 'x');
    await buckets.putObject('photos', 'img/cat.png', 'x');
    await buckets.putObject('photos', 'doc/cat.jpg', 'x');
    await buckets.copyObject('photos', 'img/cat.jpg', 'photos', 'backup/cat.jpg');
    await buckets.deleteObject('photos', 'img/cat.png');
    const queued = await sink.queue.values().all();
    expect(
      queued.map((d) => [d.record.s3.configurationId, d.record.eventName, d.record.s3.object.key]),
    ).toEqual([
      ['jpgs', 'ObjectCreated:Put', 'img/cat.jpg'],
      ['copies', 'ObjectCreated:Copy', 'backup/cat.jpg'],
      ['gone', 'ObjectRemoved:Delete', 'img/cat.png'],
    ]);
    expect(queued[0]).toMatchObject({ functionArn: fn('thumbs'), bucket: 'photos' });
    expect(queued[2]?.invocationRole).toBe('arn:aws:iam::000000000000:role/s3-invoke');
    expect(sink.committedBatches.map((b) => b.length)).toEqual([1, 1, 1]);
    await close();
  });

  it('keeps neither the object nor its delivery, and emits nothing, when the batch fails', async () => {
    const { buckets, sink, close } = await bucketsWithSink(kind);
    await buckets.create('atomic');
    await buckets.putNotificationConfiguration('atomic', {
      lambdaFunctionConfigurations: [{ functionArn: fn('f'), events: ['s3:ObjectCreated:Put'] }],
    });
    const seen: string[] = [];
    buckets.events$.subscribe((r) => seen.push(r.s3.object.key));
    sink.failNext = true;
    await expect(buckets.putObject('atomic', 'lost', 'x')).rejects.toThrow();
    await expectCode(buckets.getObject('atomic', 'lost'), 'NoSuchKey');
    expect(await sink.queue.keys().all()).toEqual([]);
    expect(sink.committedBatches).toEqual([]);
    expect(seen).toEqual([]);
    await buckets.putObject('atomic', 'kept', 'x');
    expect(seen).toEqual(['kept']);
    await close();
  });

  it('matches filters against the raw key, so a key with spaces and unicode still matches', async () => {
    const { buckets, sink, close } = await bucketsWithSink(kind);
    await buckets.create('raw');
    await buckets.putNotificationConfiguration('raw', {
      lambdaFunctionConfigurations: [
        {
          functionArn: fn('f'),
          events: ['s3:ObjectCreated:Put'],
          filter: { key: { filterRules: [{ name: 'Prefix', value: 'my photos/' }] } },
        },
      ],
    });
    await buckets.putObject('raw', 'my photos/été.jpg', 'x');
    const [delivery] = await sink.queue.values().all();
    expect(delivery?.record.s3.object.key).toBe('my+photos/%C3%A9t%C3%A9.jpg');
    await close();
  });
});

describe('notification configuration validation', () => {
  // These cases check the configuration rules alone; by default every function "exists" and S3
  // may invoke it (IAM checks of destinations: test/iam/enforcement.test.ts).
  const put = async (
    config: NotificationConfigurationInput,
    exists: (arn: string) => boolean = () => true,
  ) => {
    const engine = await openEngineWith(
      'memory',
      {},
      { bucketFunctions: { exists: async (arn) => exists(arn) }, deliveryCheck: async () => ALLOWED },
    );
    await engine.buckets.create('cfg');
    await engine.buckets.putNotificationConfiguration('cfg', config);
    return engine.buckets.getNotificationConfiguration('cfg');
  };
  const one = (events: string[], filter?: { prefix?: string; suffix?: string }, id?: string) => ({
    id,
    functionArn: fn('f'),
    events,
    filter,
  });

  it('stores the whole configuration, generates unique ids, and an empty list removes it', async () => {
    const engine = await openEngine('memory');
    await createFixture(engine, 'f', 'styles.promiseHandler');
    await allowS3(engine, 'f', 'cfg');
    await engine.buckets.create('cfg');
    await engine.buckets.putNotificationConfiguration('cfg', {
      lambdaFunctionConfigurations: [
        one(['s3:ObjectCreated:*'], { suffix: '.jpg' }),
        one(['s3:ObjectCreated:*'], { suffix: '.png' }),
      ],
    });
    const got = await engine.buckets.getNotificationConfiguration('cfg');
    const ids = got.lambdaFunctionConfigurations.map((c) => c.id);
    expect(new Set(ids).size).toBe(2);
    expect(got.lambdaFunctionConfigurations[0]).toEqual({
      id: ids[0],
      functionArn: fn('f'),
      events: ['s3:ObjectCreated:*'],
      filter: { suffix: '.jpg' },
    });
    await engine.buckets.putNotificationConfiguration('cfg', { lambdaFunctionConfigurations: [] });
    expect(await engine.buckets.getNotificationConfiguration('cfg')).toEqual({
      lambdaFunctionConfigurations: [],
    });
    await expectCode(engine.buckets.getNotificationConfiguration('absent'), 'NoSuchBucket');
  });

  it.each([
    ['ObjectCreated:*', /not supported/],
    ['s3:ObjectCreated:Pu*', /not supported/],
    ['s3:*', /not supported/],
    ['s3:ObjectCreated:Nope', /not supported/],
    ['s3:ObjectRemoved:*:x', /not supported/],
  ])('refuses the event name %s', async (name, text) => {
    await expectCode(put({ lambdaFunctionConfigurations: [one([name])] }), 'InvalidArgument', text);
  });

  it('accepts every family wildcard and single event type', async () => {
    const names = [
      's3:ObjectCreated:*',
      's3:ObjectRemoved:*',
      's3:ObjectRestore:*',
      's3:ReducedRedundancyLostObject',
      's3:Replication:*',
    ];
    const got = await put({ lambdaFunctionConfigurations: [one(names)] });
    expect(got.lambdaFunctionConfigurations[0]?.events).toEqual(names);
  });

  it.each([
    [[one(['s3:ObjectCreated:*']), one(['s3:ObjectCreated:Put'])], 'same events, no filters'],
    [
      [one(['s3:ObjectCreated:*'], { prefix: 'a/' }), one(['s3:ObjectCreated:Put'], { prefix: 'a/b' })],
      'nested prefixes',
    ],
    [
      [one(['s3:ObjectCreated:*'], { suffix: '.jpg' }), one(['s3:ObjectCreated:Put'], { suffix: 'jpg' })],
      'nested suffixes',
    ],
    [
      [one(['s3:ObjectCreated:*'], { prefix: 'a/' }), one(['s3:ObjectCreated:Put'], { suffix: '.jpg' })],
      'prefix vs suffix',
    ],
  ])('refuses overlapping configurations (%#: %s)', async (configs) => {
    await expectCode(
      put({ lambdaFunctionConfigurations: configs }),
      'InvalidArgument',
      /Configurations overlap/,
    );
  });

  it.each([
    [
      [one(['s3:ObjectCreated:*'], { prefix: 'a/' }), one(['s3:ObjectCreated:*'], { prefix: 'b/' })],
      'disjoint prefixes',
    ],
    [
      [one(['s3:ObjectCreated:*'], { suffix: '.png' }), one(['s3:ObjectCreated:*'], { suffix: '.jpg' })],
      'disjoint suffixes',
    ],
    [[one(['s3:ObjectCreated:*']), one(['s3:ObjectRemoved:*'])], 'disjoint event types, same filter'],
  ])('accepts non-overlapping configurations (%#: %s)', async (configs) => {
    expect((await put({ lambdaFunctionConfigurations: configs })).lambdaFunctionConfigurations).toHaveLength(
      2,
    );
  });

  it('refuses duplicate ids, bad filter rules and bad invocation roles', async () => {
    const dup = [
      one(['s3:ObjectCreated:*'], { prefix: 'a' }, 'x'),
      one(['s3:ObjectRemoved:*'], undefined, 'x'),
    ];
    await expectCode(put({ lambdaFunctionConfigurations: dup }), 'InvalidArgument', /not unique/);
    const rule = {
      functionArn: fn('f'),
      events: ['s3:ObjectCreated:*'],
      filter: { key: { filterRules: [{ name: 'middle', value: 'x' }] } },
    };
    await expectCode(put({ lambdaFunctionConfigurations: [rule] }), 'InvalidArgument', /prefix or suffix/);
    const twice = {
      functionArn: fn('f'),
      events: ['s3:ObjectCreated:*'],
      filter: { prefix: 'a', key: { filterRules: [{ name: 'prefix', value: 'b' }] } },
    };
    await expectCode(
      put({ lambdaFunctionConfigurations: [twice] }),
      'InvalidArgument',
      /more than one prefix/,
    );
    const role = { functionArn: fn('f'), events: ['s3:ObjectCreated:*'], invocationRole: 'not-a-role' };
    await expectCode(put({ lambdaFunctionConfigurations: [role] }), 'InvalidArgument', /invocationRole/);
  });

  it('refuses a function ARN of another region, another account, or another service', async () => {
    const at = (functionArn: string) => ({
      lambdaFunctionConfigurations: [{ functionArn, events: ['s3:ObjectCreated:*'] }],
    });
    await expectCode(put(at(fn('f', 'eu-west-1'))), 'InvalidArgument', /region eu-west-1.*us-east-1/);
    await expectCode(
      put(at(fn('f', 'us-east-1', '111111111111'))),
      'InvalidArgument',
      /account 111111111111/,
    );
    await expectCode(
      put(at('arn:aws:sqs:us-east-1:000000000000:queue')),
      'InvalidArgument',
      /Lambda function ARN/,
    );
  });

  it('refuses an unknown function when a function directory is attached', async () => {
    const known = (arn: string) => arn === fn('known');
    await expectCode(
      put(
        { lambdaFunctionConfigurations: [{ functionArn: fn('ghost'), events: ['s3:ObjectCreated:*'] }] },
        known,
      ),
      'InvalidArgument',
      /Unable to validate the following destination configurations.*ghost/,
    );
    const ok = await put(
      { lambdaFunctionConfigurations: [{ functionArn: fn('known'), events: ['s3:ObjectCreated:*'] }] },
      known,
    );
    expect(ok.lambdaFunctionConfigurations).toHaveLength(1);
  });

  it('leaves events$ records with an empty configurationId whatever matches', async () => {
    const engine = await openEngine('memory');
    await createFixture(engine, 'f', 'styles.promiseHandler');
    await allowS3(engine, 'f', 'cfg');
    await engine.buckets.create('cfg');
    await engine.buckets.putNotificationConfiguration('cfg', {
      lambdaFunctionConfigurations: [{ id: 'c', functionArn: fn('f'), events: ['s3:ObjectCreated:*'] }],
    });
    const records = collect(engine.buckets.events$, 1);
    await engine.buckets.putObject('cfg', 'k', 'x');
    expect((await records)[0]?.s3.configurationId).toBe('');
  });
});
