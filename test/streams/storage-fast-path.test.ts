import { describe, expect, it } from 'vitest';
import { prefixedPutOp, putOp, Storage } from '../../src/storage/storage.js';
import { STORAGE_KINDS, tempDir } from '../helpers/engines.js';

describe.each(STORAGE_KINDS)('prefixed puts (%s)', (kind) => {
  it('store the same entry a sublevel put stores, atomically with sublevel ops', async () => {
    const storage = await Storage.open(kind === 'disk' ? await tempDir() : undefined);
    const records = storage.sublevel<Buffer>('records', 'buffer');
    const counters = storage.sublevel<string>('counters', 'utf8');
    await storage.batch([
      prefixedPutOp(records, 'a\x00001', Buffer.from([1, 2, 3])),
      putOp(counters, 'a', '001'),
    ]);
    expect(await records.get('a\x00001')).toEqual(Buffer.from([1, 2, 3]));
    expect(await records.keys().all()).toEqual(['a\x00001']);
    expect(await counters.get('a')).toBe('001');
    await storage.close();
  });
});
