/**
 * Shard iterators: opaque strings naming a stream incarnation, a shard, a position and the
 * engine-clock time they were issued; they expire 5 minutes after issue (reference §2.3).
 */
import { createHash } from 'node:crypto';
import { LambdaliteError } from '../errors.js';
import { isSequenceNumber } from './sequence.js';
import type { Position } from './shard-log.js';

export const ITERATOR_TTL_MS = 5 * 60_000;

export interface IteratorToken {
  uid: string;
  shardIndex: number;
  position: Position;
  issuedAt: number;
}

/**
 * A short digest of the token's text, carried inside it: a truncated or altered iterator then
 * fails as "not a valid shard iterator" instead of decoding to a shorter, plausible field (a
 * cut-off issue time read as a date in 1975 answered "expired").
 */
function check(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 8);
}

export function encodeIterator(token: IteratorToken): string {
  const text = [
    'v2',
    token.uid,
    token.shardIndex,
    token.position.op,
    token.position.sequence,
    token.issuedAt,
  ].join('|');
  return Buffer.from(`${text}|${check(text)}`, 'utf8').toString('base64url');
}

export function decodeIterator(iterator: unknown, now: number): IteratorToken {
  const invalid = (): never => {
    throw new LambdaliteError(
      'InvalidArgumentException',
      `shardIterator ${JSON.stringify(typeof iterator === 'string' ? iterator.slice(0, 64) : iterator)} is not a valid shard iterator`,
    );
  };
  if (typeof iterator !== 'string' || iterator.length === 0 || iterator.length > 512) return invalid();
  const decoded = Buffer.from(iterator, 'base64url').toString('utf8');
  const cut = decoded.lastIndexOf('|');
  if (cut < 0 || check(decoded.slice(0, cut)) !== decoded.slice(cut + 1)) return invalid();
  const parts = decoded.slice(0, cut).split('|');
  const [version, uid, shard, op, sequence, issued] = parts;
  if (
    parts.length !== 6 ||
    version !== 'v2' ||
    !uid ||
    !/^\d+$/.test(shard ?? '') ||
    (op !== 'gt' && op !== 'gte') ||
    !isSequenceNumber(sequence) ||
    !/^\d+$/.test(issued ?? '')
  ) {
    return invalid();
  }
  const issuedAt = Number(issued);
  if (now - issuedAt > ITERATOR_TTL_MS) {
    throw new LambdaliteError(
      'ExpiredIteratorException',
      `Iterator expired. The iterator was created at time ${new Date(issuedAt).toISOString()} while right now it is ${new Date(now).toISOString()} which is further in the future than the tolerated delay of ${ITERATOR_TTL_MS} milliseconds.`,
    );
  }
  return { uid, shardIndex: Number(shard), position: { op, sequence }, issuedAt };
}
