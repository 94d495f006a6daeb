/**
 * Issue 13's data, names and options defects: each call below once lost data silently, threw a
 * raw TypeError/RangeError, or hung. Each must now answer a coded error and change nothing.
 */
import { deepStrictEqual } from 'node:assert';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { openEngine, tempDir } from '../helpers/engines.js';
import { expectCode } from '../helpers/errors.js';
import { createFixture } from '../helpers/functions.js';

async function usersTable(engine: Engine): Promise<void> {
  await engine.tables.create('users', { partitionKey: 'id', streamViewType: 'NEW_IMAGE' });
}

describe('__proto__ names survive (defect 4)', () => {
  it('putItem keeps an own __proto__ attribute, top level and nested', async () => {
    const engine = await openEngine();
    await usersTable(engine);
    const item = JSON.parse('{"id":"u1","__proto__":{"admin":true},"nested":{"__proto__":"v"},"other":"x"}');
    await engine.tables.putItem('users', item);
    const got = await engine.tables.getItem('users', { id: 'u1' });
    expect(Object.keys(got ?? {})).toEqual(['id', '__proto__', 'nested', 'other']);
    expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
    // node:assert compares prototypes and own properties: what a user's deep-equality check sees.
    deepStrictEqual(got, item);
  });

  it('updateItem set keeps __proto__ attributes', async () => {
    const engine = await openEngine();
    await usersTable(engine);
    const set = JSON.parse('{"__proto__":"top","map":{"__proto__":{"deep":1}}}');
    const updated = await engine.tables.updateItem('users', { id: 'u2' }, { set });
    const expected = JSON.parse('{"id":"u2","__proto__":"top","map":{"__proto__":{"deep":1}}}');
    deepStrictEqual(updated, expected);
    deepStrictEqual(await engine.tables.getItem('users', { id: 'u2' }), expected);
  });

  it('object metadata keeps a __PROTO__ name, lower-cased', async () => {
    const engine = await openEngine();
    await engine.buckets.create('photos');
    await engine.buckets.putObject('photos', 'a.txt', 'x', { metadata: { __PROTO__: 'v', other: 'w' } });
    const { metadata } = await engine.buckets.headObject('photos', 'a.txt');
    expect(Object.hasOwn(metadata, '__proto__')).toBe(true);
    deepStrictEqual(metadata, JSON.parse('{"__proto__":"v","other":"w"}'));
  });

  it('refuses metadata names that differ only in case, and stores nothing', async () => {
    const engine = await openEngine();
    await engine.buckets.create('photos');
    await expectCode(
      engine.buckets.putObject('photos', 'a.txt', 'x', { metadata: { A: 'upper', a: 'lower' } }),
      'InvalidArgument',
      /"A" and "a" are the same header/,
    );
    await expectCode(engine.buckets.headObject('photos', 'a.txt'), 'NoSuchKey');
  });
});

describe('lone surrogates are refused in keys and names (defect 5)', () => {
  it('table keys \\ud800 and \\udc00 no longer overwrite the item with key \\ufffd', async () => {
    const engine = await openEngine();
    await usersTable(engine);
    await engine.tables.putItem('users', { id: '\ufffd', v: 'replacement char' });
    for (const lone of ['\ud800', '\udc00']) {
      await expectCode(
        engine.tables.putItem('users', { id: lone, v: 'lone' }),
        'ValidationException',
        /lone surrogate/,
      );
      await expectCode(engine.tables.getItem('users', { id: lone }), 'ValidationException', /lone surrogate/);
    }
    expect(await engine.tables.getItem('users', { id: '\ufffd' })).toEqual({
      id: '\ufffd',
      v: 'replacement char',
    });
  });

  it('sort keys, attribute names, partition keys and metadata names go through the same check', async () => {
    const engine = await openEngine();
    await engine.tables.create('events', { partitionKey: 'pk', sortKey: 'sk' });
    await expectCode(
      engine.tables.putItem('events', { pk: 'a', sk: 'x\udc00' }),
      'ValidationException',
      /sort key/,
    );
    await expectCode(
      engine.tables.putItem('events', { pk: 'a', sk: 'b', ['n\ud800']: 1 }),
      'ValidationException',
      /attribute name/,
    );
    await expectCode(engine.tables.create('t\ud800t', { partitionKey: 'id' }), 'ValidationException');
    await expectCode(
      engine.tables.create('other', { partitionKey: 'i\ud800d' }),
      'ValidationException',
      /lone surrogate/,
    );
    expect(await engine.tables.list()).toEqual(['events']);
    await engine.streams.create('clicks');
    await expectCode(
      engine.streams.putRecord('clicks', { partitionKey: '\ud800', data: 'x' }),
      'ValidationException',
      /partitionKey .* lone surrogate/,
    );
    await engine.buckets.create('photos');
    await expectCode(
      engine.buckets.putObject('photos', 'k', 'x', { metadata: { ['m\udc00']: 'v' } }),
      'InvalidArgument',
      /lone surrogate/,
    );
    await expectCode(engine.buckets.headObject('photos', 'k'), 'NoSuchKey');
  });
});

describe('coded errors instead of raw ones (defect 9)', () => {
  it('a null options object is refused with the service code, and nothing is written', async () => {
    const engine = await openEngine();
    await engine.buckets.create('photos');
    await expectCode(
      engine.buckets.putObject('photos', 'k', 'x', null as never),
      'InvalidArgument',
      /options must be an object, got null/,
    );
    await expectCode(engine.buckets.headObject('photos', 'k'), 'NoSuchKey');
    await expectCode(engine.buckets.listObjects('photos', null as never), 'InvalidArgument', /options/);
    await expectCode(engine.streams.create('s', null as never), 'InvalidArgumentException', /options/);
    expect(await engine.streams.list()).toEqual([]);
    await engine.streams.create('s');
    const iterator = await engine.streams.getShardIterator('s', 'shardId-000000000000', {
      type: 'TRIM_HORIZON',
    });
    await expectCode(
      engine.streams.getRecords(iterator, null as never),
      'InvalidArgumentException',
      /options/,
    );
    await expectCode(
      firstValueFrom(engine.streams.records$('s', null as never)),
      'InvalidArgumentException',
      /options/,
    );
    await usersTable(engine);
    await expectCode(
      engine.tables.putItem('users', { id: 'u' }, null as never),
      'ValidationException',
      /options/,
    );
    expect(await engine.tables.getItem('users', { id: 'u' })).toBeUndefined();
    await createFixture(engine, 'fn', 'faults.throws');
    await expectCode(
      engine.functions.invoke('fn', {}, null as never),
      'InvalidParameterValueException',
      /options/,
    );
    await expectCode(createEngine(null as never), 'InvalidArgument', /options must be an object, got null/);
  });

  it('a function or Symbol payload and a non-array redrive list answer coded errors', async () => {
    const engine = await openEngine();
    await createFixture(engine, 'fn', 'faults.throws');
    await expectCode(
      engine.functions.invoke('fn', () => 1),
      'InvalidRequestContentException',
      /function/,
    );
    await expectCode(engine.functions.invoke('fn', Symbol('s')), 'InvalidRequestContentException', /symbol/);
    await expectCode(engine.functions.invoke('fn', 1n), 'InvalidRequestContentException');
    await expectCode(
      engine.functions.redrive('fn', 1 as never),
      'InvalidParameterValueException',
      /requestIds/,
    );
    expect(await engine.functions.deadLetters('fn')).toEqual([]);
  });

  it('refuses a callerIdentity that is not an identity', async () => {
    await expectCode(createEngine({ callerIdentity: 1 as never }), 'InvalidArgument', /callerIdentity/);
    await expectCode(
      createEngine({ callerIdentity: { roleArn: 1 } as never }),
      'InvalidArgument',
      /callerIdentity/,
    );
  });

  it('refuses circular and over-deep items without overflowing the stack', async () => {
    const engine = await openEngine();
    await usersTable(engine);
    const circular: Record<string, unknown> = { id: 'c' };
    circular.self = circular;
    await expectCode(engine.tables.putItem('users', circular), 'ValidationException', /circular/);
    const list: unknown[] = [];
    list.push(list);
    await expectCode(engine.tables.putItem('users', { id: 'l', list }), 'ValidationException', /circular/);
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    await expectCode(engine.tables.putItem('users', { id: 'd', deep }), 'ValidationException', /32 levels/);
    await expectCode(
      engine.tables.updateItem('users', { id: 'd' }, { set: { deep } }),
      'ValidationException',
      /32 levels/,
    );
    expect(await engine.tables.getItem('users', { id: 'd' })).toBeUndefined();
    const nest = (levels: number): unknown => (levels === 0 ? 'leaf' : [nest(levels - 1)]);
    await engine.tables.putItem('users', { id: 'ok', v: nest(32) });
    await expectCode(
      engine.tables.putItem('users', { id: 'no', v: nest(33) }),
      'ValidationException',
      /32 levels/,
    );
    // A value shared by two attributes is not a cycle.
    const shared = { a: 1 };
    await engine.tables.putItem('users', { id: 's', x: shared, y: shared });
  });

  it('answers EngineClosed for dead letters and invoke configs after close', async () => {
    const engine = await createEngine();
    await createFixture(engine, 'fn', 'faults.throws');
    await engine.close();
    await expectCode(engine.functions.deadLetters('fn'), 'EngineClosed');
    await expectCode(engine.functions.redrive('fn'), 'EngineClosed');
    await expectCode(engine.functions.getEventInvokeConfig('fn'), 'EngineClosed');
  });

  it('answers ServiceException when the location is a file or lies under one', async () => {
    const dir = await tempDir();
    const file = join(dir, 'a-file');
    await writeFile(file, 'not a directory');
    await expectCode(createEngine({ location: file }), 'ServiceException', /not a directory/);
    await expectCode(createEngine({ location: join(file, 'sub') }), 'ServiceException', /ENOTDIR/);
  });

  it.runIf(process.platform === 'linux')(
    'answers ServiceException, not a hang, for a location under /proc',
    async () => {
      await expectCode(createEngine({ location: '/proc/nope/x' }), 'ServiceException', /\/proc\/nope/);
    },
  );
});

describe('smaller ones (defect 10)', () => {
  it("refuses records$ from 'BOGUS'", async () => {
    const engine = await openEngine();
    await engine.streams.create('s');
    await expectCode(
      firstValueFrom(engine.streams.records$('s', { from: 'BOGUS' as never })),
      'InvalidArgumentException',
      /BOGUS/,
    );
    await expectCode(
      firstValueFrom(engine.streams.records$('s', { form: 'LATEST' } as never)),
      'InvalidArgumentException',
      /options\.form is not a known option/,
    );
  });

  it('calls a truncated shard iterator invalid, not expired', async () => {
    const engine = await openEngine();
    await engine.streams.create('s');
    const iterator = await engine.streams.getShardIterator('s', 'shardId-000000000000', {
      type: 'TRIM_HORIZON',
    });
    for (const cut of [1, 2, 3, 8]) {
      await expectCode(
        engine.streams.getRecords(iterator.slice(0, -cut)),
        'InvalidArgumentException',
        /not a valid shard iterator/,
      );
    }
    expect((await engine.streams.getRecords(iterator)).records).toEqual([]);
  });

  it("refuses numbers outside DynamoDB's range and more than 38 digits", async () => {
    const engine = await openEngine();
    await engine.tables.create('nums', { partitionKey: { name: 'n', type: 'N' } });
    for (const bad of [1e300, -1e300, 1e126, 1e-200, 10n ** 40n + 1n]) {
      await expectCode(
        engine.tables.putItem('nums', { n: 1, v: bad }),
        'ValidationException',
        /range|digits/,
      );
    }
    await expectCode(engine.tables.putItem('nums', { n: 1e300 }), 'ValidationException', /range/);
    expect(await engine.tables.getItem('nums', { n: 1 })).toBeUndefined();
    await engine.tables.putItem('nums', { n: 1, v: 9.99e125, w: -1e-130, z: 0 });
  });

  it('refuses empty attribute names and key attribute names over 255 bytes', async () => {
    const engine = await openEngine();
    await usersTable(engine);
    await expectCode(
      engine.tables.putItem('users', { id: 'u', '': 1 }),
      'ValidationException',
      /attribute name/,
    );
    await expectCode(
      engine.tables.putItem('users', { id: 'u', m: { '': 1 } }),
      'ValidationException',
      /attribute name/,
    );
    await expectCode(engine.tables.updateItem('users', { id: 'u' }, { remove: [''] }), 'ValidationException');
    expect(await engine.tables.getItem('users', { id: 'u' })).toBeUndefined();
    await expectCode(
      engine.tables.create('long', { partitionKey: 'k'.repeat(256) }),
      'ValidationException',
      /255/,
    );
    await expectCode(
      engine.tables.create('long', { partitionKey: 'id', sortKey: { name: 'é'.repeat(128), type: 'S' } }),
      'ValidationException',
      /255/,
    );
    expect(await engine.tables.list()).toEqual(['users']);
    await engine.tables.create('long', { partitionKey: 'k'.repeat(255) });
  });

  it('refuses copyObject onto itself (InvalidRequest) and emits no event', async () => {
    const engine = await openEngine();
    await engine.buckets.create('photos');
    await engine.buckets.putObject('photos', 'a', 'x');
    const seen: string[] = [];
    const sub = engine.buckets.events$.subscribe((r) => seen.push(r.eventName));
    await expectCode(
      engine.buckets.copyObject('photos', 'a', 'photos', 'a'),
      'InvalidRequest',
      /copy an object to itself/,
    );
    sub.unsubscribe();
    expect(seen).toEqual([]);
    await engine.buckets.copyObject('photos', 'a', 'photos', 'b');
  });

  it('refuses unknown option keys, naming them, and changes nothing', async () => {
    const engine = await openEngine();
    const before = await createFixture(engine, 'fn', 'faults.throws');
    await expectCode(
      engine.functions.update('fn', { name: 'renamed' } as never),
      'InvalidParameterValueException',
      /options\.name is not a known option/,
    );
    expect((await engine.functions.get('fn')).revisionId).toBe(before.revisionId);
    await expectCode(
      engine.functions.invoke('fn', {}, { type: 'Event' } as never),
      'InvalidParameterValueException',
      /options\.type/,
    );
    await expectCode(
      engine.streams.create('s', { shards: 2 } as never),
      'InvalidArgumentException',
      /options\.shards/,
    );
    await expectCode(engine.buckets.listObjects('nope', { max: 1 } as never), 'NoSuchBucket');
    await engine.buckets.create('bbb');
    await expectCode(
      engine.buckets.listObjects('bbb', { max: 1 } as never),
      'InvalidArgument',
      /options\.max/,
    );
    await expectCode(createEngine({ locaton: 'x' } as never), 'InvalidArgument', /options\.locaton/);
    await expectCode(
      createEngine({ quotas: { toString: 1 } } as never),
      'InvalidArgument',
      /options\.quotas\.toString/,
    );
  });
});
