import { describe, expect, it } from 'vitest';
import { createEngine, ManualClock, type SortKeyCondition } from '../../src/index.js';
import { BACKEND_KINDS, onCleanup, openEngine, tempDir } from '../helpers/engines.js';
import { expectCode } from '../helpers/errors.js';
import { changes } from './helpers.js';

const START = Date.UTC(2015, 5, 27, 0, 48, 5, 899);

describe.each(BACKEND_KINDS)('tables (%s)', (kind) => {
  it('creates a table with a stream whose ARN carries an ISO-8601 label from the engine clock', async () => {
    const engine = await openEngine(kind, { clock: new ManualClock(START) });
    const created = await engine.tables.create('Example', {
      partitionKey: { name: 'Id', type: 'N' },
      streamViewType: 'NEW_AND_OLD_IMAGES',
    });
    const description = await engine.tables.describe('Example');
    // create answers the description, with the ARNs under their short names too.
    expect(created).toEqual({
      ...description,
      arn: 'arn:aws:dynamodb:us-east-1:000000000000:table/Example',
      streamArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/Example/stream/2015-06-27T00:48:05.899',
    });
    expect(description.partitionKey).toEqual({ name: 'Id', type: 'N' });
    expect(description.latestStreamLabel).toBe('2015-06-27T00:48:05.899');
    expect(await engine.tables.list()).toEqual(['Example']);
    await expectCode(
      engine.tables.create('Example', { partitionKey: 'Id' }),
      'ResourceInUseException',
      /Example/,
    );
    await expectCode(engine.tables.create('x', { partitionKey: 'Id' }), 'ValidationException', /3-255/);
    await expectCode(
      engine.tables.create('Other', { partitionKey: 'Id', streamViewType: 'ALL' as never }),
      'ValidationException',
      /streamViewType/,
    );
    await engine.tables.delete('Example');
    await expectCode(engine.tables.getItem('Example', { Id: 1 }), 'ResourceNotFoundException', /Example/);
    await expectCode(engine.streams.describe(created.streamArn ?? ''), 'ResourceNotFoundException');
  });

  it('puts, gets, updates and deletes plain items with every attribute type', async () => {
    const engine = await openEngine(kind);
    await engine.tables.create('things', { partitionKey: 'id' });
    const item = {
      id: 'x1',
      s: 'text',
      n: 1.5,
      big: 12345678901234567890n,
      b: Buffer.from([1, 2]),
      yes: true,
      nothing: null,
      list: [1, 'two', [3]],
      map: { nested: { deep: 'v' } },
      ss: new Set(['a', 'b']),
      ns: new Set([1, 2]),
      bs: new Set([Buffer.from('z')]),
    };
    await engine.tables.putItem('things', item);
    const got = await engine.tables.getItem('things', { id: 'x1' });
    expect(got).toEqual({ ...item, big: Number(12345678901234567890n), b: Buffer.from([1, 2]) });
    const updated = await engine.tables.updateItem(
      'things',
      { id: 'x1' },
      { set: { s: 'changed', added: 7 }, remove: ['list'] },
    );
    expect(updated?.s).toBe('changed');
    expect(updated?.added).toBe(7);
    expect(updated && 'list' in updated).toBe(false);
    await expectCode(
      engine.tables.updateItem('things', { id: 'x1' }, { set: { id: 'y' } }),
      'ValidationException',
      /part of the key/,
    );
    await expectCode(
      engine.tables.putItem('things', { id: 'x2', bad: undefined }),
      'ValidationException',
      /bad is undefined/,
    );
    await expectCode(
      engine.tables.putItem('things', { id: 'x2', empty: new Set() }),
      'ValidationException',
      /empty set/,
    );
    await expectCode(engine.tables.putItem('things', { id: 2 }), 'ValidationException', /type S/);
    await expectCode(
      engine.tables.putItem('things', { id: 'big', blob: 'x'.repeat(400 * 1024) }),
      'ValidationException',
      /maximum allowed size/,
    );
    await engine.tables.deleteItem('things', { id: 'x1' });
    expect(await engine.tables.getItem('things', { id: 'x1' })).toBeUndefined();
    expect(await engine.tables.getItem('things', { id: 'x2' })).toBeUndefined();
  });

  it('queries a partition in sort-key order with conditions, limit, pagination and reverse order', async () => {
    const engine = await openEngine(kind);
    await engine.tables.create('events', { partitionKey: 'user', sortKey: { name: 'at', type: 'N' } });
    for (const at of [10, -5, 2.5, 100, 0, 7])
      await engine.tables.putItem('events', { user: 'u1', at, v: `v${at}` });
    await engine.tables.putItem('events', { user: 'u2', at: 1 });
    const ats = async (sortKey?: SortKeyCondition, extra: object = {}): Promise<unknown[]> =>
      (
        await engine.tables.query('events', { partitionKey: 'u1', ...(sortKey ? { sortKey } : {}), ...extra })
      ).items.map((i) => i.at);
    expect(await ats()).toEqual([-5, 0, 2.5, 7, 10, 100]);
    expect(await ats({ eq: 7 })).toEqual([7]);
    expect(await ats({ lt: 7 })).toEqual([-5, 0, 2.5]);
    expect(await ats({ lte: 7 })).toEqual([-5, 0, 2.5, 7]);
    expect(await ats({ gt: 7 })).toEqual([10, 100]);
    expect(await ats({ gte: 7 })).toEqual([7, 10, 100]);
    expect(await ats({ between: [0, 10] })).toEqual([0, 2.5, 7, 10]);
    expect(await ats(undefined, { scanIndexForward: false })).toEqual([100, 10, 7, 2.5, 0, -5]);
    await expectCode(
      engine.tables.query('events', { partitionKey: 'u1', sortKey: { beginsWith: '1' } }),
      'ValidationException',
      /N/,
    );

    const page1 = await engine.tables.query('events', { partitionKey: 'u1', limit: 4 });
    expect(page1.items.map((i) => i.at)).toEqual([-5, 0, 2.5, 7]);
    expect(page1.lastEvaluatedKey).toEqual({ user: 'u1', at: 7 });
    const page2 = await engine.tables.query('events', {
      partitionKey: 'u1',
      limit: 4,
      exclusiveStartKey: page1.lastEvaluatedKey,
    });
    expect(page2.items.map((i) => i.at)).toEqual([10, 100]);
    expect(page2.lastEvaluatedKey).toBeUndefined();
    const back = await engine.tables.query('events', {
      partitionKey: 'u1',
      limit: 2,
      scanIndexForward: false,
      exclusiveStartKey: { user: 'u1', at: 10 },
    });
    expect(back.items.map((i) => i.at)).toEqual([7, 2.5]);
  });

  it('queries string sort keys with begins_with', async () => {
    const engine = await openEngine(kind);
    await engine.tables.create('files', { partitionKey: 'owner', sortKey: 'path' });
    for (const path of ['a/1', 'a/2', 'ab', 'b/1', 'a'])
      await engine.tables.putItem('files', { owner: 'o', path });
    const paths = async (beginsWith: string, scanIndexForward = true): Promise<unknown[]> =>
      (
        await engine.tables.query('files', { partitionKey: 'o', sortKey: { beginsWith }, scanIndexForward })
      ).items.map((i) => i.path);
    expect(await paths('a/')).toEqual(['a/1', 'a/2']);
    expect(await paths('a')).toEqual(['a', 'a/1', 'a/2', 'ab']);
    expect(await paths('a', false)).toEqual(['ab', 'a/2', 'a/1', 'a']);
  });

  it.each([
    ['KEYS_ONLY', false, false],
    ['NEW_IMAGE', true, false],
    ['OLD_IMAGE', false, true],
    ['NEW_AND_OLD_IMAGES', true, true],
  ] as const)(
    'writes INSERT, MODIFY and REMOVE records for %s with the images it asks for',
    async (view, withNew, withOld) => {
      const clock = new ManualClock(START);
      const engine = await openEngine(kind, { clock });
      const { streamArn } = await engine.tables.create('Messages', {
        partitionKey: { name: 'Id', type: 'N' },
        streamViewType: view,
      });
      await engine.tables.putItem('Messages', { Id: 101, Message: 'New item!' });
      clock.advance(1500);
      await engine.tables.updateItem('Messages', { Id: 101 }, { set: { Message: 'Changed' } });
      await engine.tables.deleteItem('Messages', { Id: 101 });
      const records = await changes(engine, streamArn ?? '');
      expect(records.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
      const [insert, modify, remove] = records;
      expect(insert).toMatchObject({
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: 'us-east-1',
        eventSourceARN: streamArn,
        dynamodb: {
          ApproximateCreationDateTime: Math.floor(START / 1000),
          Keys: { Id: { N: '101' } },
          StreamViewType: view,
        },
      });
      expect(insert?.eventID).toMatch(/^[0-9a-f]{32}$/);
      expect(modify?.dynamodb.ApproximateCreationDateTime).toBe(Math.floor((START + 1500) / 1000));
      const newImage = { Id: { N: '101' }, Message: { S: 'New item!' } };
      expect(insert?.dynamodb.NewImage).toEqual(withNew ? newImage : undefined);
      expect(insert?.dynamodb.OldImage).toBeUndefined();
      expect(modify?.dynamodb.NewImage).toEqual(
        withNew ? { Id: { N: '101' }, Message: { S: 'Changed' } } : undefined,
      );
      expect(modify?.dynamodb.OldImage).toEqual(withOld ? newImage : undefined);
      expect(remove?.dynamodb.NewImage).toBeUndefined();
      expect(remove?.dynamodb.OldImage).toEqual(
        withOld ? { Id: { N: '101' }, Message: { S: 'Changed' } } : undefined,
      );
      // The reference example: Keys {Id: 101} + NewImage {Message: 'New item!', Id: 101} is 26 bytes.
      if (view === 'NEW_IMAGE') expect(insert?.dynamodb.SizeBytes).toBe(26);
      const sequences = records.map((r) => BigInt(r.dynamodb.SequenceNumber));
      expect(sequences[0]! < sequences[1]! && sequences[1]! < sequences[2]!).toBe(true);
      expect(records[0]?.dynamodb.SequenceNumber).toMatch(/^\d{21,40}$/);
    },
  );

  it('writes no record for a write that changes nothing', async () => {
    const engine = await openEngine(kind);
    const { streamArn } = await engine.tables.create('same', {
      partitionKey: 'id',
      streamViewType: 'NEW_IMAGE',
    });
    await engine.tables.putItem('same', { id: 'a', tags: new Set(['x', 'y']), m: { p: 1, q: 2 } });
    await engine.tables.putItem('same', { m: { q: 2, p: 1 }, tags: new Set(['y', 'x']), id: 'a' });
    await engine.tables.updateItem('same', { id: 'a' }, { remove: ['missing'] });
    await engine.tables.deleteItem('same', { id: 'nobody' });
    expect((await changes(engine, streamArn ?? '')).map((r) => r.eventName)).toEqual(['INSERT']);
  });

  it('tails a table stream with records$ like any stream', async () => {
    const engine = await openEngine(kind);
    const { streamArn } = await engine.tables.create('tailed', {
      partitionKey: 'id',
      streamViewType: 'KEYS_ONLY',
    });
    const seen = new Promise<string[]>((resolve) => {
      const names: string[] = [];
      const sub = engine.streams.records$(streamArn ?? '').subscribe((r) => {
        names.push(
          `${r.change?.eventName}:${r.change?.dynamodb.Keys.id && 'S' in r.change.dynamodb.Keys.id ? r.change.dynamodb.Keys.id.S : ''}`,
        );
        if (names.length === 2) {
          sub.unsubscribe();
          resolve(names);
        }
      });
    });
    await engine.tables.putItem('tailed', { id: 'k' });
    await engine.tables.deleteItem('tailed', { id: 'k' });
    expect(await seen).toEqual(['INSERT:k', 'REMOVE:k']);
  });
});

describe('table persistence', () => {
  it('keeps items and the stream across reopen; new records continue above old sequence numbers', async () => {
    const location = await tempDir();
    const first = await createEngine({ location });
    const { streamArn } = await first.tables.create('kept', {
      partitionKey: 'id',
      streamViewType: 'NEW_IMAGE',
    });
    await first.tables.putItem('kept', { id: 'a', v: 1 });
    await first.close();
    const second = await createEngine({ location, clock: new ManualClock(Date.UTC(2000, 0, 1)) });
    onCleanup(() => second.close());
    expect(await second.tables.getItem('kept', { id: 'a' })).toEqual({ id: 'a', v: 1 });
    await second.tables.updateItem('kept', { id: 'a' }, { set: { v: 2 } });
    const records = await changes(second, streamArn ?? '');
    expect(records.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY']);
    expect(
      BigInt(records[1]?.dynamodb.SequenceNumber ?? '0') > BigInt(records[0]?.dynamodb.SequenceNumber ?? '0'),
    ).toBe(true);
  });
});

describe.each(['disk', 'jetstream'] as const)('table deletion during writes (%s)', (kind) => {
  it('lets item writes in flight finish or fail cleanly, and a re-created table starts empty', async () => {
    const engine = await openEngine(kind);
    await engine.tables.create('busy', { partitionKey: 'id' });
    const writes = Array.from({ length: 50 }, (_, i) =>
      engine.tables.putItem('busy', { id: `i${i}` }).then(
        () => 'ok',
        (err: { code?: string }) => err.code,
      ),
    );
    await engine.tables.delete('busy');
    const outcomes = await Promise.all(writes);
    expect(outcomes.every((o) => o === 'ok' || o === 'ResourceNotFoundException')).toBe(true);
    await engine.tables.create('busy', { partitionKey: 'id' });
    for (let i = 0; i < 50; i++) expect(await engine.tables.getItem('busy', { id: `i${i}` })).toBeUndefined();
  });
});

describe.each(BACKEND_KINDS)('conditional writes (%s)', (kind) => {
  it('writes only when the condition holds, else ConditionalCheckFailedException and no record', async () => {
    const engine = await openEngine(kind);
    const { streamArn } = await engine.tables.create('guarded', {
      partitionKey: 'id',
      streamViewType: 'KEYS_ONLY',
    });
    const ifAbsent = { condition: { attributeNotExists: 'id' } } as const;
    await engine.tables.putItem('guarded', { id: 'a', v: 1 }, ifAbsent);
    await expectCode(
      engine.tables.putItem('guarded', { id: 'a', v: 2 }, ifAbsent),
      'ConditionalCheckFailedException',
    );
    await expectCode(
      engine.tables.updateItem(
        'guarded',
        { id: 'b' },
        { set: { v: 1 } },
        { condition: { attributeExists: 'id' } },
      ),
      'ConditionalCheckFailedException',
    );
    await engine.tables.deleteItem('guarded', { id: 'a' }, { condition: { attributeExists: 'v' } });
    await expectCode(
      engine.tables.putItem('guarded', { id: 'c' }, { condition: { bogus: 'x' } as never }),
      'ValidationException',
      /options\.condition/,
    );
    expect(await engine.tables.getItem('guarded', { id: 'b' })).toBeUndefined();
    expect((await changes(engine, streamArn ?? '')).map((r) => r.eventName)).toEqual(['INSERT', 'REMOVE']);
  });
});
