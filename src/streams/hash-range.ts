import { LambdaliteError } from '../errors.js';
import { md5Hex } from '../hash.js';

export const HASH_KEY_MAX = (1n << 128n) - 1n;
const EXPLICIT_HASH_KEY_PATTERN = /^(0|[1-9]\d{0,38})$/;

export interface HashRange {
  start: bigint;
  end: bigint;
}

// Producers reuse partition keys (user ids, device ids): a bounded memo saves an MD5 per
// record. Cleared when full rather than LRU: cheap and bounded.
const HASH_MEMO_SIZE = 10_000;
const hashMemo = new Map<string, string>();

/**
 * MD5 of the partition key's UTF-8 bytes as 32 lower-case hex digits. Fixed width, so string
 * order is numeric order: routing compares it with {@link hashKeyHex} bounds, no BigInt parse.
 */
export function hashPartitionKeyHex(partitionKey: string): string {
  let hash = hashMemo.get(partitionKey);
  if (hash === undefined) {
    hash = md5Hex(partitionKey);
    if (hashMemo.size >= HASH_MEMO_SIZE) hashMemo.clear();
    hashMemo.set(partitionKey, hash);
  }
  return hash;
}

/** MD5 of the partition key's UTF-8 bytes as an unsigned 128-bit big-endian integer. */
export function hashPartitionKey(partitionKey: string): bigint {
  return BigInt(`0x${hashPartitionKeyHex(partitionKey)}`);
}

/** A hash key as 32 lower-case hex digits, comparable as a string with {@link hashPartitionKeyHex}. */
export function hashKeyHex(key: bigint): string {
  return key.toString(16).padStart(32, '0');
}

/** Shard i of n covers [floor(i*2^128/n), floor((i+1)*2^128/n) - 1]. */
export function evenRanges(count: number): HashRange[] {
  const space = 1n << 128n;
  const n = BigInt(count);
  const ranges: HashRange[] = [];
  for (let i = 0n; i < n; i++) {
    ranges.push({ start: (i * space) / n, end: ((i + 1n) * space) / n - 1n });
  }
  return ranges;
}

/** Parses and range-checks an explicitHashKey; throws InvalidArgumentException naming it. */
export function parseExplicitHashKey(text: unknown): bigint {
  if (typeof text !== 'string' || !EXPLICIT_HASH_KEY_PATTERN.test(text)) {
    throw new LambdaliteError(
      'InvalidArgumentException',
      `explicitHashKey must be a decimal integer string matching 0|([1-9]\\d{0,38}), got ${JSON.stringify(text)}`,
    );
  }
  const value = BigInt(text);
  if (value > HASH_KEY_MAX) {
    throw new LambdaliteError(
      'InvalidArgumentException',
      `explicitHashKey ${text} is outside the hash key range 0..${HASH_KEY_MAX}`,
    );
  }
  return value;
}
