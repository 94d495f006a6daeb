import { describe, expect, it } from 'vitest';
import { newEntry } from '../../src/dispatch/push/entry.js';
import { entryJson, QueueStore } from '../../src/dispatch/push/store.js';
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
