import { describe, expect, it, vi } from 'vitest';
import { newEntry } from '../../src/dispatch/push/entry.js';
import { COMPACT_AFTER_REMOVALS, entryJson, QueueStore } from '../../src/dispatch/push/store.js';
import { Storage } from '../../src/storage/storage.js';
import { STORAGE_KINDS, tempDir } from '../helpers/engines.js';

describe('queue entries stored around their payload JSON', () => {
  const payloads: unknown[] = [
    { Records: [{ s3: { object: { key: 'a b/ü.txt' } } }] },
    { text: 'has "payload":null and $& and $1 inside', n: [1, -0, 1e21] },
    'a string',
    null,
  ];

  it.each(payloads)('are the bytes JSON.stringify writes (%j)', (payload) => {
    const entry = newEntry(1_000, 'fn-1', payload, 'aws:s3');
    expect(entryJson(entry, JSON.stringify(payload))).toBe(JSON.stringify(entry));
    entry.invocationRole = 'arn:aws:iam::000000000000:role/r';
    expect(entryJson(entry, JSON.stringify(payload))).toBe(JSON.stringify(entry));
  });

  it.each(STORAGE_KINDS)('read back as the entry (%s)', async (kind) => {
    const storage = await Storage.open(kind === 'disk' ? await tempDir() : undefined);
    const store = new QueueStore(storage);
    const entry = newEntry(2_000, 'fn', payloads[1], 'invoke');
    await storage.batch(store.putEntryOps(entry, JSON.stringify(entry.payload)));
    // What a put of the entry itself reads back (JSON: -0 comes back as 0).
    expect(await store.entriesAt([QueueStore.key(entry)])).toEqual([JSON.parse(JSON.stringify(entry))]);
    await storage.close();
  });
});

describe('the queue range after many settled entries', () => {
  it.each(STORAGE_KINDS)('is compacted once every COMPACT_AFTER_REMOVALS removals (%s)', async (kind) => {
    const storage = await Storage.open(kind === 'disk' ? await tempDir() : undefined);
    const store = new QueueStore(storage);
    const compact = vi.spyOn(storage, 'compact');
    const entries = Array.from({ length: COMPACT_AFTER_REMOVALS * 2 }, (_, i) =>
      newEntry(1_000 + i, 'fn', { i }, 'invoke'),
    );
    await storage.batch(entries.flatMap((entry) => store.putEntryOps(entry)));
    const remove = async (from: number, to: number): Promise<void> => {
      await storage.batch(entries.slice(from, to).flatMap((entry) => store.removeEntryOps(entry)));
      store.compactIfChurned();
    };
    await remove(0, COMPACT_AFTER_REMOVALS - 1);
    expect(compact).not.toHaveBeenCalled();
    await remove(COMPACT_AFTER_REMOVALS - 1, COMPACT_AFTER_REMOVALS);
    expect(compact).toHaveBeenCalledTimes(1);
    expect(compact.mock.calls[0]?.[0]).toBe(store.queue);
    // The count starts again: the next compaction comes after as many more removals.
    await remove(COMPACT_AFTER_REMOVALS, COMPACT_AFTER_REMOVALS * 2 - 1);
    expect(compact).toHaveBeenCalledTimes(1);
    await remove(COMPACT_AFTER_REMOVALS * 2 - 1, COMPACT_AFTER_REMOVALS * 2);
    expect(compact).toHaveBeenCalledTimes(2);
    expect(await store.dueKeysFor('fn', 1_000_000, 10)).toEqual([]);
    await storage.close();
  });
});
