/**
 * Table items shared between engine processes on one JetStream cluster: an item written through
 * one engine is read, queried, updated and conditioned on through another; a conditional put
 * race between two engines has exactly one winner; writes from both to one item give a change
 * record each, in the item's order; a table deleted and created again starts empty everywhere.
 * Engines run in the test process, each with its own in-memory LevelDB, so what one reads of the
 * other's items came through the cluster. No waits: every read asks the cluster.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { jetstream } from '../../src/backends/jetstream/index.js';
import { createEngine, type Engine } from '../../src/index.js';
import { changes } from '../tables/helpers.js';
import { fileCluster } from './shared-engines.js';

vi.setConfig({ testTimeout: 120_000 });
const { cluster, opened } = fileCluster();

/** Two engines on a fresh prefix (one replica: see shared-engines.ts). */
async function pair(): Promise<[Engine, Engine]> {
  const prefix = `t${randomUUID().slice(0, 8)}`;
  const open = async (): Promise<Engine> => {
    const engine = await createEngine({
      backend: jetstream({ servers: cluster().servers, prefix, replicas: 1, pollMappings: false }),
    });
    opened.push(engine);
    return engine;
  };
  const a = await open();
  return [a, await open()];
}

describe('table items shared through the cluster', () => {
  it('reads, updates and deletes on one engine the items written through another', async () => {
    const [a, b] = await pair();
    await a.tables.create('users', { partitionKey: 'id' });
    await a.tables.putItem('users', { id: 'u1', name: 'Ada', tags: new Set(['x']) });
    expect(await b.tables.getItem('users', { id: 'u1' })).toEqual({
      id: 'u1',
      name: 'Ada',
      tags: new Set(['x']),
    });

    expect(await b.tables.updateItem('users', { id: 'u1' }, { set: { age: 36 }, remove: ['tags'] })).toEqual({
      id: 'u1',
      name: 'Ada',
      age: 36,
    });
    expect(await a.tables.getItem('users', { id: 'u1' })).toEqual({ id: 'u1', name: 'Ada', age: 36 });

    await a.tables.deleteItem('users', { id: 'u1' });
    expect(await b.tables.getItem('users', { id: 'u1' })).toBeUndefined();
    expect(await b.tables.query('users', { partitionKey: 'u1' })).toEqual({ items: [], count: 0 });
  });

  it("writes, reads and queries an item whose partition key is DynamoDB's longest (2 KB)", async () => {
    const [a, b] = await pair();
    await a.tables.create('long', { partitionKey: 'pk', sortKey: { name: 'sk', type: 'S' } });
    const pk = '\u4e2d'.repeat(682); // 2046 bytes of UTF-8
    await a.tables.putItem('long', { pk, sk: 'b', n: 2 });
    await b.tables.putItem('long', { pk, sk: 'a', n: 1 });
    expect(await b.tables.getItem('long', { pk, sk: 'b' })).toEqual({ pk, sk: 'b', n: 2 });
    const { items } = await a.tables.query('long', { partitionKey: pk });
    expect(items.map((i) => i.sk)).toEqual(['a', 'b']);
  });

  it('queries on one engine, in sort-key order with the same pages, the items both engines wrote', async () => {
    const [a, b] = await pair();
    await a.tables.create('events', { partitionKey: 'user', sortKey: { name: 'at', type: 'N' } });
    const times = [5, -3, 120, 0.5, 42, 7, 1e6, -1e6];
    await Promise.all(
      times.map((at, i) => (i % 2 === 0 ? a : b).tables.putItem('events', { user: 'u', at, i })),
    );
    await b.tables.putItem('events', { user: 'other', at: 1 });
    const sorted = [...times].sort((x, y) => x - y);

    // Pages of 3 forward on one engine, pages of 3 backward on the other.
    const forward: number[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await a.tables.query('events', {
        partitionKey: 'u',
        limit: 3,
        ...(start ? { exclusiveStartKey: start } : {}),
      });
      forward.push(...page.items.map((item) => item.at as number));
      start = page.lastEvaluatedKey;
    } while (start);
    expect(forward).toEqual(sorted);

    const backward = await b.tables.query('events', { partitionKey: 'u', scanIndexForward: false, limit: 3 });
    expect(backward.items.map((item) => item.at)).toEqual(sorted.reverse().slice(0, 3));
    expect(backward.lastEvaluatedKey).toEqual({ user: 'u', at: sorted[2] });

    const between = await b.tables.query('events', { partitionKey: 'u', sortKey: { between: [0, 100] } });
    expect(between.items.map((item) => item.at)).toEqual([0.5, 5, 7, 42]);
  });

  it('answers a conditional put race between two engines with one winner and one ConditionalCheckFailedException', async () => {
    const [a, b] = await pair();
    const { streamArn } = await a.tables.create('claims', {
      partitionKey: 'id',
      streamViewType: 'NEW_IMAGE',
    });
    const ifAbsent = { condition: { attributeNotExists: 'id' } } as const;
    const rounds = 12;
    for (let n = 0; n < rounds; n++) {
      const outcomes = await Promise.allSettled([
        a.tables.putItem('claims', { id: `c${n}`, by: 'a' }, ifAbsent),
        b.tables.putItem('claims', { id: `c${n}`, by: 'b' }, ifAbsent),
      ]);
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as { code?: string }] : []));
      expect(won).toHaveLength(1);
      expect(lost.map((err) => err.code)).toEqual(['ConditionalCheckFailedException']);
      // The winner's item, whichever engine reads it.
      const winner = outcomes[0]?.status === 'fulfilled' ? 'a' : 'b';
      expect(await b.tables.getItem('claims', { id: `c${n}` })).toEqual({ id: `c${n}`, by: winner });
    }
    // One INSERT per key, of the winner's item: the loser's refused write left no record.
    const records = await changes(a, streamArn ?? '');
    expect(records.map((r) => r.eventName)).toEqual(Array(rounds).fill('INSERT'));
    expect(new Set(records.map((r) => JSON.stringify(r.dynamodb.Keys))).size).toBe(rounds);
  });

  it("records every write of both engines to one item once, each record's old image the previous record's new image", async () => {
    const [a, b] = await pair();
    const { streamArn } = await a.tables.create('counters', {
      partitionKey: 'id',
      streamViewType: 'NEW_AND_OLD_IMAGES',
    });
    const perEngine = 15;
    await Promise.all(
      [a, b].map(async (engine, e) => {
        for (let n = 0; n < perEngine; n++) {
          await engine.tables.updateItem(
            'counters',
            { id: 'k' },
            { set: { [`e${e}`]: n, last: `${e}:${n}` } },
          );
        }
      }),
    );
    const records = await changes(b, streamArn ?? '');
    expect(records).toHaveLength(2 * perEngine);
    expect(records[0]?.eventName).toBe('INSERT');
    for (let i = 1; i < records.length; i++) {
      expect(records[i]?.eventName).toBe('MODIFY');
      expect(records[i]?.dynamodb.OldImage).toEqual(records[i - 1]?.dynamodb.NewImage);
    }
    // The last record's image is the item as stored; each engine's writes appear in its order.
    expect(records.at(-1)?.dynamodb.NewImage).toMatchObject({
      id: { S: 'k' },
      e0: { N: String(perEngine - 1) },
      e1: { N: String(perEngine - 1) },
    });
    for (const e of [0, 1]) {
      const seen = records
        .map((r) => (r.dynamodb.NewImage?.last as { S?: string } | undefined)?.S)
        .filter((s) => s?.startsWith(`${e}:`));
      expect(seen).toEqual(Array.from({ length: perEngine }, (_, n) => `${e}:${n}`));
    }
  });

  it('starts a table deleted on one engine and created again on the other empty on both', async () => {
    const [a, b] = await pair();
    await a.tables.create('cart', { partitionKey: 'id', sortKey: 'line' });
    for (let n = 0; n < 5; n++) await b.tables.putItem('cart', { id: 'c', line: `l${n}` });
    expect((await a.tables.query('cart', { partitionKey: 'c' })).count).toBe(5);

    await a.tables.delete('cart');
    await b.tables.create('cart', { partitionKey: 'id', sortKey: 'line' });
    for (const engine of [a, b]) {
      expect(await engine.tables.query('cart', { partitionKey: 'c' })).toEqual({ items: [], count: 0 });
      expect(await engine.tables.getItem('cart', { id: 'c', line: 'l0' })).toBeUndefined();
    }
    await a.tables.putItem('cart', { id: 'c', line: 'new' });
    expect((await b.tables.query('cart', { partitionKey: 'c' })).items).toEqual([{ id: 'c', line: 'new' }]);
  });
});
