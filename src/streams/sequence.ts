/**
 * Sequence numbers: 35 decimal digits, `4` + shard index (12 digits) + engine-clock milliseconds
 * (16 digits) + a counter within that millisecond (6 digits).
 *
 * - Fixed width and no leading zero, so string order, numeric (BigInt) order and LevelDB key
 *   order agree, and the value matches the API pattern `0|([1-9]\d{0,128})`.
 * - The shard index is part of the number, so a sequence number names its shard and one from
 *   another shard can be rejected.
 * - The time part makes numbers grow with time (gaps between writes, as in AWS), lets
 *   AT_TIMESTAMP seek directly and lets retention delete a key range without reading values.
 * - Strictly increasing per shard even if the clock stands still or goes back: the next number
 *   is always above the last one persisted (the last number is stored with every batch).
 */
import { LambdaliteError } from '../errors.js';

export const SEQUENCE_LENGTH = 35;
const VERSION = '4';
const SHARD_WIDTH = 12;
const MS_WIDTH = 16;
const SUB_WIDTH = 6;
const SUB_MAX = 999_999;
const PATTERN = /^4\d{34}$/;

/** The last sequence position handed out in one shard. */
export interface SequenceCursor {
  ms: number;
  sub: number;
}

export function shardPrefix(shardIndex: number): string {
  return VERSION + String(shardIndex).padStart(SHARD_WIDTH, '0');
}

/** The smallest sequence number of `shardIndex` at time `ms` (used as a range bound). */
export function sequenceAt(shardIndex: number, ms: number, sub = 0): string {
  return (
    shardPrefix(shardIndex) +
    String(Math.max(0, Math.floor(ms))).padStart(MS_WIDTH, '0') +
    String(sub).padStart(SUB_WIDTH, '0')
  );
}

/** Moves `cursor` to the next number for a write at `now`. */
function advance(cursor: SequenceCursor, now: number): void {
  if (now > cursor.ms) {
    cursor.ms = now;
    cursor.sub = 0;
  } else if (cursor.sub < SUB_MAX) {
    cursor.sub += 1;
  } else {
    // A million writes in one millisecond (or a clock that went back): borrow the next one.
    cursor.ms += 1;
    cursor.sub = 0;
  }
}

/** Advances `cursor` past its current value for a write at `now`, returning the new number. */
export function nextSequence(shardPrefixText: string, cursor: SequenceCursor, now: number): string {
  advance(cursor, now);
  return (
    shardPrefixText + String(cursor.ms).padStart(MS_WIDTH, '0') + String(cursor.sub).padStart(SUB_WIDTH, '0')
  );
}

/**
 * {@link nextSequence} `count` times for one write at `now`: the sequence numbers of a batch,
 * with the shard and millisecond digits formatted once per millisecond rather than per record.
 */
export function nextSequences(
  shardPrefixText: string,
  cursor: SequenceCursor,
  now: number,
  count: number,
): string[] {
  const out = new Array<string>(count);
  let msText = '';
  let msOf = -1;
  for (let i = 0; i < count; i++) {
    advance(cursor, now);
    if (cursor.ms !== msOf) {
      msOf = cursor.ms;
      msText = shardPrefixText + String(msOf).padStart(MS_WIDTH, '0');
    }
    out[i] = msText + String(cursor.sub).padStart(SUB_WIDTH, '0');
  }
  return out;
}

export function isSequenceNumber(text: unknown): text is string {
  return typeof text === 'string' && PATTERN.test(text);
}

export interface ParsedSequence {
  shardIndex: number;
  ms: number;
  sub: number;
}

export function parseSequence(text: string): ParsedSequence {
  return {
    shardIndex: Number(text.slice(1, 1 + SHARD_WIDTH)),
    ms: Number(text.slice(1 + SHARD_WIDTH, 1 + SHARD_WIDTH + MS_WIDTH)),
    sub: Number(text.slice(1 + SHARD_WIDTH + MS_WIDTH)),
  };
}

/** The cursor that produced `sequenceNumber`, to continue after it. */
export function cursorOf(sequenceNumber: string): SequenceCursor {
  const { ms, sub } = parseSequence(sequenceNumber);
  return { ms, sub };
}

/**
 * Checks that `text` is a sequence number of shard `shardIndex`; InvalidArgumentException
 * otherwise (AWS rejects a sequence number from another shard the same way).
 */
export function assertShardSequence(text: unknown, shardIndex: number, shardId: string): string {
  if (!isSequenceNumber(text)) {
    throw new LambdaliteError(
      'InvalidArgumentException',
      `startingSequenceNumber must be a ${SEQUENCE_LENGTH}-digit sequence number of this engine, got ${JSON.stringify(text)}`,
    );
  }
  if (parseSequence(text).shardIndex !== shardIndex) {
    throw new LambdaliteError(
      'InvalidArgumentException',
      `StartingSequenceNumber ${text} used in GetShardIterator on shard ${shardId} is not valid for that shard`,
    );
  }
  return text;
}
