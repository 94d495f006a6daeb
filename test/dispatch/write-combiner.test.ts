import { describe, expect, it } from 'vitest';
import { WriteCombiner } from '../../src/dispatch/push/write-combiner.js';
import { putOp, Storage } from '../../src/storage/storage.js';
import { onCleanup } from '../helpers/engines.js';

describe('write combiner (group commit)', () => {
  it('joins writes of the same tick into one batch and resolves each once durable', async () => {
    const storage = await Storage.open();
    onCleanup(() => storage.close());
    const sub = storage.sublevel<number>('n');
    let batches = 0;
    const counting = Object.assign(Object.create(storage) as Storage, {
      batch: (ops: Parameters<Storage['batch']>[0]) => {
        batches++;
        return storage.batch(ops);
      },
    });
    const writer = new WriteCombiner(counting);
    await Promise.all(Array.from({ length: 10 }, (_, i) => writer.write([putOp(sub, `k${i}`, i)])));
    expect(batches).toBe(1);
    expect(await sub.values().all()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('fails only the write whose batch is invalid; the others still commit', async () => {
    const storage = await Storage.open();
    onCleanup(() => storage.close());
    const sub = storage.sublevel<number>('n');
    const writer = new WriteCombiner(storage);
    const good = writer.write([putOp(sub, 'good', 1)]);
    const bad = writer.write([putOp(sub, null as unknown as string, 2)]);
    await expect(good).resolves.toBeUndefined();
    await expect(bad).rejects.toThrow();
    expect(await sub.get('good')).toBe(1);
  });
});
