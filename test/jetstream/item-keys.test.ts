/**
 * Table item keys as KV keys (item-keys.ts): the encoding keeps byte order (a query pages a
 * partition by sorting its KV keys as text), goes back to the same storage key, uses only KV's
 * key alphabet, takes every key DynamoDB accepts (a long partition becomes a digest), and a sort
 * key too long for a NATS subject is refused naming its length. No cluster.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  keyToken,
  kvItemKey,
  MAX_ITEM_KEY,
  partitionFilter,
  storageKeyIn,
  tokenPart,
} from '../../src/backends/jetstream/item-keys.js';
import { expectCodeSync } from '../helpers/errors.js';

/** A random key part: hex (N and B keys) or text with characters from every UTF-8 length. */
function part(): string {
  const alphabet = ['a', 'Z', '0', '~', '\u00e9', '\u4e2d', '\u{1F600}', '\uffff', '\u0001'];
  if (Math.random() < 0.3) return randomBytes(1 + Math.floor(Math.random() * 9)).toString('hex');
  return Array.from(
    { length: 1 + Math.floor(Math.random() * 6) },
    () => alphabet[Math.floor(Math.random() * alphabet.length)],
  ).join('');
}

const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe('table item keys on JetStream', () => {
  it('sorts tokens as text in the byte order of what they encode, and decodes them back', () => {
    const parts = Array.from({ length: 400 }, part);
    const byToken = [...parts].sort((a, b) =>
      keyToken(a) < keyToken(b) ? -1 : keyToken(a) > keyToken(b) ? 1 : 0,
    );
    expect(byToken).toEqual([...parts].sort(byBytes));
    for (const p of parts) {
      expect(tokenPart(keyToken(p))).toBe(p);
      expect(keyToken(p)).toMatch(/^[-0-9A-Z_a-z]+$/);
    }
  });

  it('maps a storage key to a KV key of dot-separated tokens and back', () => {
    const storageKey = ['01HUID', 'user\u00e9', '8000000000000001'].join('\x00');
    const kvKey = kvItemKey(storageKey);
    expect(kvKey.split('.')).toHaveLength(3);
    expect(kvKey.startsWith('01HUID.')).toBe(true);
    expect(storageKeyIn(kvKey, '01HUID', 'user\u00e9')).toBe(storageKey);
  });

  it("takes DynamoDB's longest keys (2048-byte partition, 1024-byte binary sort key) under the subject limit", () => {
    const partition = '\u4e2d'.repeat(682); // 2046 bytes of UTF-8
    const sort = 'ff'.repeat(1024); // a 1024-byte binary sort key, hex-encoded
    const kvKey = kvItemKey(['01HUID', partition, sort].join('\x00'));
    expect(kvKey.length).toBeLessThanOrEqual(MAX_ITEM_KEY);
    expect(kvKey).toMatch(/^[-/=.\w]+$/);
    // The long partition is a digest: listed through its filter, rebuilt from the query's partition.
    expect(kvKey.startsWith(partitionFilter('01HUID', partition, true).slice(0, -1))).toBe(true);
    expect(storageKeyIn(kvKey, '01HUID', partition)).toBe(['01HUID', partition, sort].join('\x00'));
    // Two long partitions that share a long prefix stay apart.
    expect(kvItemKey(['01HUID', `${partition}a`].join('\x00'))).not.toBe(
      kvItemKey(['01HUID', `${partition}b`].join('\x00')),
    );
  });

  it('refuses a sort key too long for a subject with ValidationException naming its length', () => {
    const long = ['01HUID', 'p', 's'.repeat(2400)].join('\x00');
    expectCodeSync(() => kvItemKey(long), 'ValidationException', new RegExp(`at most ${MAX_ITEM_KEY}`));
    expect(kvItemKey(['01HUID', 'p', 's'.repeat(2000)].join('\x00')).length).toBeLessThanOrEqual(
      MAX_ITEM_KEY,
    );
  });
});
