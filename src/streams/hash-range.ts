import { LambdaliteError } from '../errors.js';
import { md5Hex } from '../hash.js';

export const HASH_KEY_MAX = (1n << 128n) - 1n;
const EXPLICIT_HASH_KEY_PATTERN = /^(0|[1-9]\d{0,38})$/;

export interface HashRange {
  start: bigint;
  end: bigint;
}

/**
 * MD5 of the partition key's UTF-8 bytes as 32 lower-case hex digits. Fixed width, so string
 * order is numeric order: routing compares it with {@link hashKeyHex} bounds, no BigInt parse.
 * Not memoised: a one-shot MD5 costs less than a Map miss plus insert when keys are unique.
 */
export function hashPartitionKeyHex(partitionKey: string): string {
  return md5Hex(partitionKey);
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
