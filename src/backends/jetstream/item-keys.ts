/**
 * Table item keys as KV keys: `<table uid>.<partition>[.<sort>]`, each part the item's encoded
 * key part (key-codec.ts: its byte order is DynamoDB's order) in an order-keeping base64. KV keys
 * allow only `[-/_=.A-Za-z0-9]`, and a query lists one partition's keys from the stream's subjects
 * (`<uid>.<partition>.>`), sorted as text: the alphabet below is in ASCII order, so the text order
 * of the encodings is the byte order of what they encode, and the query pages in key order as
 * embedded.
 */
import { createHash } from 'node:crypto';
import { LambdaliteError } from '../../errors.js';
import { SEP } from '../../storage/keys.js';

const STANDARD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const ORDERED = '-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz';
const TO_ORDERED = new Map([...STANDARD].map((c, i) => [c, ORDERED[i] as string]));
const TO_STANDARD = new Map([...ORDERED].map((c, i) => [c, STANDARD[i] as string]));

/**
 * The longest KV key an item may have: a publish's control line (subject, reply inbox, sizes)
 * must stay under the server's default `max_control_line` of 4096 bytes.
 */
export const MAX_ITEM_KEY = 3000;

/**
 * A partition token longer than this is replaced by `=` and the base64url of the part's sha256
 * (`=` is outside the token alphabet): items are only ever listed within one partition, whose
 * order among the others does not matter, so any key DynamoDB accepts (a partition key of up to
 * 2048 bytes, a sort key of up to 1024) stays under {@link MAX_ITEM_KEY}.
 */
const MAX_PARTITION_TOKEN = 256;

/** The KV token of a partition key part: its {@link keyToken}, or a digest when that is long. */
export function partitionToken(part: string): string {
  const token = keyToken(part);
  if (token.length <= MAX_PARTITION_TOKEN) return token;
  return `=${createHash('sha256').update(part, 'utf8').digest('base64url')}`;
}

/** The order-keeping base64 of a key part's UTF-8 bytes. */
export function keyToken(part: string): string {
  let out = '';
  for (const c of Buffer.from(part, 'utf8').toString('base64url')) out += TO_ORDERED.get(c) as string;
  return out;
}

export function tokenPart(token: string): string {
  let standard = '';
  for (const c of token) standard += TO_STANDARD.get(c) ?? '';
  return Buffer.from(standard, 'base64url').toString('utf8');
}

/** The KV key of an item, from its storage key (`uid SEP partition [SEP sort]`, key-codec.ts). */
export function kvItemKey(storageKey: string): string {
  const [uid = '', partition = '', ...sort] = storageKey.split(SEP);
  const key = [uid, partitionToken(partition), ...sort.map(keyToken)].join('.');
  if (key.length > MAX_ITEM_KEY) {
    throw new LambdaliteError(
      'ValidationException',
      `the item's sort key is too long for the JetStream backend: ${key.length} characters once ` +
        `encoded, at most ${MAX_ITEM_KEY} (about 2100 bytes of sort key; DynamoDB allows 1024)`,
    );
  }
  return key;
}

/**
 * The storage key of a KV item key of the partition `partition` (its storage form: a long one's
 * token is a digest, so the partition is given, not decoded).
 */
export function storageKeyIn(kvKey: string, uid: string, partition: string): string {
  const tokens = kvKey.split('.');
  return [uid, partition, ...tokens.slice(2).map(tokenPart)].join(SEP);
}

/** The KV subject filter of one partition's items. */
export function partitionFilter(uid: string, partition: string, sorted: boolean): string {
  return sorted ? `${uid}.${partitionToken(partition)}.>` : `${uid}.${partitionToken(partition)}`;
}
