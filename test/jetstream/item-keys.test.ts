/**
 * Table item keys as KV keys (item-keys.ts): the encoding keeps byte order (a query pages a
 * partition by sorting its KV keys as text), goes back to the same storage key, uses only KV's
 * key alphabet, and a key too long for a NATS subject is refused naming its length. No cluster.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  keyToken,
  kvItemKey,
  MAX_ITEM_KEY,
  storageKeyOf,
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
    expect(storageKeyOf(kvKey)).toBe(storageKey);
  });

  it('refuses a key too long for a subject with ValidationException naming its length', () => {
    const long = ['01HUID', 'p'.repeat(2400)].join('\x00');
    expectCodeSync(() => kvItemKey(long), 'ValidationException', new RegExp(`at most ${MAX_ITEM_KEY}`));
    expect(kvItemKey(['01HUID', 'p'.repeat(2000)].join('\x00')).length).toBeLessThanOrEqual(MAX_ITEM_KEY);
  });
});
