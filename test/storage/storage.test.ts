import { describe, expect, it } from 'vitest';
import { KeyedMutex } from '../../src/storage/keyed-mutex.js';
import { childRange, encodeBigUint, encodeUint, joinKey } from '../../src/storage/keys.js';
import { delOp, putOp, Storage } from '../../src/storage/storage.js';
import { STORAGE_KINDS, tempDir } from '../helpers/engines.js';

async function openStorage(kind: 'memory' | 'disk', location?: string): Promise<Storage> {
  return Storage.open(kind === 'disk' ? (location ?? (await tempDir())) : undefined);
}

describe.each(STORAGE_KINDS)('storage contract (%s)', (kind) => {
  it('applies a batch across sublevels atomically and reads each back', async () => {
    const storage = await openStorage(kind);
    const objects = storage.sublevel<{ size: number }>('objects');
    const outbox = storage.sublevel<string>('outbox');
    await storage.batch([putOp(objects, 'a', { size: 1 }), putOp(outbox, 'e1', 'event')]);
    expect(await objects.get('a')).toEqual({ size: 1 });
    expect(await outbox.get('e1')).toBe('event');
    await storage.batch([delOp(objects, 'a'), delOp(outbox, 'e1')]);
    expect(await objects.get('a')).toBeUndefined();
    await storage.close();
  });

  it('rejects a batch with an invalid operation and writes none of it', async () => {
    const storage = await openStorage(kind);
    const sub = storage.sublevel<string>('s');
    const bad = { type: 'put', sublevel: sub, key: 'b', value: undefined } as unknown as ReturnType<
      typeof putOp
    >;
    await expect(storage.batch([putOp(sub, 'a', 'x'), bad])).rejects.toThrow();
    expect(await sub.get('a')).toBeUndefined();
    await storage.close();
  });

  it('orders fixed-width keys numerically and NUL-joined keys by their parts', async () => {
    const storage = await openStorage(kind);
    const sub = storage.sublevel<number>('order');
    const numbers = [10, 9, 100, 0, 12345678];
    await storage.batch(numbers.map((n) => putOp(sub, encodeUint(n), n)));
    const values = await sub.values().all();
    expect(values).toEqual([...numbers].sort((a, b) => a - b));

    const nested = storage.sublevel<string>('nested');
    await storage.batch([
      putOp(nested, joinKey('b', 'x'), 'b/x'),
      putOp(nested, joinKey('a', 'z'), 'a/z'),
      putOp(nested, joinKey('ab', 'a'), 'ab/a'),
      putOp(nested, joinKey('a', 'é'), 'a/é'),
    ]);
    expect(await nested.values(childRange('a')).all()).toEqual(['a/z', 'a/é']);
    await storage.close();
  });

  it('keeps big decimal numbers in numeric key order', () => {
    const a = encodeBigUint(9n, 40);
    const b = encodeBigUint(10n ** 30n, 40);
    expect(a < b).toBe(true);
    expect(a).toHaveLength(40);
  });
});

describe('storage on disk', () => {
  it('keeps data across close and reopen', async () => {
    const location = await tempDir();
    const first = await Storage.open(location);
    await first.batch([putOp(first.sublevel<string>('s'), 'k', 'v')]);
    await first.close();
    const second = await Storage.open(location);
    expect(await second.sublevel<string>('s').get('k')).toBe('v');
    await second.close();
  });

  it('fails at once with ResourceInUseException when another handle holds the directory', async () => {
    const location = await tempDir();
    const holder = await Storage.open(location);
    await expect(Storage.open(location)).rejects.toMatchObject({ code: 'ResourceInUseException' });
    await holder.close();
    const after = await Storage.open(location);
    await after.close();
  });
});

describe.each(STORAGE_KINDS)('group commit (%s)', (kind) => {
  it('joins batches that arrive while one is written into one LevelDB batch, each resolved once durable', async () => {
    const storage = await openStorage(kind);
    const sub = storage.sublevel<number>('n');
    const before = storage.nativeBatches;
    const seen: Array<number | undefined> = [];
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        storage.batch([putOp(sub, `k${i}`, i)]).then(async () => {
          seen.push(await sub.get(`k${i}`));
        }),
      ),
    );
    // The first goes alone at once; the nine that arrived meanwhile share the next batch.
    expect(storage.nativeBatches - before).toBe(2);
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await storage.close();
  });

  it('applies joined batches in arrival order: a later write of the same key wins', async () => {
    const storage = await openStorage(kind);
    const sub = storage.sublevel<string>('s');
    await Promise.all([
      storage.batch([putOp(sub, 'k', 'first')]),
      storage.batch([putOp(sub, 'k', 'second')]),
      storage.batch([delOp(sub, 'k')]),
      storage.batch([putOp(sub, 'k', 'last')]),
      storage.batch([putOp(sub, 'j', 'x')]),
      storage.batch([delOp(sub, 'j')]),
    ]);
    expect(await sub.get('k')).toBe('last');
    expect(await sub.get('j')).toBeUndefined();
    await storage.close();
  });

  it('fails only the write that is invalid; the writes joined with it still commit', async () => {
    const storage = await openStorage(kind);
    const sub = storage.sublevel<number>('n');
    const bad = { type: 'put', sublevel: sub, key: 'b', value: undefined } as unknown as ReturnType<
      typeof putOp
    >;
    const results = await Promise.allSettled([
      storage.batch([putOp(sub, 'first', 0)]),
      storage.batch([putOp(sub, 'good', 1)]),
      storage.batch([putOp(sub, 'partner', 2), bad]),
      storage.batch([putOp(sub, 'after', 3)]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(await sub.get('good')).toBe(1);
    expect(await sub.get('after')).toBe(3);
    // The invalid write stays whole: its valid operation is not written either.
    expect(await sub.get('partner')).toBeUndefined();
    await storage.close();
  });

  it('compacts a sublevel with many deleted keys, keeping the live ones and other sublevels', async () => {
    const location = kind === 'disk' ? await tempDir() : undefined;
    const storage = await Storage.open(location);
    const queue = storage.sublevel<number>('queue');
    const other = storage.sublevel<number>('other');
    await storage.batch([putOp(other, 'x', 7)]);
    for (let round = 0; round < 5; round++) {
      const keys = Array.from({ length: 200 }, (_, i) => `k${String(round * 200 + i).padStart(6, '0')}`);
      await storage.batch(keys.map((k, i) => putOp(queue, k, i)));
      await storage.batch(keys.map((k) => delOp(queue, k)));
    }
    await storage.batch([putOp(queue, 'live', 1)]);
    await storage.compact(queue as Parameters<Storage['compact']>[0]);
    expect(await queue.keys().all()).toEqual(['live']);
    expect(await other.get('x')).toBe(7);
    // One compaction at a time; close waits for a running one.
    const running = storage.compact(queue as Parameters<Storage['compact']>[0]);
    if (kind === 'disk') expect(storage.compact(queue as Parameters<Storage['compact']>[0])).toBe(running);
    await storage.close();
    await expect(running).resolves.toBeUndefined();
    if (location) {
      const reopened = await Storage.open(location);
      expect(await reopened.sublevel<number>('queue').keys().all()).toEqual(['live']);
      await reopened.close();
    }
  });

  it('close waits for accepted writes before closing LevelDB', async () => {
    const location = kind === 'disk' ? await tempDir() : undefined;
    const storage = await Storage.open(location);
    const sub = storage.sublevel<number>('n');
    const writes = Array.from({ length: 5 }, (_, i) => storage.batch([putOp(sub, `k${i}`, i)]));
    await storage.close();
    await expect(Promise.all(writes)).resolves.toHaveLength(5);
    if (location) {
      const reopened = await Storage.open(location);
      expect(await reopened.sublevel<number>('n').values().all()).toEqual([0, 1, 2, 3, 4]);
      await reopened.close();
    }
  });
});

describe('KeyedMutex', () => {
  it('runs sections of one key one at a time, in call order, even when one fails', async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const step = (name: string, fail = false) =>
      mutex.run('k', async () => {
        log.push(`start ${name}`);
        await Promise.resolve();
        log.push(`end ${name}`);
        if (fail) throw new Error(name);
      });
    await Promise.allSettled([step('a'), step('b', true), step('c')]);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });
});
